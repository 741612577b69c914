"""A person's message: a visitor's or an operator's, checked, stored once, announced.

The rules are here; the statements are the message store's (chat/messaging/store.py):
each service locks through it once and writes through it once, in one transaction, and
announces the message on commit (chat/realtime/events.py, hooks.message_posted).
"""

from django.conf import settings
from django.db import transaction

from chat import hooks
from chat.console import selectors
from chat.dialogs import access, assignment, lifecycle, openings
from chat.errors import AccessDenied, ChatError
from chat.messaging import attachments, outbound_checks, ratelimit, store
from chat.models import Dialog, Message, Visitor
from chat.realtime import events
from operators.models import Operator

PREVIEW_LENGTH = 200

# --- input rules shared by every client -------------------------------------------------


def clean_text(text, *, allow_empty: bool = False) -> str:
    """allow_empty: the caption of an attachment may be left out."""
    if not isinstance(text, str):
        raise ChatError("invalid", "Message text must be a string.")
    # PostgreSQL text cannot hold NUL; nobody types it, so it is dropped on every database.
    text = text.replace("\x00", "").strip()
    if not text and not allow_empty:
        raise ChatError("empty", "Message text is empty.")
    if len(text) > settings.CHAT_MESSAGE_MAX_LENGTH:
        raise ChatError(
            "too_long",
            f"Message text is longer than {settings.CHAT_MESSAGE_MAX_LENGTH} characters.",
        )
    return text


def clean_client_id(client_id) -> str:
    if not isinstance(client_id, str) or not 1 <= len(client_id) <= 64 or "\x00" in client_id:
        raise ChatError("invalid", "client_id must be a string of 1 to 64 characters.")
    return client_id


def _apply_to_dialog(dialog: Dialog, message: Message) -> list[str]:
    """What a new message changes on its dialog (the last message, denormalised so lists
    need no per-row work; unread and waiting state); returns the fields to save. The
    caller holds the dialog's row lock."""
    dialog.last_message_at = message.created_at
    dialog.last_message_text = attachments.preview(message)[:PREVIEW_LENGTH]
    dialog.last_message_author = message.author_kind
    if message.author_kind == Message.Author.VISITOR:
        dialog.unread_count += 1
        dialog.waiting_since = dialog.waiting_since or message.created_at
        if dialog.status == Dialog.Status.MISSED:
            dialog.status = Dialog.Status.NEW  # he is back and waits again
    elif message.author_kind == Message.Author.OPERATOR:
        dialog.unread_count = 0
        dialog.waiting_since = None
    return [
        "last_message_at",
        "last_message_text",
        "last_message_author",
        "unread_count",
        "waiting_since",
        "status",
    ]


def post_visitor_message(
    *,
    visitor_id: int,
    visit_id: int | None,
    client_id,
    text,
    attachment=None,
    ip=None,
    opening=None,
):
    """Store a visitor's message (opening a dialog if he has none). Returns (message, created);
    a resend with a known client_id returns the stored message and changes nothing.
    attachment: a file checked by uploads.prepare; the text is then an optional caption.
    ip: the sender's address, for the rate limits (ratelimit.RateLimited, nothing stored).
    opening: what the widget showed him that he answers (the frame's "invitation"), which
    opens a new dialog before his message (chat/dialogs/openings.py)."""
    with transaction.atomic():
        client_id = clean_client_id(client_id)
        text = clean_text(text, allow_empty=attachment is not None)
        ratelimit.take_message_slot(visitor_id=visitor_id, ip=ip)
        dialog, resent = store.backend.lock_open_dialog(visitor_id, client_id)
        visitor = None
        if dialog is None:
            # Opening a dialog: the visitor's row lock serialises his sockets, so two of them
            # cannot both open one; then look again under it. of=self: not the site's row
            # too. The visitor and his site, read here, are the new dialog's (no re-read).
            visitor = (
                Visitor.objects.select_for_update(of=("self",))
                .select_related("site")
                .get(pk=visitor_id)
            )
            dialog, resent = store.backend.lock_open_dialog(visitor_id, client_id)
        if dialog is None:  # a resend after his dialog ended? A cheap check, then the read
            resent = store.backend.resent_by_visitor(visitor_id, client_id)
        if resent:
            existing = _stored_message(dialog__visitor_id=visitor_id, client_id=client_id)
            if existing:
                return existing, False
        opened = dialog is None
        if opened:
            dialog = lifecycle.open_dialog(
                visitor_id=visitor_id, visit_id=visit_id, ip=ip, visitor=visitor
            )
            openings.write_opening(dialog, opening)
        message = Message(
            dialog=dialog, author_kind=Message.Author.VISITOR, client_id=client_id, text=text
        )
        attachments.attach(message, attachment)
        operator_ids = store.backend.write_visitor_message(
            message, dialog, _apply_to_dialog(dialog, message), visit_id=visit_id
        )
        if operator_ids is None:  # the same client_id was stored meanwhile: a resend
            attachments.discard_attached(message)
            return _resent_to(dialog, None, client_id), False
        attachments.save_attached(message)
        if opened:  # another app may give it to one operator (chat/dialogs/assignment.py)
            operator_ids = assignment.route_opened_dialog(dialog, operator_ids)
        _announce_new_message(message, dialog, operator_ids)
        return message, True


