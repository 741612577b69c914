"""A file someone uploads: read within the size limit, its type decided from its content,
images checked with Pillow and thumbnailed, its name made safe; and the limits the upload
buttons show. Sizes read in the page's language (human_size).

An upload is checked and thumbnailed by `prepare` before the service's transaction starts
(no lock is held while Pillow works); chat/messaging/attachments.py stores it.
"""

import io
import mimetypes
import os
import re
import warnings
from dataclasses import dataclass, field

import filetype
from django.conf import settings
from django.core.exceptions import SuspiciousFileOperation
from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.utils import formats
from django.utils.text import get_valid_filename
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from chat.errors import ChatError

THUMBNAIL_SIZE = 320
NAME_STEM_MAX = 100
SNIFF_BYTES = 8192
# A multipart body carries the form fields and the part headers besides the file.
FORM_OVERHEAD_BYTES = 64 * 1024

# What Pillow may open, and the type it proves. Other image formats are not opened at all:
# some of Pillow's plugins accept almost any bytes (TGA, for one).
IMAGE_FORMATS = {
    "JPEG": "image/jpeg",
    "PNG": "image/png",
    "GIF": "image/gif",
    "WEBP": "image/webp",
}
# Served inline (shown in a browser tab); everything else is a download.
INLINE_TYPES = frozenset(IMAGE_FORMATS.values())
# The extensions a download of each type may keep; another one gets the first appended, so
# that a text file named "page.html" is saved as "page.html.txt" and never opens as HTML.
EXTENSIONS = {
    "image/jpeg": (".jpg", ".jpeg", ".jpe", ".jfif"),
    "image/png": (".png",),
    "image/gif": (".gif",),
    "image/webp": (".webp",),
    "application/pdf": (".pdf",),
    "text/plain": (".txt", ".text", ".log", ".csv", ".tsv", ".md", ".json", ".ini", ".yaml"),
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": (".docx",),
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": (".xlsx",),
    "application/zip": (".zip",),
}

# Markup a browser would take for HTML or XML (the WHATWG sniffing patterns, leading
# whitespace allowed), and script or SVG anywhere near the start.
_MARKUP_START = re.compile(
    rb"^\s*<(?:!doctype\s+html|html|head|script|iframe|h1|div|font|table|a|style|title|b|"
    rb"body|br|p|!--|\?xml|svg)[\s>/]",
    re.IGNORECASE,
)
_MARKUP_ANYWHERE = re.compile(rb"<(?:!doctype\s+html|html|script|svg|iframe)[\s>/]", re.IGNORECASE)
# Bytes that never occur in text (WHATWG "binary data byte").
_BINARY_BYTES = re.compile(rb"[\x00-\x08\x0b\x0e-\x1a\x1c-\x1f]")
_BOMS = (b"\xef\xbb\xbf",)
# Device names Windows will not save a file under, whatever the extension.
WINDOWS_RESERVED = frozenset(
    ["CON", "PRN", "AUX", "NUL"]
    + [f"{device}{n}" for device in ("COM", "LPT") for n in "123456789¹²³"]
)


class UploadRefused(ChatError):
    """A refused file; `status` is the HTTP status the upload endpoints answer with."""

    def __init__(self, code: str, detail: str, status: int = 400):
        super().__init__(code, detail)
        self.status = status


def human_size(size: int) -> str:
    """A size in the active language: "512 B", "24 KB", "1.2 MB" / "24 КБ", "1,2 МБ".
    The widget and the console's uploads (static/chat/human-size.js)
    round the same way, with the words of templates/chat/_size_words.html."""
    if size < 1024:
        return _("%(size)s B") % {"size": size}
    if size < 1024 * 1024:
        return _("%(size)s KB") % {"size": max(1, int(size / 1024 + 0.5))}
    tenths = int(size / (1024 * 1024) * 10 + 0.5)
    megabytes = tenths // 10 if tenths % 10 == 0 else formats.number_format(tenths / 10, 1)
    return _("%(size)s MB") % {"size": megabytes}


