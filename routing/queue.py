"""The visitor's place in the queue (docs/protocol.md, "queue"): told live to his widget
as dialogs leave the queue, and in hello when his widget connects."""

from django.db.models import Q

from chat.messaging import payloads
from chat.realtime import events
from routing import modes, queue_text
from routing.models import Assignment


def _frame(dialog_id: int, position: int | None) -> tuple[dict, dict]:
    frame = {"type": "queue", "dialog": dialog_id, "position": position}
    if position is None:
        return frame, {}
    return frame, {
        "text": payloads.per_language(queue_text.line_text, position),
        "hint": payloads.per_language(queue_text.line_hint),
    }


def tell_visitor(dialog, position: int | None) -> None:
    """On commit: the visitor's widgets show his place, or stop showing it (None)."""
    frame, localized = _frame(dialog.id, position)
    events.visitor_frame_on_commit(dialog.visitor_id, frame, localized=localized)


def announce_positions(site_id: int) -> int:
    """Every queued visitor of the site whose place changed since he was last told hears
    his new place: one read and, when a place changed, one UPDATE, however long the
    queue. Idempotent (the beat task calls it too, for dialogs that left the queue
    without a hook, e.g. missed)."""
    rows = Assignment.objects.queued().filter(dialog__site_id=site_id)
    changed = []
    for place, assignment in enumerate(rows.select_related("dialog"), start=1):
        if assignment.announced_position == place:
            continue
        assignment.announced_position = place
        changed.append(assignment)
        frame, localized = _frame(assignment.dialog_id, place)
        events.visitor_frame_on_commit(assignment.dialog.visitor_id, frame, localized=localized)
    if changed:
        Assignment.objects.bulk_update(changed, ["announced_position"])
    return len(changed)


def position_of(dialog_id: int) -> int | None:
    """The dialog's place in its site's queue (1 = next), None when it is not queued.
    One query when it is not queued, two when it is."""
    mine = Assignment.objects.queued().filter(dialog_id=dialog_id)
    row = mine.values_list("queued_at", "dialog__site_id").first()
    if row is None:
        return None
    queued_at, site_id = row
    ahead = Assignment.objects.queued().filter(
        Q(queued_at__lt=queued_at) | Q(queued_at=queued_at, dialog_id__lt=dialog_id),
        dialog__site_id=site_id,
    )
    return ahead.count() + 1


def hello_part(*, site, session, language: str):
    """hello["queue"]: {"position", "text", "hint"} for a visitor whose open dialog waits
    in the queue, else None (registered in routing/apps.py)."""
    dialog = getattr(session, "dialog", None)
    if dialog is None or dialog.status != "new" or not modes.auto_assigns(site.id):
        return None
    position = position_of(dialog.id)
    if position is None:
        return None
    frame, localized = _frame(dialog.id, position)
    return {
        "position": position,
        "text": payloads.pick(localized["text"], language),
        "hint": payloads.pick(localized["hint"], language),
    }
