""" "Write to visitor" (Написать посетителю): an operator starts a chat with a visitor who
is on the site, from the Visitors tab. Refused, each with its own message, for a visitor
whose IP the account blocked, one who closed an invitation within
ENGAGE_INVITATION_SNOOZE_MINUTES, and past the operator's ENGAGE_OUTREACH_LIMIT chats per
ENGAGE_OUTREACH_WINDOW_MINUTES. The dialog itself is chat's (chat/dialogs/outreach.py)."""

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from chat.console import selectors
from chat.dialogs import outreach as chat_outreach
from chat.errors import ChatError, NotFound
from chat.models import Visit, Visitor
from chat.visitors import blocking
from engage import invitations
from engage.visitor_models import Outreach
from operators.models import Operator

BLOCKED = "visitor_blocked"
SNOOZED = "invitation_closed"
RATE_LIMITED = "outreach_limit"


def refusal(operator: Operator, visitor: Visitor, *, now) -> ChatError | None:
    """Why the operator may not write to the visitor now, or None (three queries)."""
    ip = (
        Visit.objects.filter(visitor_id=visitor.id, ip__isnull=False)
        .order_by("-last_activity_at", "-id")
        .values_list("ip", flat=True)
        .first()
    )
    if blocking.is_blocked(visitor.site.account_id, ip):
        return ChatError(BLOCKED, _("This visitor's IP address is blocked."))
    minutes = settings.ENGAGE_INVITATION_SNOOZE_MINUTES
    if minutes and invitations.closed_recently(visitor.id, minutes):
        return ChatError(
            SNOOZED,
            ngettext(
                "The visitor closed an invitation less than %(count)d minute ago: "
                "leave him alone for now.",
                "The visitor closed an invitation less than %(count)d minutes ago: "
                "leave him alone for now.",
                minutes,
            )
            % {"count": minutes},
        )
    window = settings.ENGAGE_OUTREACH_WINDOW_MINUTES
    started = Outreach.objects.filter(
        operator=operator, created_at__gte=now - timedelta(minutes=window)
    ).count()
    if started >= settings.ENGAGE_OUTREACH_LIMIT:
        return ChatError(
            RATE_LIMITED,
            ngettext(
                "You have started %(limit)d chats in the last %(window)d minute. "
                "Try again a little later.",
                "You have started %(limit)d chats in the last %(window)d minutes. "
                "Try again a little later.",
                window,
            )
            % {"limit": settings.ENGAGE_OUTREACH_LIMIT, "window": window},
        )
    return None


@transaction.atomic
def write_to_visitor(*, operator: Operator, visitor_id, text, client_id):
    """The new dialog, in the operator's Mine, his message first; ChatError if refused."""
    if not isinstance(visitor_id, int) or isinstance(visitor_id, bool):
        raise NotFound(_("This visitor is not on your sites."))
    site_ids = selectors.site_ids_of(operator)
    # The operator's row lock: two tabs of his cannot both pass the rate limit.
    Operator.objects.select_for_update().filter(pk=operator.pk).values_list("pk").first()
    visitor = (
        Visitor.objects.filter(pk=visitor_id, site_id__in=site_ids).select_related("site").first()
    )
    if visitor is None:
        raise NotFound(_("This visitor is not on your sites."))
    now = timezone.now()
    if (refused := refusal(operator, visitor, now=now)) is not None:
        raise refused
    dialog, message = chat_outreach.start_dialog(
        operator=operator, visitor_id=visitor.id, text=text, client_id=client_id, site_ids=site_ids
    )
    Outreach.objects.create(operator=operator, visitor=visitor, dialog=dialog, created_at=now)
    return dialog, message
