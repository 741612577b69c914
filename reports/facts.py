"""Per-dialog facts: what a closed dialog's messages tell the Reports page (first response,
replies, messages per operator), stored once in reports.DialogFacts so that the page reads
one row per dialog instead of all its messages (docs/reports.md, "How the figures are kept
fast").

The rule is metrics.walk_messages, the page's own: facts are its result, saved. A dialog's
facts are *settled* while the dialog is closed and still has the closed_at and
last_message_at they were computed with; the page walks the raw messages of every other
dialog it shows (open ones, and closed ones whose facts are missing or stale), so its
figures are exact whatever this table holds.

Writing a dialog's facts forgets the stored days it is part of (reports.days). Kept fresh
by the dialog_ended hook (reports.receivers), by the beat task
reports.tasks.refresh_report_facts (refresh_stale: whatever the hook missed), and rebuilt
by `manage.py rebuild_report_facts`. Every writer is idempotent: recomputing gives the same
row.
"""

import json
from datetime import datetime

from django.db.models import BooleanField, Case, F, Q, QuerySet, TextField, Value, When
from django.db.models.functions import Cast
from django.utils import timezone

from chat.models import Dialog, Message
from reports import days, metrics
from reports.models import DialogFacts

BATCH = 2000
# The beat task writes at most this many dialogs' facts a run: after an upgrade it fills
# in the history, the latest first, a few thousand dialogs every few minutes.
PER_RUN = 5000
FACT_FIELDS = ("first_response", "first_responder", "replies", "sent")
# A started dialog's saved walk as selectors read it, the lists as JSON text (as_text).
SAVED_WALK = (
    "report_facts__first_response",
    "report_facts__first_responder",
    "replies_json",
    "sent_json",
)


def settled() -> Case:
    """On Dialog: True when its facts can stand for its messages (a LEFT JOIN on facts)."""
    return Case(
        When(
            Q(
                status=Dialog.Status.CLOSED,
                report_facts__closed_at=F("closed_at"),
                report_facts__last_message_at=F("last_message_at"),
            ),
            then=Value(True),
        ),
        default=Value(False),
        output_field=BooleanField(),
    )


def message_rows(dialogs: QuerySet):
    """What metrics.walk_messages reads, for dialogs given by id (a list, or a values("id")
    queryset): one query, streamed."""
    return (
        Message.objects.filter(dialog_id__in=dialogs)
        .exclude(author_kind=Message.Author.SYSTEM)
        .order_by("dialog_id", "id")
        .values_list("dialog_id", "author_kind", "operator_id", "created_at")
        .iterator(chunk_size=5000)
    )


def walk_of(first_response, first_responder, replies, sent) -> metrics.DialogWalk:
    """A settled dialog's facts as the walk they were saved from."""
    return metrics.DialogWalk(
        first_response=first_response,
        first_responder=first_responder,
        replies=[(operator_id, seconds) for operator_id, seconds in replies],
        sent={operator_id: count for operator_id, count in sent},
    )


def as_text() -> dict:
    """On Dialog: its facts' lists as JSON text, for saved_walks to decode all at once."""
    return {
        "replies_json": Cast("report_facts__replies", TextField()),
        "sent_json": Cast("report_facts__sent", TextField()),
    }


def saved_walks(rows) -> dict[int, metrics.DialogWalk]:
    """rows: (dialog id, first_response, first_responder, replies JSON, sent JSON) of
    settled dialogs. The JSON of every row is decoded in one call: row by row it cost more
    than all the page's figures."""
    lists = json.loads("[" + ",".join(f"[{row[3]},{row[4]}]" for row in rows) + "]")
    return {
        row[0]: walk_of(row[1], row[2], replies, sent)
        for row, (replies, sent) in zip(rows, lists, strict=True)
    }


def refresh(dialog_ids) -> int:
    """Compute the facts of these dialogs from their messages: closed ones are written
    (created or replaced), open ones lose any facts they had; the stored days they started
    or ended on are forgotten (reports.days). Five queries; idempotent. Returns how many
    were written."""
    dialog_ids = list(dialog_ids)
    closed = list(
        Dialog.objects.filter(id__in=dialog_ids, status=Dialog.Status.CLOSED)
        .order_by()
        .values_list("id", "closed_at", "last_message_at")
    )
    DialogFacts.objects.filter(dialog_id__in=dialog_ids).exclude(
        dialog_id__in=[row[0] for row in closed]
    ).delete()
    if not closed:
        days.forget(dialog_ids)
        return 0
    # The dialogs were read closed first: a closed dialog takes no more messages, so the
    # messages read next are all it will have.
    walks = metrics.walk_messages(message_rows([row[0] for row in closed]))
    now = timezone.now()
    rows = []
    for dialog_id, closed_at, last_message_at in closed:
        walk = walks.get(dialog_id) or metrics.DialogWalk()
        rows.append(
            DialogFacts(
                dialog_id=dialog_id,
                closed_at=closed_at,
                last_message_at=last_message_at,
                first_response=walk.first_response,
                first_responder=walk.first_responder,
                replies=[[operator_id, seconds] for operator_id, seconds in walk.replies],
                sent=[[operator_id, count] for operator_id, count in walk.sent.items()],
                computed_at=now,
            )
        )
    DialogFacts.objects.bulk_create(
        rows,
        update_conflicts=True,
        unique_fields=["dialog"],
        update_fields=["closed_at", "last_message_at", *FACT_FIELDS, "computed_at"],
    )
    # After the facts are written: a page building a day meanwhile reads them, or is undone.
    days.forget(dialog_ids)
    return len(rows)


def refresh_stale(limit: int | None = None, batch: int = BATCH) -> int:
    """Write the facts of the closed dialogs that have none or stale ones, the latest
    first, at most `limit` of them (all when None). Returns how many were written."""
    stale = (
        Dialog.objects.filter(status=Dialog.Status.CLOSED)
        .annotate(facts_settled=settled())
        .filter(facts_settled=False)
        .order_by("-id")
    )
    written, before = 0, None
    while limit is None or written < limit:
        todo = stale if before is None else stale.filter(id__lt=before)
        size = batch if limit is None else min(batch, limit - written)
        ids = list(todo.values_list("id", flat=True)[:size])
        if not ids:
            break
        written += refresh(ids)
        before = ids[-1]
    return written


def rebuild(started_since: datetime | None = None, batch: int = BATCH) -> int:
    """Recompute the facts of every dialog (started at or after started_since when given),
    whatever they hold now. Returns how many were written."""
    days.forget_since(started_since)
    dialogs = Dialog.objects.all()
    if started_since is not None:
        dialogs = dialogs.filter(created_at__gte=started_since)
    written, after = 0, 0
    while True:
        ids = list(dialogs.filter(id__gt=after).order_by("id").values_list("id", flat=True)[:batch])
        if not ids:
            return written
        written += refresh(ids)
        after = ids[-1]
