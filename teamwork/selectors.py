"""Reads of teamwork, each with a fixed number of queries."""

from django.db.models import Prefetch

from chat.console import transcript_items
from operators.models import Operator
from teamwork.models import Note

NOTE_TEMPLATE = "teamwork/_note.html"


# A note's mentioned colleagues with their logins (teamwork_tags.with_mentions reads both).
MENTIONS = Prefetch("mentions", queryset=Operator.objects.select_related("user"))


def _notes():
    return Note.objects.select_related(
        "author__user", "recipient__user", "transfer"
    ).prefetch_related(MENTIONS)


def notes_for(operator: Operator, dialog_id: int, *, after: int = 0) -> list[Note]:
    """The notes of a dialog this operator may read (the caller checked he may see the
    dialog), oldest first. Two queries: the notes, their mentions."""
    return list(
        _notes().visible_to(operator).filter(dialog_id=dialog_id, id__gt=after).order_by("id")
    )


def shared_notes(dialog_id: int) -> list[Note]:
    """The notes every operator of the dialog reads (what a CRM export may carry). One query."""
    return list(Note.objects.shared().select_related("author__user").filter(dialog_id=dialog_id))


def note(note_id: int) -> Note:
    return _notes().get(pk=note_id)


def transcript_notes(*, operator, dialog) -> list[transcript_items.TranscriptItem]:
    """The console transcript's notes (chat.console.transcript_items provider)."""
    return [
        transcript_items.TranscriptItem(note.created_at, NOTE_TEMPLATE, note)
        for note in notes_for(operator, dialog.id)
    ]


def colleagues_of_site(site_id: int) -> list[Operator]:
    """Every operator serving the site, with his user. One query."""
    return list(
        Operator.objects.filter(sites__id=site_id).select_related("user").order_by("display_name")
    )


def pinned_transfer_note(operator: Operator, dialog, transcript) -> Note | None:
    """The private note of the last transfer of this open dialog to this operator, found
    among the transcript's notes already read (no query)."""
    if not dialog.is_open:
        return None
    pinned = None
    for entry in transcript or ():
        note = entry.item
        if (
            isinstance(note, Note)
            and note.recipient_id == operator.id
            and hasattr(note, "transfer")  # select_related: no query
        ):
            pinned = note
    return pinned
