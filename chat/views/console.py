"""Console pages: the tab lists, a dialog, and the dialog actions. Thin."""

from django.conf import settings
from django.contrib import messages
from django.http import HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from chat.console import presence, selectors, timezones
from chat.dialogs import invitations, lifecycle
from chat.errors import AccessDenied, ChatError, NotFound
from chat.messaging import payloads
from chat.views.decorators import operator_required
from chat.visitors import blocking, card
from operators import services as operator_services
from operators.models import Operator


def _first_rows(operator, tab, *, after=None):
    """One page of a tab's rows, and whether more follow (one query: a row more is asked)."""
    size = settings.CHAT_CONSOLE_PAGE_SIZE
    rows = selectors.tab_dialogs(operator, tab, limit=size + 1, after=after)
    return rows[:size], len(rows) > size


def _console_context(operator, tab):
    rows, has_more = _first_rows(operator, tab)
    return {
        "operator": operator,
        "tab": tab,
        "rows": rows,
        "has_more": has_more,
        "members": selectors.tab_members(operator),
    }


def _tab_page(tab):
    @operator_required
    def view(request):
        return render(request, "chat/tab.html", _console_context(request.operator, tab))

    return view


mine = _tab_page("mine")
others = _tab_page("others")
missed = _tab_page("missed")


@require_GET
@operator_required
def tab_rows(request, tab):
    """The rows after a shown one: the "Show more" button under a tab's list."""
    try:
        after = int(request.GET["after"])
    except (KeyError, ValueError):
        return HttpResponseBadRequest("after must be a dialog id")
    rows, has_more = _first_rows(request.operator, tab, after=after)
    response = render(request, "chat/_tab_rows.html", {"rows": rows})
    response["X-Has-More"] = "1" if has_more else "0"
    return response


@operator_required
def dialog(request, pk):
    view = selectors.dialog_view(request.operator, pk)
    tab = selectors.tab_of(request.operator, status=view.dialog.status, is_mine=view.is_participant)
    visitor_card = card.visitor_card(view.dialog)
    return render(
        request,
        "chat/dialog.html",
        {
            **_console_context(request.operator, tab or "mine"),
            "view": view,
            "dialog": view.dialog,
            "card": visitor_card,
            "message_max_length": settings.CHAT_MESSAGE_MAX_LENGTH,
            "block_state": blocking.dialog_block_state(view.dialog, visitor_card.visit),
            "invitable": (
                invitations.invitable_operators(
                    operator=request.operator,
                    dialog=view.dialog,
                    active_operator_ids=[op.id for op in view.operators],
                )
                if view.is_participant and view.dialog.is_open
                else []
            ),
        },
    )


def _dialog_action(action):
    @require_POST
    @operator_required
    def view(request, pk):
        try:
            action(operator=request.operator, dialog_id=pk)
        except (NotFound, AccessDenied):
            raise
        except ChatError as error:
            messages.error(request, error.detail)
        return redirect("console:dialog", pk=pk)

    return view


connect = _dialog_action(lifecycle.connect_operator)
end = _dialog_action(lifecycle.end_dialog)


@require_POST
@operator_required
def leave(request, pk):
    """Step out of a dialog and go back to the list, with a notice: an operator who may not
    see colleagues' dialogs could no longer open the one he left."""
    try:
        dialog = lifecycle.leave_dialog(operator=request.operator, dialog_id=pk)
    except (NotFound, AccessDenied):
        raise
    except ChatError as error:
        messages.error(request, error.detail)
        return redirect("console:dialog", pk=pk)
    messages.success(request, _("You left dialog #%(number)s.") % {"number": dialog.number})
    return redirect("console:mine")


@require_POST
@operator_required
def invite(request, pk):
    try:
        invitation = invitations.invite_operator(
            operator=request.operator, dialog_id=pk, invitee_id=request.POST.get("invitee")
        )
    except (NotFound, AccessDenied):
        raise
    except ChatError as error:
        messages.error(request, error.detail)
    else:
        messages.success(request, payloads.invitation_sent_text(invitation))
    return redirect("console:dialog", pk=pk)


def _back(request):
    """Back to the page the menu was used on (its `next`), if it is one of ours."""
    next_url = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = "console:mine"
    return redirect(next_url)


@require_POST
@operator_required
def set_status(request):
    status = request.POST.get("status")
    if status in Operator.Status.values:
        presence.status_changed(request.operator, status)
    return _back(request)


@require_POST
@operator_required
def set_language(request):
    """The operator's console language, kept in his profile ("" = the browser's)."""
    language = request.POST.get("language", "")
    if language == "" or language in dict(settings.LANGUAGES):
        operator_services.set_language(operator=request.operator, language=language)
    return _back(request)


@require_POST
@operator_required
def set_time_zone(request):
    """The operator's time zone, kept in his profile ("" = the browser's)."""
    zone = request.POST.get("time_zone", "")
    if zone == "" or timezones.is_valid(zone):
        operator_services.set_time_zone(operator=request.operator, time_zone=zone)
    return _back(request)
