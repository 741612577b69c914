"""An update from a messenger: stored first (before the messenger hears our 200), then
turned into the visitor's message by a task. A redelivered update is stored once; one
whose processing failed stays unprocessed and is taken again (docs/channels.md)."""

import logging

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from chat.errors import ChatError
from chat.messaging import attachments, posting, uploads
from messengers import contacts, linking, updates
from messengers.clients import telegram
from messengers.clients.errors import PeerError
from messengers.models import Bot, InboundUpdate, Kind

logger = logging.getLogger(__name__)


def store(bot: Bot, event_id: str, payload: dict) -> InboundUpdate | None:
    """The stored update, or None when it was stored before (a redelivery)."""
    try:
        with transaction.atomic():
            return InboundUpdate.objects.create(bot=bot, event_id=event_id[:100], payload=payload)
    except IntegrityError:
        return None


def _file(bot: Bot, incoming: updates.Incoming):
    """(checked upload or None, a note for the operator when the file was refused)."""
    try:
        path, content = telegram.download(bot.token, incoming.file_id, base=bot.api_base)
        name = incoming.file_name if incoming.file_name != "photo.jpg" else path.rsplit("/")[-1]
        return uploads.prepare(SimpleUploadedFile(name or "file", content)), ""
    except uploads.UploadRefused as refused:
        return None, refused.detail
    except PeerError as error:
        if error.description == "too_large":
            return None, uploads.too_large().detail
        raise


def _text(incoming: updates.Incoming, note: str) -> str:
    text = incoming.text
    if note:
        text = f"{text}\n" if text else ""
        text += _("[The visitor sent a file that was not accepted: %(reason)s]") % {"reason": note}
    elif incoming.unsupported and not incoming.file_id:
        text = text or _("[The visitor sent something this channel cannot show]")
    return text


def process(update_id: int) -> None:
    """Post the update's message as the visitor's; marks the update processed. Raises on
    a temporary failure (the task retries)."""
    update = InboundUpdate.objects.select_related("bot").get(pk=update_id)
    if update.processed_at is not None:
        return
    bot = update.bot
    parse = updates.telegram if bot.kind == Kind.TELEGRAM else updates.vk
    incoming = parse(update.payload)
    if incoming is not None and not (
        incoming.start_payload and linking.start_payload(bot, incoming)
    ):
        _post(bot, update, incoming)
    InboundUpdate.objects.filter(pk=update.pk).update(processed_at=timezone.now(), error="")


def _post(bot: Bot, update: InboundUpdate, incoming: updates.Incoming) -> None:
    if not (incoming.text or incoming.file_id or incoming.unsupported):
        return  # a bare /start: nothing to show
    visitor_id = contacts.visitor_for(
        bot, user_id=incoming.user_id, handle=incoming.handle, name=incoming.name
    )
    upload, note = _file(bot, incoming) if incoming.file_id else (None, "")
    client_id = f"{bot.kind}-{bot.pk}-{update.event_id}"[:64]
    try:
        if upload is not None:
            with attachments.discarded_on_failure(upload):
                posting.post_visitor_message(
                    visitor_id=visitor_id, visit_id=None, client_id=client_id,
                    text=incoming.text, attachment=upload,
                )  # fmt: skip
        else:
            posting.post_visitor_message(
                visitor_id=visitor_id, visit_id=None, client_id=client_id,
                text=_text(incoming, note) or "…",
            )  # fmt: skip
    except ChatError as error:
        if error.code == "rate_limited":
            raise
        logger.warning("messenger update %s refused: %s", update.pk, error.detail)
        InboundUpdate.objects.filter(pk=update.pk).update(error=error.detail[:500])


def unprocessed(limit: int = 100) -> list[int]:
    """Updates stored but not turned into messages (their task was lost or failed)."""
    older = timezone.now() - timezone.timedelta(seconds=30)
    rows = InboundUpdate.objects.filter(processed_at__isnull=True, received_at__lt=older)
    return list(rows.order_by("received_at").values_list("pk", flat=True)[:limit])
