"""Console: block a dialog's visitor, the account's blocked IPs, unblock. Thin."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from chat.console import selectors
from chat.errors import AccessDenied, ChatError, NotFound
from chat.views.decorators import operator_required
from chat.visitors import blocking


@require_POST
@operator_required
def block(request, pk):
    try:
        blocking.block_visitor(
            operator=request.operator, dialog_id=pk, reason=request.POST.get("reason", "")
        )
    except (NotFound, AccessDenied):
        raise
    except ChatError as error:
        messages.error(request, error.detail)
    return redirect("console:dialog", pk=pk)


@operator_required
def blocked_list(request):
    return render(
        request,
        "chat/blocked.html",
        {
            "operator": request.operator,
            "tab": "blocked",
            # The tab bar's counters.
            "members": selectors.tab_members(request.operator),
            "entries": blocking.blocked_list(request.operator),
        },
    )


@require_POST
@operator_required
def unblock(request, pk):
    blocking.unblock(operator=request.operator, blocked_id=pk)
    messages.success(request, _("The address is unblocked: visitors from it can chat again."))
    next_url = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = "console:blocked"
    return redirect(next_url)
