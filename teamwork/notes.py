"""Internal notes: written in a dialog by an operator who may see it, read by operators
only. Mentioned colleagues (@boris) are alerted."""

from django.db import IntegrityError, transaction
from django.db.models import prefetch_related_objects
from django.utils.translation import gettext as _

from chat.console import selectors as chat_selectors
from chat.dialogs import access
from chat.errors import ChatError
from chat.messaging import posting
from chat.realtime.consumers.frames import after_id, id_field
from operators.models import Operator
from teamwork import events, mentions, selectors
from teamwork.models import Note


def _clean(text) -> str:
    try:
        return posting.clean_text(text)
    except ChatError as error:
        if error.code == "empty":
            raise ChatError("empty", _("The note is empty.")) from error
        raise


def add_note(
    *,
    operator: Operator,
    dialog_id: int,
    text,
    client_id: str = "",
    recipient: Operator | None = None,
) -> tuple[Note, bool]:
    """Store a note in a dialog the operator may see (open or ended); (note, created).
    A resend with the same client_id stores nothing new. recipient: a private note
    (a transfer's), read by him and its author only, and it mentions nobody."""
    text = _clean(text)
    if client_id:
        client_id = posting.clean_client_id(client_id)
    dialog = chat_selectors.dialog_for_operator(operator, dialog_id)  # NotFound, AccessDenied
    if client_id:
        known = Note.objects.filter(dialog=dialog, client_id=client_id).first()
        if known is not None:
            return known, False
    try:
        with transaction.atomic():
            note = Note.objects.create(
                dialog=dialog, author=operator, text=text, recipient=recipient, client_id=client_id
            )
            alerted = []
            if recipient is None:
                alerted = _mention(note, dialog, operator)
            # Its mentions once, for the fragment rendered in every language.
            prefetch_related_objects([note], selectors.MENTIONS)
            events.note_added_on_commit(note)
            if alerted:
                events.mentioned_on_commit(note, dialog, [op.id for op in alerted])
    except IntegrityError:  # the same client_id, stored by a concurrent resend
        return Note.objects.get(dialog=dialog, client_id=client_id), False
    return note, True


def _mention(note: Note, dialog, author: Operator) -> list[Operator]:
    """Store whom the note mentions; return those to alert: colleagues (not the author)
    who may read the dialog now, so the alert opens a page they may see."""
    if not mentions.tokens(note.text):
        return []
    named = mentions.mentioned(note.text, selectors.colleagues_of_site(dialog.site_id))
    if not named:
        return []
    note.mentions.set(named)
    connected = chat_selectors.active_operator_ids(dialog.id)
    return [
        op
        for op in named
        if op.id != author.id and access.can_view_dialog(op, dialog, {dialog.site_id}, connected)
    ]


# --- console frames (chat.realtime.extensions.register_operator_frame) ---------------------


def note_from_frame(frame, *, operator: Operator, site_ids) -> dict:
    """{"type": "note", "dialog": id, "client_id": "...", "text": "..."} -> "noted"."""
    client_id = posting.clean_client_id(frame.get("client_id"))
    note, _created = add_note(
        operator=operator,
        dialog_id=id_field(frame, "dialog"),
        text=frame.get("text"),
        client_id=client_id,
    )
    return {"type": "noted", "dialog": note.dialog_id, "note": note.id, "client_id": client_id}


def notes_from_frame(frame, *, operator: Operator, site_ids) -> dict:
    """{"type": "notes", "dialog": id, "after": note id} -> the notes written since, for a
    console that reconnects ("notes" answer with each note's HTML)."""
    dialog = chat_selectors.dialog_for_operator(operator, id_field(frame, "dialog"))
    found = selectors.notes_for(operator, dialog.id, after=after_id(frame))
    return {
        "type": "notes",
        "dialog": dialog.id,
        "notes": [{"id": note.id, "html": events.note_html(note)} for note in found],
    }
