"""Console: the Tags page (list, add, edit, delete: can_manage_site_settings) and the
dialog header's add / remove (any operator who may see the dialog). Thin."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from chat.console import selectors as chat_selectors
from chat.errors import AccessDenied, ChatError, NotFound
from chat.views.decorators import operator_required
from tags import events, palette, selectors, services
from tags.forms import TagForm


def _page(request, template, **context):
    return render(
        request,
        template,
        {
            "operator": request.operator,
            "tab": "tags",
            "members": chat_selectors.tab_members(request.operator),  # the tab bar's counters
            **context,
        },
    )


def _manager(request):
    if not request.operator.can_manage_site_settings:
        raise PermissionDenied(_("You may not manage the account's tags."))


def _tag_or_404(request, pk):
    tag = selectors.tag_of_account(request.operator, pk)
    if tag is None:
        raise Http404
    return tag


@operator_required
def tag_list(request):
    _manager(request)
    return _page(
        request,
        "tags/list.html",
        tags=selectors.account_tags_with_use(request.operator.account_id),
    )


def _edit(request, tag):
    _manager(request)
    form = TagForm(request.POST or None, account_id=request.operator.account_id, tag=tag)
    if request.method == "POST" and form.is_valid():
        if tag is None:
            saved = services.create_tag(operator=request.operator, **form.cleaned_data)
        else:
            saved = services.update_tag(operator=request.operator, tag=tag, **form.cleaned_data)
        messages.success(request, _("Tag “%(name)s” saved.") % {"name": saved.name})
        return redirect("tags:list")
    return _page(request, "tags/form.html", form=form, tag=tag, palette=palette.COLOURS)


@operator_required
def tag_add(request):
    return _edit(request, None)


@operator_required
def tag_edit(request, pk):
    _manager(request)
    return _edit(request, _tag_or_404(request, pk))


@operator_required
def tag_delete(request, pk):
    """GET: the confirmation, with how many dialogs carry the tag; POST: delete."""
    _manager(request)
    tag = _tag_or_404(request, pk)
    if request.method == "POST":
        services.delete_tag(operator=request.operator, tag=tag)
        messages.success(request, _("Tag “%(name)s” deleted.") % {"name": tag.name})
        return redirect("tags:list")
    return _page(request, "tags/confirm_delete.html", tag=tag, count=tag.dialog_tags.count())


def _dialog_action(change):
    """Add or remove; a script (tags.js, Accept: text/html fragment) gets the header's
    control back, a plain form post the dialog page."""

    @require_POST
    @operator_required
    def view(request, pk):
        fragment = bool(request.headers.get("X-Fragment"))
        try:
            done = change(operator=request.operator, dialog_id=pk, tag_id=request.POST.get("tag"))
        except (NotFound, AccessDenied):
            raise
        except ChatError as error:
            if fragment:
                return HttpResponse(error.detail, status=400, content_type="text/plain")
            messages.error(request, error.detail)
            return redirect("console:dialog", pk=pk)
        if fragment:
            picker = selectors.picker_tags(done.dialog.id, request.operator.account_id)
            return HttpResponse(events.header_html(done.dialog, picker))
        return redirect("console:dialog", pk=pk)

    return view


dialog_add = _dialog_action(services.add_to_dialog)
dialog_remove = _dialog_action(services.remove_from_dialog)