def too_large() -> UploadRefused:
    limit = human_size(settings.CHAT_ATTACHMENT_MAX_BYTES)
    return UploadRefused(
        "too_large", _("The file is larger than %(limit)s.") % {"limit": limit}, status=413
    )


# --- reading the request ------------------------------------------------------------------


class SizeGuard(FileUploadHandler):
    """First of the request's upload handlers: counts the file bytes as they are parsed
    and stops the upload as soon as they pass the limit, before the rest is kept anywhere."""

    def __init__(self, request=None, *, limit: int):
        super().__init__(request)
        self.limit = limit
        self.received = 0
        self.exceeded = False

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > self.limit:
            self.exceeded = True
            # connection_reset=False: the rest of the body is read and dropped, so the
            # client gets our 413 answer instead of a reset connection.
            raise StopUpload(connection_reset=False)
        return raw_data

    def file_complete(self, file_size):
        return None  # the next handlers build the file


def guard_upload(request) -> SizeGuard:
    """Install the size guard; call before anything reads request.POST or request.FILES
    (the CSRF check does, so upload views are csrf_exempt and check CSRF themselves)."""
    limit = settings.CHAT_ATTACHMENT_MAX_BYTES
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length > limit + FORM_OVERHEAD_BYTES:
        raise too_large()
    guard = SizeGuard(request, limit=limit)
    request.upload_handlers.insert(0, guard)
    return guard


def uploaded_file(request, guard: SizeGuard) -> UploadedFile:
    """The request's "file" part, parsed under the guard."""
    upload = request.FILES.get("file")
    if guard.exceeded:
        raise too_large()
    if upload is None:
        raise UploadRefused("no_file", _("Choose a file to send."))
    return upload


# --- checking the content -----------------------------------------------------------------


@dataclass
class Upload:
    """A checked file, ready to store."""

    file: UploadedFile
    name: str
    size: int
    content_type: str
    width: int | None = None
    height: int | None = None
    thumbnail: bytes | None = None
    stored: list[str] = field(default_factory=list)  # storage names written, for cleanup


def prepare(upload: UploadedFile) -> Upload:
    """Check a received file: size, type from its content (not its name or the browser's
    word), images verified and thumbnailed. Raises UploadRefused."""
    size = upload.size or 0
    if size > settings.CHAT_ATTACHMENT_MAX_BYTES:
        raise too_large()
    if size == 0:
        raise UploadRefused("empty_file", _("The file is empty."))
    upload.seek(0)
    head = upload.read(SNIFF_BYTES)
    upload.seek(0)
    image = _inspect_image(upload)
    content_type = image["content_type"] if image else sniff(head)
    if content_type not in settings.CHAT_ATTACHMENT_TYPES:
        raise UploadRefused(
            "type_not_allowed",
            _("Files of this type cannot be sent (%(type)s).") % {"type": content_type},
        )
    upload.seek(0)
    checked = Upload(
        file=upload,
        name=clean_name(upload.name, content_type),
        size=size,
        content_type=content_type,
    )
    if image:
        checked.width, checked.height, checked.thumbnail = (
            image["width"],
            image["height"],
            image["thumbnail"],
        )
    return checked


def sniff(head: bytes) -> str:
    """The type of a file that is not an image Pillow opens, from its first bytes."""
    kind = filetype.guess(head)
    if kind is not None:
        if kind.mime in INLINE_TYPES:
            # Looks like an image Pillow knows, yet Pillow could not read it.
            raise UploadRefused("bad_image", _("The image is damaged or not an image."))
        return kind.mime
    text = head
    for bom in _BOMS:
        text = text.removeprefix(bom)
    if _MARKUP_START.search(text) or _MARKUP_ANYWHERE.search(text[:1024]):
        return "image/svg+xml" if re.search(rb"<svg[\s>]", text, re.IGNORECASE) else "text/html"
    if _BINARY_BYTES.search(text):
        return "application/octet-stream"
    return "text/plain"


