"""Teamwork's live fragments (chat.realtime.events.fragment_event): operators' groups only.
Nothing here is ever sent to a visitor's group."""

from django.template.loader import render_to_string

from chat.messaging import payloads
from chat.realtime import events
from teamwork.selectors import NOTE_TEMPLATE


def note_html(note) -> str:
    return render_to_string(NOTE_TEMPLATE, {"item": note})


def note_added_on_commit(note) -> None:
    """A shared note: every console tab that has the dialog open. A private one (a
    transfer's): its recipient's and its author's consoles only."""
    event = events.fragment_event(
        "note",
        payloads.per_language(note_html, note),
        dialog=note.dialog_id,
        note=note.id,
        client_id=note.client_id,
    )
    if note.is_private:
        groups = {events.operator_group(note.recipient_id), events.operator_group(note.author_id)}
    else:
        groups = {events.dialog_group(note.dialog_id)}
    events.publish_on_commit(*((group, event) for group in sorted(groups)))


def _toast_html(template: str, **context) -> str:
    return render_to_string(template, context)


def mentioned_on_commit(note, dialog, operator_ids) -> None:
    """Each mentioned colleague's consoles: a toast with the note and its dialog."""
    html = payloads.per_language(
        _toast_html, "teamwork/_mention_toast.html", note=note, dialog=dialog
    )
    event = events.fragment_event("mention", html, dialog=dialog.id, note=note.id)
    events.publish_on_commit(*((events.operator_group(op_id), event) for op_id in operator_ids))


def transferred_on_commit(transfer, dialog) -> None:
    """The receiver's consoles: a toast (with the private note); the dialog reaches his
    Mine tab by chat's row event."""
    html = payloads.per_language(
        _toast_html, "teamwork/_transfer_toast.html", transfer=transfer, dialog=dialog
    )
    event = events.fragment_event("transfer", html, dialog=dialog.id, transfer=transfer.id)
    events.publish_on_commit((events.operator_group(transfer.receiver_id), event))
