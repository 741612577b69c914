"""Files sent with messages, once checked (chat/messaging/uploads.py): stored through
Django's storage API inside the message's transaction, and the URLs each audience
downloads them from.

The service hangs an upload on its new message with `attach` (after the client_id check,
so a retry stores no second file) and saves its row with `save_attached` once the message
is written.

Downloads: the visitor's URL is signed (it names the attachment and its dialog, and expires),
because an <img> in the widget cannot carry the visitor token; the console's URL is plain
and every request is checked against the operator's session and access to the dialog.
"""

from contextlib import contextmanager

from django.conf import settings
from django.core import signing
from django.core.files.base import ContentFile
from django.urls import reverse

from chat.messaging.uploads import Upload
from chat.models import Attachment, Message

SIGNING_SALT = "chat.attachments.visitor"


# --- storing ------------------------------------------------------------------------------


def _storage():
    return Attachment._meta.get_field("file").storage


def attach(message: Message, upload: Upload | None) -> Attachment | None:
    """Put the upload's files in storage and hang the (unsaved) attachment on the new,
    unsaved message, so its preview and payloads see it without asking the database;
    save_attached stores its row once the message has its id. With no upload it records
    that there is none."""
    if upload is None:
        Message.attachment.related.set_cached_value(message, None)
        return None
    attachment = Attachment(
        message=message,
        name=upload.name,
        size=upload.size,
        content_type=upload.content_type,
        width=upload.width,
        height=upload.height,
    )
    upload.file.seek(0)
    attachment.file.save(upload.name, upload.file, save=False)
    upload.stored.append(attachment.file.name)
    if upload.thumbnail:
        attachment.thumbnail.save("thumbnail", ContentFile(upload.thumbnail), save=False)
        upload.stored.append(attachment.thumbnail.name)
    Message.attachment.related.set_cached_value(message, attachment)
    return attachment


def save_attached(message: Message) -> None:
    """The attachment row of a message just written (inside the service's transaction)."""
    attachment = attachment_of(message)
    if attachment is not None and attachment.pk is None:
        attachment.message = message
        attachment.save()


def discard_attached(message: Message) -> None:
    """The files of a message that was not written after all (a resend that raced it)."""
    attachment = attachment_of(message)
    if attachment is not None and attachment.pk is None:
        for file in (attachment.file, attachment.thumbnail):
            if file:
                file.storage.delete(file.name)


@contextmanager
def discarded_on_failure(upload: Upload):
    """Remove the files stored for an upload whose transaction did not commit."""
    try:
        yield
    except BaseException:
        storage = _storage()
        for name in upload.stored:
            storage.delete(name)
        raise


def attachment_of(message: Message) -> Attachment | None:
    """The message's attachment, from the cache that selectors and services fill."""
    if message.author_kind == Message.Author.SYSTEM:
        return None
    try:
        return message.attachment
    except Attachment.DoesNotExist:
        return None


def preview(message: Message) -> str:
    """What the dialog row shows for a message: its text, or the file's name."""
    if message.text:
        return message.text
    attachment = attachment_of(message)
    return f"📎 {attachment.name}" if attachment else ""


# --- URLs and payloads --------------------------------------------------------------------


def visitor_token(attachment: Attachment) -> str:
    return signing.dumps({"a": attachment.id, "d": attachment.message.dialog_id}, salt=SIGNING_SALT)


def read_visitor_token(token: str) -> tuple[int, int] | None:
    """(attachment id, dialog id) of a valid, unexpired visitor URL; None otherwise."""
    try:
        data = signing.loads(token, salt=SIGNING_SALT, max_age=settings.CHAT_ATTACHMENT_URL_MAX_AGE)
        return int(data["a"]), int(data["d"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return None


def urls(attachment: Attachment, audience: str) -> tuple[str, str | None]:
    """(file URL, thumbnail URL) for the visitor (signed) or the console (session-checked)."""
    if audience == "console":
        url = reverse("console:attachment", args=[attachment.id])
        thumb = reverse("console:attachment_thumbnail", args=[attachment.id])
    else:
        token = visitor_token(attachment)
        url = reverse("attachment", args=[token])
        thumb = reverse("attachment_thumbnail", args=[token])
    return url, (thumb if attachment.is_image else None)


def attachment_data(message: Message, audience: str = "visitor") -> dict | None:
    """The "attachment" field of a message frame (docs/protocol.md)."""
    attachment = attachment_of(message)
    if attachment is None:
        return None
    url, thumbnail_url = urls(attachment, audience)
    return {
        "name": attachment.name,
        "size": attachment.size,
        "content_type": attachment.content_type,
        "is_image": attachment.is_image,
        "width": attachment.width,
        "height": attachment.height,
        "url": url,
        "thumbnail_url": thumbnail_url,
    }
