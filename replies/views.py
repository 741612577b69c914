"""Console: the Replies page (list, add, edit, delete) and the composer's use counter. Thin."""

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from chat.console import selectors as chat_selectors
from chat.views.decorators import operator_required
from replies import selectors, services
from replies.forms import CannedReplyForm


def _page(request, template, **context):
    return render(
        request,
        template,
        {
            "operator": request.operator,
            "tab": "replies",
            # The tab bar's counters.
            "members": chat_selectors.tab_members(request.operator),
            **context,
        },
    )


@operator_required
def reply_list(request):
    return _page(request, "replies/list.html", replies=selectors.for_account(request.operator))


def _reply_or_404(operator, pk):
    reply = selectors.of_account(operator, pk)
    if reply is None:
        raise Http404
    return reply


def _edit(request, reply):
    form = CannedReplyForm(request.POST or None, instance=reply, account=request.operator.account)
    if request.method == "POST" and form.is_valid():
        if reply is None:
            saved = services.create_reply(account=request.operator.account, **form.cleaned_data)
        else:
            saved = services.update_reply(reply=reply, **form.cleaned_data)
        messages.success(request, _("Reply /%(shortcut)s saved.") % {"shortcut": saved.shortcut})
        return redirect("replies:list")
    return _page(request, "replies/form.html", form=form, reply=reply)


@operator_required
def reply_add(request):
    return _edit(request, None)


@operator_required
def reply_edit(request, pk):
    return _edit(request, _reply_or_404(request.operator, pk))


@require_POST
@operator_required
def reply_delete(request, pk):
    reply = _reply_or_404(request.operator, pk)
    services.delete_reply(reply=reply)
    messages.success(request, _("Reply /%(shortcut)s deleted.") % {"shortcut": reply.shortcut})
    return redirect("replies:list")


@require_POST
@operator_required
def reply_used(request, pk):
    """The composer inserted this reply: count it, so the most used ones come first."""
    if not services.record_use(operator=request.operator, reply_id=pk):
        raise Http404
    return HttpResponse(status=204)
