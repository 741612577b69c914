"""An over-limit upload is refused without being kept: the size guard (chat/messaging/uploads.py)
stops the file bytes at the limit, so no upload handler holds the rest in memory or on
disk, whatever the file's size within the body length the precheck lets through."""

import pytest
from django.core.files.uploadhandler import FileUploadHandler
from django.test import Client
from django.urls import reverse

from chat.messaging import uploads
from chat.models import Message
from chat.visitors import sessions

LIMIT = 256 * 1024
BOUNDARY = "UpLoAdBoUnDaRy"

kept: list[int] = []  # file bytes each upload handler after the guard was handed


class Kept(FileUploadHandler):
    """First of the settings' handlers, so right after the guard: counts the file bytes
    that reach the handlers that keep them (memory or a temporary file), passes them on."""

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        kept.append(0)

    def receive_data_chunk(self, raw_data, start):
        kept[-1] += len(raw_data)
        return raw_data

    def file_complete(self, file_size):
        return None


class LazyMultipart:
    """A multipart body with a file of `size` bytes, made while it is read (the test holds
    no copy of it), counting what the server read."""

    def __init__(self, size: int, fields: dict[str, str]):
        head = "".join(
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'
            for name, value in fields.items()
        )
        head += (
            f"--{BOUNDARY}\r\nContent-Disposition: form-data; "
            'name="file"; filename="scan.pdf"\r\nContent-Type: application/pdf\r\n\r\n'
        )
        self.head = head.encode() + b"%PDF-1.4\n"
        self.tail = f"\r\n--{BOUNDARY}--\r\n".encode()
        self.file_size = size
        self.length = len(self.head) - len(b"%PDF-1.4\n") + size + len(self.tail)
        self.position = 0

    def _byte_range(self, start: int, end: int) -> bytes:
        body_start = len(self.head)
        file_end = len(self.head) - len(b"%PDF-1.4\n") + self.file_size
        out = b""
        if start < body_start:
            out += self.head[start : min(end, body_start)]
        if end > body_start and start < file_end:
            out += b"0" * (min(end, file_end) - max(start, body_start))
        if end > file_end:
            out += self.tail[max(start, file_end) - file_end : end - file_end]
        return out

    def read(self, size: int = -1) -> bytes:
        end = self.length if size is None or size < 0 else min(self.length, self.position + size)
        data = self._byte_range(self.position, end)
        self.position = end
        return data

    def readline(self, size: int = -1) -> bytes:  # LimitedStream's API; unused by uploads
        return self.read(size)


@pytest.mark.django_db
def test_an_over_limit_file_is_refused_and_never_kept_past_the_limit(site, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.CHAT_ATTACHMENT_MAX_BYTES = LIMIT
    settings.FILE_UPLOAD_HANDLERS = [f"{__name__}.Kept", *settings.FILE_UPLOAD_HANDLERS]
    kept.clear()
    session = sessions.start_visitor_session(
        site=site, token=None, ip="203.0.113.7", user_agent="Firefox"
    )
    # Over the limit by almost everything the precheck of the body's length allows.
    size = LIMIT + uploads.FORM_OVERHEAD_BYTES - 4096
    body = LazyMultipart(size, {"client_id": "v-big", "text": "my scan"})
    assert body.length <= LIMIT + uploads.FORM_OVERHEAD_BYTES  # past the precheck

    response = Client().generic(
        "POST",
        reverse("widget_attachments", args=[site.widget_key]),
        headers={"X-Visitor-Token": session.visitor.token},
        CONTENT_TYPE=f"multipart/form-data; boundary={BOUNDARY}",
        CONTENT_LENGTH=str(body.length),
        **{"wsgi.input": body},
    )

    assert response.status_code == 413
    assert response.json()["code"] == "too_large"
    assert body.position == body.length  # read to the end and dropped: an answer, no reset
    # One file part, of which the handlers that keep bytes got at most the limit's worth
    # (the chunks read before it was passed), not the file's size.
    assert len(kept) == 1 and kept[0] <= LIMIT < size
    assert not Message.objects.exists()
    assert not (tmp_path / "media").exists()