def _inspect_image(upload) -> dict | None:
    """Type, size and thumbnail of a JPEG/PNG/GIF/WebP; None if it is not one of them."""
    max_pixels = settings.CHAT_ATTACHMENT_MAX_PIXELS
    try:
        with warnings.catch_warnings():
            # Pillow only warns between MAX_IMAGE_PIXELS and twice that: refuse there too.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(upload, formats=list(IMAGE_FORMATS)) as probe:
                image_format = probe.format
                width, height = probe.size
                if width * height > max_pixels:
                    raise _bomb()
                probe.verify()  # structure and checksums, without decoding the pixels
            # verify() leaves the image unusable: open it again to decode it.
            upload.seek(0)
            with Image.open(upload, formats=[image_format]) as image:
                orientation = image.getexif().get(0x0112)
                thumbnail = _thumbnail(image)
    except UnidentifiedImageError:
        return None
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise _bomb() from None
    except (OSError, SyntaxError, ValueError, EOFError, IndexError, TypeError) as error:
        raise UploadRefused("bad_image", _("The image is damaged or not an image.")) from error
    if orientation in (5, 6, 7, 8):  # the photo is shown turned by 90 degrees
        width, height = height, width
    return {
        "content_type": IMAGE_FORMATS[image_format],
        "width": width,
        "height": height,
        "thumbnail": thumbnail,
    }


def _bomb() -> UploadRefused:
    return UploadRefused(
        "image_too_large",
        _("The image has too many pixels (at most %(count)s million).")
        % {"count": round(settings.CHAT_ATTACHMENT_MAX_PIXELS / 1_000_000)},
    )


def _thumbnail(image: Image.Image) -> bytes:
    """At most THUMBNAIL_SIZE px each way: PNG when it has transparency, JPEG otherwise."""
    if image.format == "JPEG":
        image.draft("RGB", (THUMBNAIL_SIZE * 2, THUMBNAIL_SIZE * 2))  # decode at a fraction
    image = ImageOps.exif_transpose(image)
    has_alpha = image.mode in ("RGBA", "LA", "PA") or (
        image.mode == "P" and "transparency" in image.info
    )
    image = image.convert("RGBA" if has_alpha else "RGB")
    image.thumbnail((THUMBNAIL_SIZE, THUMBNAIL_SIZE), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    if has_alpha:
        image.save(out, "PNG", optimize=True)
    else:
        image.save(out, "JPEG", quality=82, optimize=True, progressive=True)
    return out.getvalue()


def clean_name(raw, content_type: str) -> str:
    """The name shown and offered on download: no path, safe characters, a length cap, and
    an extension that matches the content."""
    base = os.path.basename(str(raw or "").replace("\\", "/")).replace("\x00", "").strip()
    try:
        name = get_valid_filename(base)
    except SuspiciousFileOperation:
        name = ""
    stem, ext = os.path.splitext(name)
    allowed = EXTENSIONS.get(content_type) or tuple(mimetypes.guess_all_extensions(content_type))
    if allowed and ext.lower() not in allowed:
        stem, ext = name, allowed[0]
    stem = stem[:NAME_STEM_MAX].strip(".") or "file"
    if stem.split(".", 1)[0].upper() in WINDOWS_RESERVED:
        stem = "_" + stem  # "CON.txt" would open the console device on Windows
    return stem + ext


def client_limits() -> dict:
    """What the upload buttons need to know: the size limit and the accept list."""
    types = list(settings.CHAT_ATTACHMENT_TYPES)
    extensions = [ext for t in types for ext in EXTENSIONS.get(t, ())]
    return {
        "max_bytes": settings.CHAT_ATTACHMENT_MAX_BYTES,
        "max_size": human_size(settings.CHAT_ATTACHMENT_MAX_BYTES),
        "accept": ",".join(types + extensions),
    }