def _stored_message(*, dialog=None, operator_ids=None, **lookup) -> Message | None:
    """The message a resend names, announced again: the first announcement is lost when
    the server died between commit and publish, or the commit's answer never came back
    from the database (the client got an error, not the ack). Every receiver
    de-duplicates by id (docs/protocol.md, Delivery). dialog, operator_ids: the locked
    dialog and who is connected to it, when the caller has them."""
    found = Message.objects.filter(**lookup)
    message = (
        found.first() if dialog else found.select_related("dialog__site", "dialog__visitor").first()
    )
    if message is not None:
        dialog = dialog or message.dialog
        if operator_ids is None:
            operator_ids = list(store.connected_operator_ids(dialog.id))
        events.message_posted_on_commit(message, dialog, operator_ids)
    return message


def _resent_to(dialog: Dialog, operator_ids, client_id: str) -> Message:
    return _stored_message(
        dialog=dialog, operator_ids=operator_ids, dialog_id=dialog.id, client_id=client_id
    )


def _announce_new_message(message: Message, dialog: Dialog, operator_ids) -> None:
    events.message_posted_on_commit(message, dialog, operator_ids)
    hooks.message_posted.send_on_commit(message=message, dialog=dialog)


def post_operator_message(
    *, operator: Operator, dialog_id: int, client_id, text, attachment=None, site_ids=None
):
    """An operator's answer; only an operator connected to the open dialog may write.
    attachment: as in post_visitor_message. site_ids: the operator's sites, when the caller
    already holds them (a console socket does), saving a query per message."""
    with transaction.atomic():
        client_id = clean_client_id(client_id)
        text = clean_text(text, allow_empty=attachment is not None)
        dialog = lifecycle.lock_dialog(dialog_id)
        operator_ids, resent = store.backend.connected_and_resent(dialog.id, client_id)
        if site_ids is None:
            site_ids = selectors.site_ids_of(operator)
        if not access.can_view_dialog(operator, dialog, site_ids, operator_ids):
            raise AccessDenied()
        if resent:
            return _resent_to(dialog, operator_ids, client_id), False
        if not dialog.is_open:
            raise ChatError("dialog_closed", "The dialog has ended.")
        if operator.id not in operator_ids:
            raise ChatError("not_connected", "Connect to the dialog before writing.")
        if attachment is not None:  # another app's channel may not carry it
            outbound_checks.check_attachment(dialog, upload=attachment, text=text)
        message = Message(
            dialog=dialog,
            author_kind=Message.Author.OPERATOR,
            operator=operator,
            client_id=client_id,
            text=text,
        )
        attachments.attach(message, attachment)
        fields = _apply_to_dialog(dialog, message)
        if not store.backend.write_operator_message(message, dialog, fields):  # stored meanwhile
            attachments.discard_attached(message)
            return _resent_to(dialog, operator_ids, client_id), False
        attachments.save_attached(message)
        _announce_new_message(message, dialog, operator_ids)
        return message, True
