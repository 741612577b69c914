"""New dialogs nobody opens: past their site's offer_after_seconds they are offered to every
online operator of the site (docs/operations.md, "Alerts and Web Push").

"Opened" means an operator had the dialog on screen: chat/messaging/reading.py moved
read_up_to past 0.
The consoles repeat their own alert meanwhile (static/chat/console-alerts.js); this module
is the server's part, run by the offer_waiting_dialogs beat task.
"""

from datetime import timedelta

from django.db import transaction
from django.db.models import DurationField, ExpressionWrapper, F, IntegerField
from django.db.models.functions import Cast
from django.utils import timezone

from chat import hooks
from chat.console import row_parts
from chat.messaging import payloads
from chat.models import Dialog, Site
from chat.realtime import events
from operators.models import Operator


def waiting_minutes(dialog: Dialog, now=None) -> int:
    """How long the visitor has waited, in whole minutes (what the offer shows)."""
    since = dialog.waiting_since or dialog.created_at
    return max(0, int(((now or timezone.now()) - since).total_seconds() // 60))


def due_dialogs(now):
    """New dialogs nobody has opened nor offered yet, older than their site's delay
    (0: never offered). One query; rows are locked (PostgreSQL) so that two workers never
    offer the same dialog twice."""
    seconds = Cast("site__offer_after_seconds", IntegerField())
    delay = ExpressionWrapper(seconds * timedelta(seconds=1), output_field=DurationField())
    return (
        Dialog.objects.filter(
            status=Dialog.Status.NEW,
            read_up_to=0,
            offered_at__isnull=True,
            outside_hours=False,  # opened while the site was closed (business hours)
            site__offer_after_seconds__gt=0,
        )
        .alias(delay=delay)
        .filter(created_at__lte=now - F("delay"))
        .select_related("site", "visitor")
        .select_for_update(skip_locked=True, of=("self",))
        .order_by("id")
    )


def online_operators_by_site(site_ids) -> dict[int, list[int]]:
    """Ids of the operators with status Online of each site (one query)."""
    through = Site.operators.through
    rows = through.objects.filter(
        site_id__in=site_ids, operator__status=Operator.Status.ONLINE
    ).values_list("site_id", "operator_id")
    by_site: dict[int, list[int]] = {}
    for site_id, operator_id in rows:
        by_site.setdefault(site_id, []).append(operator_id)
    return by_site


def _visitor_name(visitor) -> str:
    return str(visitor.display_name)


@transaction.atomic
def offer_waiting_dialogs(now=None) -> list[Dialog]:
    """Offer every due dialog to the online operators of its site: offered_at is set by a
    conditional UPDATE (a dialog opened or offered meanwhile is left alone), each online
    operator's consoles hear an `offer` (the visitor's name in his language), every console
    the re-rendered row ("offered to all"). A fixed number of queries whatever the number
    of dialogs. Returns the dialogs offered."""
    now = now or timezone.now()
    dialogs = list(due_dialogs(now))
    if not dialogs:
        return []
    ids = [d.pk for d in dialogs]
    updated = Dialog.objects.filter(pk__in=ids, offered_at__isnull=True, read_up_to=0).update(
        offered_at=now
    )
    if updated != len(dialogs):
        # Opened or offered by another worker since our read (a database without row
        # locks): announce only what this UPDATE changed.
        mine = set(Dialog.objects.filter(pk__in=ids, offered_at=now).values_list("pk", flat=True))
        dialogs = [d for d in dialogs if d.pk in mine]
    operators = online_operators_by_site({d.site_id for d in dialogs})
    row_parts.load(dialogs)  # other apps' parts of the rows, one query for all
    for dialog in dialogs:
        dialog.offered_at = now
        # An anonymous visitor's nickname is translated: each console socket picks the
        # name in its own language (an operator may follow his browser's).
        name = payloads.per_language(_visitor_name, dialog.visitor)
        events.dialog_offered_on_commit(
            dialog,
            operators.get(dialog.site_id, []),
            name=name,
            minutes=waiting_minutes(dialog, now),
        )
    hooks.dialogs_offered.send_on_commit(
        dialogs=dialogs,
        operator_ids=operators,
    )
    return dialogs
