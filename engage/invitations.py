"""What happens to an invitation the widget shows: the visitor's frames `invitation_shown`
and `invitation_closed` (docs/protocol.md), the dialog his answer opens, and what other
parts of engage ask about it. The server re-checks what the browser may not decide alone:
the rule is this site's and active, and how often it may be shown."""

from datetime import timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import get_language, override

from chat.dialogs.openings import Opening
from chat.errors import ChatError
from chat.models import Dialog, Visitor
from engage import rules
from engage.rule_models import InvitationEvent, InvitationRule

ANSWER_WITHIN = timedelta(hours=24)  # an invitation older than this opens no dialog

Kind = InvitationEvent.Kind


def _rule_id(frame) -> int:
    value = frame.get("rule")
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise ChatError("invalid", "rule must be the id of an invitation rule.")
    return value


def may_show(rule: InvitationRule, *, visitor_id: int, visit_id: int, now) -> bool:
    """The rule's frequency, and no invitation after the visitor closed one this visit:
    one query."""
    shown_before = Q(kind=Kind.SHOWN, rule_id=rule.id)
    if rule.frequency == InvitationRule.Frequency.VISIT:
        shown_before &= Q(visit_id=visit_id)
    elif rule.frequency == InvitationRule.Frequency.DAYS:
        shown_before &= Q(at__gte=now - timedelta(days=rule.frequency_days or 1))
    closed_this_visit = Q(kind=Kind.CLOSED, visit_id=visit_id)
    return not InvitationEvent.objects.filter(
        shown_before | closed_this_visit, visitor_id=visitor_id
    ).exists()


@transaction.atomic
def invitation_shown(frame, *, visitor_id: int, visit_id: int, site_id: int) -> dict:
    """The widget is about to show rule's invitation: recorded when it may be shown.
    The answer says whether it may ("shown": false: the widget does not show it)."""
    rule_id = _rule_id(frame)
    rule = InvitationRule.objects.filter(pk=rule_id, site_id=site_id, paused=False).first()
    # The visitor's row lock serialises his tabs: two of them cannot both show it.
    Visitor.objects.select_for_update().values_list("pk").get(pk=visitor_id)
    now = timezone.now()
    allowed = rule is not None and may_show(rule, visitor_id=visitor_id, visit_id=visit_id, now=now)
    if allowed:
        InvitationEvent.objects.create(
            rule=rule, visitor_id=visitor_id, visit_id=visit_id, kind=Kind.SHOWN, at=now
        )
    return {"type": "invitation_shown", "rule": rule_id, "shown": allowed}


@transaction.atomic
def invitation_closed(frame, *, visitor_id: int, visit_id: int, site_id: int) -> None:
    """The visitor closed the bubble: no more invitations this visit. Only an invitation
    he was shown counts (one row per visit and rule)."""
    rule_id = _rule_id(frame)
    shown = InvitationEvent.objects.filter(
        rule_id=rule_id, rule__site_id=site_id, visitor_id=visitor_id, visit_id=visit_id
    )
    if shown.filter(kind=Kind.SHOWN).exists() and not shown.filter(kind=Kind.CLOSED).exists():
        InvitationEvent.objects.create(
            rule_id=rule_id, visitor_id=visitor_id, visit_id=visit_id, kind=Kind.CLOSED
        )
    return None


def opening_for(value, *, dialog: Dialog) -> Opening | None:
    """chat's dialog opener (chat/dialogs/openings.py): the invitation the visitor answers,
    if he was shown it lately on this site; recorded as answered with its dialog."""
    if isinstance(value, bool) or not isinstance(value, int):
        return None
    shown = (
        InvitationEvent.objects.filter(
            rule_id=value,
            rule__site_id=dialog.site_id,
            visitor_id=dialog.visitor_id,
            kind=Kind.SHOWN,
            at__gte=timezone.now() - ANSWER_WITHIN,
        )
        .select_related("rule__operator__user", "rule__site", "visitor")
        .order_by("-at")
        .first()
    )
    if shown is None:
        return None
    rule = shown.rule
    InvitationEvent.objects.create(
        rule=rule,
        visitor_id=dialog.visitor_id,
        visit_id=dialog.visit_id,
        dialog=dialog,
        kind=Kind.ANSWERED,
    )
    with override(rule.site.language or get_language()):
        visitor_name = shown.visitor.display_name
    return Opening(
        text=rules.rule_text(rule, visitor_name=visitor_name, site=rule.site),
        operator=rule.operator,
    )


def closed_recently(visitor_id: int, minutes: int) -> bool:
    """The visitor closed an invitation in the last `minutes`: an operator should not
    write to him out of the blue either (the Visitors tab's "Write to visitor")."""
    return InvitationEvent.objects.filter(
        visitor_id=visitor_id,
        kind=Kind.CLOSED,
        at__gte=timezone.now() - timedelta(minutes=minutes),
    ).exists()
