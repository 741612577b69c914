"""The presence log: each change of an operator's effective online state, from which the
Reports page sums time online (docs/reports.md, "Time online").

Effective online is chat's rule (chat.console.presence.online_operators_q): status Online
and a console socket open, or closed less than the grace period ago. A reload inside the
grace period therefore changes nothing; once the grace has passed the operator went
offline when his last console closed (last_seen_at), not when the beat task noticed.
"""

from django.db.models import BooleanField, ExpressionWrapper, OuterRef, Subquery
from django.utils import timezone

from chat.console.presence import online_operators_q
from operators.models import Operator
from reports.models import PresenceChange


def record(operator_ids=None) -> list[PresenceChange]:
    """Compare the operators' state (all operators when operator_ids is None) with their
    last logged one and log those that differ. Idempotent; one query, and one INSERT when
    something changed (a console reload costs one read)."""
    operators = Operator.objects.all()
    if operator_ids is not None:
        operators = operators.filter(id__in=operator_ids)
    last = PresenceChange.objects.filter(operator=OuterRef("pk")).order_by("-at", "-id")
    rows = operators.annotate(
        online_now=ExpressionWrapper(online_operators_q(), output_field=BooleanField()),
        last_online=Subquery(last.values("online")[:1]),
        last_at=Subquery(last.values("at")[:1]),
    ).values_list(
        "id", "status", "open_sockets", "last_seen_at", "online_now", "last_online", "last_at"
    )
    now = timezone.now()
    changes = []
    for operator_id, status, open_sockets, last_seen_at, online, last_online, last_at in rows:
        online = bool(online)
        if last_online is None and not online:
            continue  # never seen online: nothing to log yet
        if last_online is not None and bool(last_online) == online:
            continue
        at = now
        if not online and not open_sockets and last_seen_at and status == Operator.Status.ONLINE:
            at = last_seen_at  # the grace period passed: gone since his last console closed
        if last_at is not None and at < last_at:
            at = last_at
        changes.append(PresenceChange(operator_id=operator_id, online=online, status=status, at=at))
    if changes:
        PresenceChange.objects.bulk_create(changes)
    return changes
