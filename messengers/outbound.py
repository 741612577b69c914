"""An operator's message to a messenger's visitor: refused before it is stored when the
channel cannot carry its file; otherwise sent at least once from a task, its state
(sending, retrying, sent, not delivered with the reason) kept and shown (docs/channels.md)."""

import random
from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from chat.console import selectors as chat_selectors
from chat.errors import AccessDenied, NotFound
from chat.messaging import uploads
from chat.models import Attachment, Message
from chat.outbound import retry as retry_policy
from messengers import events
from messengers.clients import telegram, vk
from messengers.clients.errors import PeerError
from messengers.models import Contact, Delivery, Kind

TELEGRAM_CAPTION_MAX = 1024
# sendPhoto takes photos up to 10 MB; bigger ones and other types go as documents.
TELEGRAM_PHOTO_MAX_BYTES = 10 * 1024 * 1024
TELEGRAM_PHOTO_TYPES = {"image/jpeg", "image/png", "image/webp"}


def contact_of(dialog) -> Contact | None:
    return Contact.objects.select_related("bot").filter(visitor_id=dialog.visitor_id).first()


def check_attachment(dialog, *, upload, text: str) -> None:
    """chat.messaging.outbound_checks: what the dialog's messenger cannot carry."""
    contact = contact_of(dialog)
    if contact is None:
        return
    if contact.bot.kind == Kind.VK:
        raise uploads.UploadRefused(
            "channel_refused", _("Files cannot be sent to VK yet: send a text message.")
        )
    if upload.size > settings.MESSENGERS_TELEGRAM_MAX_FILE_BYTES:
        limit = uploads.human_size(settings.MESSENGERS_TELEGRAM_MAX_FILE_BYTES)
        raise uploads.UploadRefused(
            "channel_refused",
            _("Telegram does not take files larger than %(limit)s.") % {"limit": limit},
            status=413,
        )
    if len(text) > TELEGRAM_CAPTION_MAX:
        raise uploads.UploadRefused(
            "channel_refused",
            _("A file's caption in Telegram holds at most %(count)s characters.")
            % {"count": TELEGRAM_CAPTION_MAX},
        )


def wants_message(*, message, dialog) -> bool:
    """Only an operator's message may go out to a messenger (no callback for the rest)."""
    return message.author_kind == Message.Author.OPERATOR


def message_posted(*, message, dialog) -> None:
    """chat.hooks.message_posted: an operator's message to a messenger's visitor is queued."""
    if message.author_kind != Message.Author.OPERATOR:
        return
    contact = Contact.objects.filter(visitor_id=dialog.visitor_id).first()
    if contact is None:
        return
    delivery, created = Delivery.objects.get_or_create(message=message, contact=contact)
    if created:
        _queue(delivery)


def _queue(delivery: Delivery) -> None:
    from messengers import tasks

    events.delivery_changed(delivery)
    tasks.deliver.delay(delivery.pk)


def retry(*, operator, delivery_id: int) -> Delivery:
    """The transcript's Retry: a delivery that failed (or waits) is sent again now."""
    delivery = Delivery.objects.select_related("message__dialog").filter(pk=delivery_id).first()
    if delivery is None:
        raise NotFound()
    chat_selectors.dialog_for_operator(operator, delivery.message.dialog_id)  # or 404
    if delivery.status == Delivery.Status.SENT:
        raise AccessDenied()
    Delivery.objects.filter(pk=delivery.pk).update(
        status=Delivery.Status.RETRYING, next_attempt_at=None, updated_at=timezone.now()
    )
    delivery.refresh_from_db()
    _queue(delivery)
    return delivery


def retry_delay(attempt: int, asked: float | None) -> float:
    """Backoff with jitter; never sooner than the messenger asked (retry_after)."""
    base = settings.MESSENGERS_RETRY_BASE_SECONDS * 2 ** (attempt - 1)
    delay = min(settings.MESSENGERS_RETRY_CAP_SECONDS, base) * (0.5 + random.random() / 2)
    return max(delay, asked or 0.0)


def _send(delivery: Delivery) -> str:
    """The messenger's id of the sent message; PeerError when it was not sent."""
    bot, message = delivery.contact.bot, delivery.message
    if bot.kind == Kind.VK:
        return str(vk.send_message(bot.token, delivery.contact.user_id, message.text,
                                   random_id=delivery.pk, base=bot.api_base))  # fmt: skip
    attachment = Attachment.objects.filter(message_id=message.pk).first()
    if attachment is None:
        result = telegram.send_message(
            bot.token, delivery.contact.user_id, message.text, base=bot.api_base
        )
    else:
        with attachment.file.open("rb") as file:
            content = file.read()
        photo = (
            attachment.content_type in TELEGRAM_PHOTO_TYPES
            and attachment.size <= TELEGRAM_PHOTO_MAX_BYTES
        )
        result = telegram.send_file(
            bot.token, delivery.contact.user_id, photo=photo, name=attachment.name,
            content=content, caption=message.text, base=bot.api_base,
        )  # fmt: skip
    return str((result or {}).get("message_id", ""))


def attempt(delivery_id: int) -> float | None:
    """One attempt; the seconds to wait before the next one, or None when done (sent, or
    failed for good). Two attempts never run at once: each claims the next attempt number."""
    delivery = (
        Delivery.objects.select_related("contact__bot", "message").filter(pk=delivery_id).first()
    )
    if delivery is None or delivery.status in (Delivery.Status.SENT, Delivery.Status.FAILED):
        return None
    number = delivery.attempts + 1
    claimed = Delivery.objects.filter(pk=delivery.pk, attempts=delivery.attempts).update(
        attempts=number
    )
    if not claimed:
        return None
    delay, fields = None, {"updated_at": timezone.now()}
    try:
        fields.update(external_id=_send(delivery), status=Delivery.Status.SENT, reason="")
    except PeerError as error:
        fields["reason"] = str(error)[:500]
        if error.temporary and number < settings.MESSENGERS_RETRY_MAX:
            delay = retry_delay(number, error.retry_after)
            fields["status"] = Delivery.Status.RETRYING
            fields["next_attempt_at"] = timezone.now() + timedelta(seconds=delay)
        else:
            fields["status"] = Delivery.Status.FAILED
            fields["next_attempt_at"] = None
    Delivery.objects.filter(pk=delivery.pk).update(**fields)
    for name, value in fields.items():
        setattr(delivery, name, value)
    delivery.attempts = number
    events.delivery_changed(delivery)
    return delay


def overdue(limit: int = 100) -> list[int]:
    """Deliveries whose task was lost: due more than a minute ago, or pending that long."""
    waiting = [Delivery.Status.PENDING, Delivery.Status.RETRYING]
    return retry_policy.lost_task_ids(Delivery.objects.all(), waiting_statuses=waiting, limit=limit)
