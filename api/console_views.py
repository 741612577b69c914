"""Console: the Access tokens page (create, list, revoke). Thin: api/tokens.py."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from api import tokens
from chat.console import selectors as chat_selectors
from chat.errors import ChatError
from chat.views.decorators import operator_required


def _page(request, *, new_token=None, error=None, status=200):
    return render(
        request,
        "api/tokens.html",
        {
            "operator": request.operator,
            "tab": "tokens",
            "members": chat_selectors.tab_members(request.operator),  # the tab bar's counters
            "tokens": tokens.tokens_of(request.operator),
            "new_token": new_token,
            "error": error,
        },
        status=status,
    )


@operator_required
def token_list(request):
    """GET: the list. POST: a new token, its secret shown on this answer only."""
    if request.method != "POST":
        return _page(request)
    try:
        token, secret = tokens.create_token(
            operator=request.operator, name=request.POST.get("name")
        )
    except ChatError as error:
        return _page(request, error=error.detail, status=400)
    return _page(request, new_token={"token": token, "secret": secret}, status=201)


@require_POST
@operator_required
def revoke(request, pk):
    token = tokens.revoke(operator=request.operator, token_id=pk)  # another's: 404
    messages.success(
        request,
        _("Token “%(name)s” is revoked: it no longer opens anything.") % {"name": token.name},
    )
    return redirect("tokens:list")
