"""Attachments: uploads both ways, content checks, thumbnails, downloads and who may get them."""

import asyncio
import io
import struct
import time
import zlib
from unittest import mock

import pytest
from channels.db import database_sync_to_async
from django.core import signing
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import AsyncClient, Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from PIL import Image

from chat.console import selectors
from chat.dialogs import lifecycle
from chat.errors import ChatError
from chat.messaging import attachments, payloads, posting, uploads
from chat.models import Attachment, BlockedIP, Dialog, Message
from chat.visitors import sessions

PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"


# --- fixtures and helpers ------------------------------------------------------------------


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def stored_files(media):
    return sorted(p for p in media.rglob("*") if p.is_file()) if media.exists() else []


@pytest.fixture
def bob(make_operator, site):
    """A colleague on the same site without the right to read colleagues' dialogs."""
    return make_operator(username="bob", display_name="Bob", sites=[site])


@pytest.fixture
def dave(make_operator, make_site):
    """An operator of another account."""
    return make_operator(username="dave", sites=[make_site()])


def image_bytes(fmt="PNG", size=(40, 30), mode="RGB", color=(200, 30, 30), **save):
    out = io.BytesIO()
    Image.new(mode, size, color).save(out, fmt, **save)
    return out.getvalue()


def bomb_png(width=50_000, height=50_000) -> bytes:
    """A small, well-formed PNG that claims billions of pixels."""

    def chunk(kind, data):
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    pixels = zlib.compress(b"\x00" * 1024)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


def a_file(name, content, content_type="application/octet-stream"):
    # The browser's word on the type is ignored; tests send misleading ones on purpose.
    return SimpleUploadedFile(name, content, content_type=content_type)


def new_visitor(site, ip="203.0.113.7"):
    return sessions.start_visitor_session(site=site, token=None, ip=ip, user_agent="Firefox")


def widget_upload(client, session, file, *, client_id="v-file-1", text="", token=None, **extra):
    return client.post(
        reverse("widget_attachments", args=[session.visitor.site.widget_key]),
        {"client_id": client_id, "text": text, "file": file},
        headers={"X-Visitor-Token": session.visitor.token if token is None else token},
        **extra,
    )


def console_upload(client, dialog_id, file, *, client_id="o-file-1", text=""):
    return client.post(
        reverse("console:attachment_upload", args=[dialog_id]),
        {"client_id": client_id, "text": text, "file": file},
    )


def logged_in(operator, **options):
    client = Client(**options)
    client.force_login(operator.user)
    return client


def body_of(response) -> bytes:
    return b"".join(response.streaming_content)


def open_dialog(site, operator=None):
    """A visitor who wrote once; the operator, if given, connected."""
    session = new_visitor(site)
    message, _ = posting.post_visitor_message(
        visitor_id=session.visitor.id, visit_id=session.visit.id, client_id="hi", text="Hello"
    )
    if operator:
        lifecycle.connect_operator(operator=operator, dialog_id=message.dialog_id)
    return session, message.dialog


def visitor_sends(site, content=PDF, name="report.pdf", **kwargs):
    session = new_visitor(site)
    response = widget_upload(Client(), session, a_file(name, content), **kwargs)
    assert response.status_code == 200, response.content
    return session, Attachment.objects.select_related("message__dialog").get(
        message_id=response.json()["ack"]["id"]
    )


# --- both ways, live ------------------------------------------------------------------------


async def until(communicator, kind, timeout=3):
    """The next frame of this type (other live frames, e.g. rows, are skipped)."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        left = deadline - asyncio.get_running_loop().time()
        frame = await communicator.receive_json_from(timeout=max(left, 0.01))
        if frame["type"] == kind:
            return frame


@pytest.mark.django_db(transaction=True)
async def test_a_visitors_image_reaches_the_operator_and_his_pdf_reaches_the_visitor(
    sockets, site, alice
):
    widget, hello = await sockets.visitor(site)
    token = hello["visitor"]["token"]
    await widget.send_json_to({"type": "message", "client_id": "v-1", "text": "Hello"})
    dialog_id = (await until(widget, "ack"))["dialog"]
    await database_sync_to_async(lifecycle.connect_operator)(operator=alice, dialog_id=dialog_id)
    await until(widget, "dialog")
    console, _ = await sockets.operator(alice)
    await console.send_json_to({"type": "watch", "dialog": dialog_id})
    await until(console, "watching")

    # The visitor sends a photo from the widget (no caption).
    visitor_http = AsyncClient()
    response = await visitor_http.post(
        f"/widget/{site.widget_key}/attachments/",
        {"client_id": "v-photo", "file": a_file("cat.png", image_bytes(size=(800, 600)))},
        headers={"X-Visitor-Token": token},
    )
    assert response.status_code == 200
    ack = response.json()["ack"]
    assert ack["client_id"] == "v-photo" and ack["dialog"] == dialog_id

    frame = await until(console, "message")
    message = frame["message"]
    assert message["id"] == ack["id"] and message["text"] == ""
    attachment = message["attachment"]
    assert attachment["name"] == "cat.png"
    assert attachment["is_image"] is True
    assert (attachment["width"], attachment["height"]) == (800, 600)
    # The console gets session-checked URLs, and the thumbnail inline in the fragment.
    assert attachment["url"].startswith("/console/attachments/")
    assert f'<img src="{attachment["thumbnail_url"]}"' in frame["html"]
    own = (await until(widget, "message"))["message"]
    assert own["id"] == ack["id"]
    assert own["attachment"]["url"].startswith("/attachments/")  # signed for the visitor

    # Alice answers with a PDF and a caption from the console.
    operator_http = AsyncClient()
    await operator_http.aforce_login(alice.user)
    response = await operator_http.post(
        f"/console/dialogs/{dialog_id}/attachments/",
        {"client_id": "o-pdf", "text": "Your invoice", "file": a_file("invoice.pdf", PDF)},
    )
    assert response.status_code == 200
    heard = (await until(widget, "message"))["message"]
    assert heard["author"] == {"kind": "operator", "name": "Alice"}
    assert heard["text"] == "Your invoice"
    pdf = heard["attachment"]
    assert pdf["name"] == "invoice.pdf" and pdf["size"] == len(PDF)
    assert pdf["content_type"] == "application/pdf"
    assert pdf["is_image"] is False and pdf["thumbnail_url"] is None

    # The visitor downloads it with the URL he was given.
    download = await database_sync_to_async(Client().get)(pdf["url"])
    assert download.status_code == 200
    assert body_of(download) == PDF
    assert download["Content-Disposition"].startswith("attachment;")

    # A reloaded widget replays both with fresh visitor URLs.
    again, _ = await sockets.visitor(site, token=token)
    await again.send_json_to({"type": "resume", "after": 0})
    replayed = []
    while (frame := await again.receive_json_from())["type"] != "resumed":
        replayed.append(frame["message"])
    files = [m["attachment"] for m in replayed if m["attachment"]]
    assert [f["name"] for f in files] == ["cat.png", "invoice.pdf"]
    assert all(f["url"].startswith("/attachments/") for f in files)


# --- idempotency, captions, previews ----------------------------------------------------------


@pytest.mark.django_db
def test_a_retry_with_the_same_client_id_stores_one_message_and_one_file(site, media):
    session = new_visitor(site)
    client = Client()
    first = widget_upload(client, session, a_file("a.pdf", PDF), client_id="same")
    again = widget_upload(client, session, a_file("a.pdf", PDF), client_id="same")
    assert first.status_code == again.status_code == 200
    assert first.json() == again.json()
    assert Attachment.objects.count() == 1
    assert len(stored_files(media)) == 1


@pytest.mark.django_db
def test_the_first_upload_opens_a_dialog_and_the_row_shows_the_file_name(site):
    _session, attachment = visitor_sends(site, name="offer.pdf")
    dialog = attachment.message.dialog
    assert dialog.status == Dialog.Status.NEW
    assert attachment.message.text == ""
    assert dialog.last_message_text == "📎 offer.pdf"
    assert dialog.unread_count == 1

    _session, captioned = visitor_sends(site, name="b.pdf", text="  See the offer  ")
    assert captioned.message.text == "See the offer"
    assert captioned.message.dialog.last_message_text == "See the offer"


@pytest.mark.django_db
def test_text_messages_still_need_text(site):
    session = new_visitor(site)
    with pytest.raises(ChatError) as refused:
        posting.post_visitor_message(
            visitor_id=session.visitor.id, visit_id=session.visit.id, client_id="x", text="  "
        )
    assert refused.value.code == "empty"


# --- size ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_an_oversize_file_is_refused_while_it_is_read(site, settings, media, monkeypatch):
    settings.CHAT_ATTACHMENT_MAX_BYTES = 1000
    # Refused by the upload handler, before any file object reaches the content checks.
    monkeypatch.setattr(uploads, "prepare", mock.Mock(side_effect=AssertionError))
    session = new_visitor(site)
    response = widget_upload(Client(), session, a_file("big.pdf", PDF + b"0" * 5000))
    assert response.status_code == 413
    assert response.json()["code"] == "too_large"
    assert "1000 B" in response.json()["detail"]
    assert not Message.objects.exists()
    assert stored_files(media) == []


@pytest.mark.django_db
def test_a_body_announced_far_over_the_limit_is_refused_before_parsing(site, settings, media):
    settings.CHAT_ATTACHMENT_MAX_BYTES = 1000
    session = new_visitor(site)
    response = widget_upload(Client(), session, a_file("big.pdf", PDF + b"0" * 200_000))
    assert response.status_code == 413
    assert response.json()["code"] == "too_large"
    assert stored_files(media) == []


@pytest.mark.django_db
def test_empty_or_missing_file_is_refused(site):
    session = new_visitor(site)
    client = Client()
    assert widget_upload(client, session, a_file("a.txt", b"")).json()["code"] == "empty_file"
    response = client.post(
        reverse("widget_attachments", args=[site.widget_key]),
        {"client_id": "x"},
        headers={"X-Visitor-Token": session.visitor.token},
    )
    assert response.status_code == 400
    assert response.json()["code"] == "no_file"


# --- type from the content -----------------------------------------------------------------


HTML = b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"
SVG = (
    b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg">'
    b"<script>alert(1)</script></svg>"
)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "content", "claimed", "code"),
    [
        ("cat.png", HTML, "image/png", "type_not_allowed"),
        ("logo.svg", SVG, "image/svg+xml", "type_not_allowed"),
        ("logo.jpg", SVG.split(b"\n", 1)[1], "image/jpeg", "type_not_allowed"),
        ("page.txt", b"\n\n  <html><p>hi</p></html>", "text/plain", "type_not_allowed"),
        ("setup.pdf", b"MZ\x90\x00" + b"\x00" * 300, "application/pdf", "type_not_allowed"),
        ("photo.bmp", image_bytes("BMP"), "image/bmp", "type_not_allowed"),
        ("broken.png", b"\x89PNG\r\n\x1a\n" + b"garbage" * 20, "image/png", "bad_image"),
        ("cut.jpg", image_bytes("JPEG", size=(300, 300))[:400], "image/jpeg", "bad_image"),
    ],
)
def test_types_are_decided_from_the_content(site, media, name, content, claimed, code):
    session = new_visitor(site)
    response = widget_upload(Client(), session, a_file(name, content, claimed))
    assert response.status_code == 400
    assert response.json()["code"] == code
    assert not Attachment.objects.exists()
    assert stored_files(media) == []


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "content", "expected_type", "expected_name"),
    [
        ("photo.png", image_bytes("JPEG"), "image/jpeg", "photo.png.jpg"),
        ("notes", "Привет, мир\n".encode(), "text/plain", "notes.txt"),
        ("page.html", b"Just words, no markup.\n", "text/plain", "page.html.txt"),
        ("../../etc/passwd.txt", b"root:x:0:0\n", "text/plain", "passwd.txt"),
        ("C:\\Users\\me\\отчёт 2024.pdf", PDF, "application/pdf", "отчёт_2024.pdf"),
        ("x" * 300 + ".pdf", PDF, "application/pdf", "x" * 100 + ".pdf"),
        # A right-to-left override would show "invoice\u202efdp.exe" as "invoiceexe.pdf".
        ("invoice\u202efdp.exe", PDF, "application/pdf", "invoicefdp.exe.pdf"),
        ("re\x07po\x1b\x7frt\t.pdf", PDF, "application/pdf", "report.pdf"),
        ("....pdf", PDF, "application/pdf", "pdf.pdf"),
        ("/tmp/../../.bashrc", b"alias ls=rm\n", "text/plain", "bashrc.txt"),
        ("CON.txt", b"hello\n", "text/plain", "_CON.txt"),
        ("nul", b"hello\n", "text/plain", "_nul.txt"),
        ("com1.report.pdf", PDF, "application/pdf", "_com1.report.pdf"),
    ],
)
def test_names_are_sanitised_and_match_the_content(
    site, name, content, expected_type, expected_name
):
    _session, attachment = visitor_sends(site, content=content, name=name)
    assert attachment.content_type == expected_type
    assert attachment.name == expected_name


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["..", "a/..", "."])
def test_a_file_named_only_dots_is_refused_cleanly(site, name, media):
    session = new_visitor(site)
    body = (
        b'--B\r\nContent-Disposition: form-data; name="client_id"\r\n\r\nc1\r\n'
        b'--B\r\nContent-Disposition: form-data; name="file"; filename="'
        + name.encode()
        + b'"\r\nContent-Type: application/pdf\r\n\r\n'
        + PDF
        + b"\r\n--B--\r\n"
    )
    response = Client().generic(
        "POST",
        reverse("widget_attachments", args=[site.widget_key]),
        body,
        content_type="multipart/form-data; boundary=B",
        headers={"X-Visitor-Token": session.visitor.token},
    )
    assert response.status_code == 400
    assert response.json()["code"] == "no_file"
    assert stored_files(media) == []


@pytest.mark.django_db
def test_office_documents_and_zips_are_recognised(site):
    import zipfile

    def zipped(*entries):
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w") as archive:
            for entry in entries:
                archive.writestr(entry, "<x/>")
        return out.getvalue()

    docx = zipped("[Content_Types].xml", "_rels/.rels", "word/document.xml")
    xlsx = zipped("[Content_Types].xml", "_rels/.rels", "xl/workbook.xml")
    assert visitor_sends(site, content=docx, name="cv.docx")[1].content_type.endswith(
        "wordprocessingml.document"
    )
    assert visitor_sends(site, content=xlsx, name="t.xlsx")[1].content_type.endswith(
        "spreadsheetml.sheet"
    )
    assert visitor_sends(site, content=zipped("a.txt"), name="a.zip")[1].content_type == (
        "application/zip"
    )


@pytest.mark.django_db
def test_the_allowed_types_come_from_settings(site, settings):
    settings.CHAT_ATTACHMENT_TYPES = ["image/png"]
    session = new_visitor(site)
    response = widget_upload(Client(), session, a_file("a.pdf", PDF))
    assert response.json()["code"] == "type_not_allowed"


# --- images --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_an_image_bomb_is_refused_before_it_is_decoded(site, media):
    session = new_visitor(site)
    response = widget_upload(Client(), session, a_file("huge.png", bomb_png()))
    assert response.status_code == 400
    assert response.json()["code"] == "image_too_large"
    assert stored_files(media) == []


@pytest.mark.django_db
def test_the_pixel_limit_is_a_setting(site, settings):
    settings.CHAT_ATTACHMENT_MAX_PIXELS = 1000
    session = new_visitor(site)
    response = widget_upload(Client(), session, a_file("a.png", image_bytes(size=(40, 30))))
    assert response.json()["code"] == "image_too_large"


@pytest.mark.django_db
def test_thumbnails_are_at_most_320_px_jpeg_or_png_with_transparency(site):
    _s, photo = visitor_sends(site, content=image_bytes("JPEG", size=(1200, 800)), name="p.jpg")
    assert photo.is_image and photo.content_type == "image/jpeg"
    assert (photo.width, photo.height) == (1200, 800)
    with photo.thumbnail.open("rb") as handle, Image.open(handle) as thumb:
        assert thumb.format == "JPEG"
        assert thumb.size == (320, 213)

    transparent = image_bytes("PNG", size=(500, 1000), mode="RGBA", color=(0, 0, 0, 0))
    _s, logo = visitor_sends(site, content=transparent, name="logo.png")
    with logo.thumbnail.open("rb") as handle, Image.open(handle) as thumb:
        assert thumb.format == "PNG" and thumb.mode == "RGBA"
        assert thumb.size == (160, 320)

    _s, small = visitor_sends(site, content=image_bytes("GIF", size=(20, 10)), name="s.gif")
    with small.thumbnail.open("rb") as handle, Image.open(handle) as thumb:
        assert thumb.size == (20, 10)  # never enlarged


@pytest.mark.django_db
def test_a_turned_phone_photo_reports_its_shown_size(site):
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90 degrees on display
    content = image_bytes("JPEG", size=(400, 200), exif=exif.tobytes())
    _s, photo = visitor_sends(site, content=content, name="phone.jpg")
    assert (photo.width, photo.height) == (200, 400)
    with photo.thumbnail.open("rb") as handle, Image.open(handle) as thumb:
        assert thumb.size == (160, 320)


@pytest.mark.django_db
def test_files_of_a_failed_transaction_are_removed(site, media, monkeypatch):
    monkeypatch.setattr(attachments, "save_attached", mock.Mock(side_effect=RuntimeError))
    session = new_visitor(site)
    with pytest.raises(RuntimeError):
        widget_upload(Client(), session, a_file("a.png", image_bytes()))
    assert not Attachment.objects.exists()
    assert stored_files(media) == []


# --- console uploads -----------------------------------------------------------------------


@pytest.mark.django_db
def test_an_operator_sends_a_file_to_a_dialog_he_is_connected_to(site, alice):
    _session, dialog = open_dialog(site, alice)
    response = console_upload(logged_in(alice), dialog.id, a_file("a.png", image_bytes()))
    assert response.status_code == 200
    message = Message.objects.get(pk=response.json()["ack"]["id"])
    assert message.operator == alice and message.attachment.is_image
    dialog.refresh_from_db()
    assert dialog.unread_count == 0
    assert dialog.last_message_text == "📎 a.png"


@pytest.mark.django_db
def test_console_uploads_follow_the_rules_of_operator_messages(site, alice, bob, dave, media):
    _session, dialog = open_dialog(site, alice)
    pdf = a_file("a.pdf", PDF)
    refused = console_upload(logged_in(bob), dialog.id, pdf)  # Alice's dialog, no right to read
    assert (refused.status_code, refused.json()["code"]) == (403, "forbidden")
    refused = console_upload(logged_in(dave), dialog.id, a_file("a.pdf", PDF))
    assert refused.status_code == 403
    refused = console_upload(logged_in(alice), 999_999, a_file("a.pdf", PDF))
    assert refused.status_code == 404

    _session, waiting = open_dialog(site)  # nobody connected yet
    refused = console_upload(logged_in(alice), waiting.id, a_file("a.pdf", PDF))
    assert (refused.status_code, refused.json()["code"]) == (400, "not_connected")

    lifecycle.end_dialog(operator=alice, dialog_id=dialog.id)
    refused = console_upload(logged_in(alice), dialog.id, a_file("a.pdf", PDF))
    assert refused.json()["code"] == "dialog_closed"
    assert not Attachment.objects.exists()
    assert stored_files(media) == []


@pytest.mark.django_db
def test_console_uploads_need_the_csrf_token_and_a_login(site, alice):
    _session, dialog = open_dialog(site, alice)
    client = logged_in(alice, enforce_csrf_checks=True)
    refused = console_upload(client, dialog.id, a_file("a.pdf", PDF))
    assert refused.status_code == 403
    client.get(reverse("console:dialog", args=[dialog.id]))  # sets the CSRF cookie
    response = client.post(
        reverse("console:attachment_upload", args=[dialog.id]),
        {"client_id": "c", "file": a_file("a.pdf", PDF)},
        headers={"X-CSRFToken": client.cookies["csrftoken"].value},
    )
    assert response.status_code == 200
    anonymous = console_upload(Client(), dialog.id, a_file("a.pdf", PDF))
    assert anonymous.status_code == 302
    assert Attachment.objects.count() == 1


# --- widget upload credentials --------------------------------------------------------------


@pytest.mark.django_db
def test_widget_uploads_need_a_token_of_this_site(site, make_site):
    session = new_visitor(site)
    elsewhere = new_visitor(make_site())
    client = Client()
    for token in ("", "not-a-token", elsewhere.visitor.token):
        refused = widget_upload(client, session, a_file("a.pdf", PDF), token=token)
        assert (refused.status_code, refused.json()["code"]) == (403, "forbidden")
    # The form field works as well as the header.
    response = client.post(
        reverse("widget_attachments", args=[site.widget_key]),
        {"client_id": "f", "token": session.visitor.token, "file": a_file("a.pdf", PDF)},
    )
    assert response.status_code == 200
    assert Attachment.objects.count() == 1


@pytest.mark.django_db
def test_a_blocked_address_cannot_upload(site):
    session = new_visitor(site)
    BlockedIP.objects.create(account=site.account, network="198.51.100.0/24")
    refused = widget_upload(Client(), session, a_file("a.pdf", PDF), REMOTE_ADDR="198.51.100.9")
    assert refused.status_code == 403
    assert not Attachment.objects.exists()


# --- downloads ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_downloads_carry_safe_headers(site, alice):
    session, image = visitor_sends(site, content=image_bytes(), name="a.png")
    _s, pdf = visitor_sends(site, name="r.pdf")
    _s, text = visitor_sends(site, content=b"plain words\n", name="t.txt")
    client = Client()

    def get(attachment, thumbnail=False):
        url, thumb = attachments.urls(attachment, "visitor")
        response = client.get(thumb if thumbnail else url)
        assert response.status_code == 200
        assert response["X-Content-Type-Options"] == "nosniff"
        assert "sandbox" in response["Content-Security-Policy"]
        return response

    shown = get(image)
    assert shown["Content-Type"] == "image/png"
    assert shown["Content-Disposition"].startswith("inline;")
    thumb = get(image, thumbnail=True)
    assert thumb["Content-Type"] == "image/jpeg"
    assert thumb["Content-Disposition"].startswith("inline;")
    for attachment, content_type in ((pdf, "application/pdf"), (text, "text/plain")):
        response = get(attachment)
        assert response["Content-Type"] == content_type
        assert response["Content-Disposition"] == f'attachment; filename="{attachment.name}"'


@pytest.mark.django_db
def test_operators_download_only_files_of_dialogs_they_may_see(site, alice, bob, dave):
    _session, dialog = open_dialog(site, alice)
    response = console_upload(logged_in(alice), dialog.id, a_file("a.png", image_bytes()))
    attachment = Attachment.objects.get(message_id=response.json()["ack"]["id"])
    url = reverse("console:attachment", args=[attachment.id])
    thumb = reverse("console:attachment_thumbnail", args=[attachment.id])

    assert logged_in(alice).get(url).status_code == 200
    assert logged_in(alice).get(thumb).status_code == 200
    assert logged_in(bob).get(url).status_code == 403  # a colleague's dialog, no right
    assert logged_in(bob).get(thumb).status_code == 403
    assert logged_in(dave).get(url).status_code == 403  # another account
    missing = reverse("console:attachment", args=[attachment.id + 1000])
    assert logged_in(alice).get(missing).status_code == 404
    assert Client().get(url).status_code == 302  # to the login page

    # Once Alice ended it, the dialog is in the site's history: Bob may see it now.
    lifecycle.end_dialog(operator=alice, dialog_id=dialog.id)
    assert logged_in(bob).get(url).status_code == 200


@pytest.mark.django_db
def test_a_visitor_url_works_only_as_signed_and_not_after_it_expires(site, settings):
    _mine, attachment = visitor_sends(site, name="mine.pdf")
    _theirs, other = visitor_sends(site, name="theirs.pdf")
    client = Client()
    url, _thumb = attachments.urls(attachment, "visitor")
    assert client.get(url).status_code == 200

    # A URL signed for another visitor's dialog does not open this visitor's file.
    crossed = signing.dumps(
        {"a": attachment.id, "d": other.message.dialog_id}, salt=attachments.SIGNING_SALT
    )
    assert client.get(reverse("attachment", args=[crossed])).status_code == 404
    # Tampering with the signed part breaks the signature.
    token = url.split("/")[2]
    forged = signing.dumps({"a": other.id, "d": attachment.message.dialog_id})
    for bad in (token[:-2] + ("AA" if token[-2:] != "AA" else "BB"), forged):
        assert client.get(reverse("attachment", args=[bad])).status_code == 404
    # An expired URL is refused; a fresh one (as a resume gives) works.
    with mock.patch("time.time", return_value=time.time() - 8 * 24 * 3600):
        old_url, _ = attachments.urls(attachment, "visitor")
    assert client.get(old_url).status_code == 404
    settings.CHAT_ATTACHMENT_URL_MAX_AGE = 10 * 24 * 3600
    assert client.get(old_url).status_code == 200


@pytest.mark.django_db
def test_a_visitor_url_has_no_thumbnail_for_a_file(site):
    _s, pdf = visitor_sends(site)
    url, thumb = attachments.urls(pdf, "visitor")
    assert thumb is None
    assert Client().get(url.rstrip("/") + "/thumbnail/").status_code == 404


# --- fixed query counts -------------------------------------------------------------------------


@pytest.mark.django_db
def test_replay_payloads_with_attachments_cost_one_query(site, django_assert_num_queries):
    session, attachment = visitor_sends(site, content=image_bytes(), name="a.png")
    visitor_id = session.visitor.id
    for n in range(3):
        posting.post_visitor_message(
            visitor_id=visitor_id, visit_id=None, client_id=f"t{n}", text="more"
        )
    with django_assert_num_queries(1):
        data = [payloads.message_data(m) for m in selectors.visitor_messages_after(visitor_id, 0)]
    assert [bool(d["attachment"]) for d in data] == [True, False, False, False]


@pytest.mark.django_db
def test_the_dialog_page_with_files_needs_no_more_queries(site, alice):
    _session, dialog = open_dialog(site, alice)
    client = logged_in(alice)
    page = reverse("console:dialog", args=[dialog.id])
    client.get(page)
    with CaptureQueriesContext(connection) as before:
        client.get(page)
    for n in range(4):
        console_upload(client, dialog.id, a_file(f"{n}.png", image_bytes()), client_id=f"f{n}")
    with CaptureQueriesContext(connection) as after:
        response = client.get(page)
    assert len(after) == len(before)
    assert response.content.count(b'class="att att-image"') == 4


@pytest.mark.django_db
def test_publishing_a_text_message_asks_nothing_about_attachments(
    site, django_capture_on_commit_callbacks
):
    session = new_visitor(site)
    with CaptureQueriesContext(connection) as queries:
        posting.post_visitor_message(
            visitor_id=session.visitor.id, visit_id=session.visit.id, client_id="c", text="Hi"
        )
    assert not [q for q in queries if "chat_attachment" in q["sql"]]


@pytest.mark.django_db(transaction=True)
async def test_a_console_that_missed_an_upload_gets_it_with_its_fragment_on_resume(
    sockets, site, alice
):
    _session, dialog = await database_sync_to_async(open_dialog)(site, alice)
    client = AsyncClient()
    await client.aforce_login(alice.user)
    response = await client.post(
        f"/console/dialogs/{dialog.id}/attachments/",
        {"client_id": "o-early", "file": a_file("early.png", image_bytes())},
    )
    ack = response.json()["ack"]
    # The console page connects only now, and asks for what it does not show yet.
    console, _ = await sockets.operator(alice)
    await console.send_json_to({"type": "resume", "dialog": dialog.id, "after": ack["id"] - 1})
    frame = await until(console, "message")
    stored = await database_sync_to_async(Attachment.objects.get)(message_id=ack["id"])
    assert frame["message"]["attachment"]["url"] == f"/console/attachments/{stored.id}/"
    assert 'class="att att-image"' in frame["html"]
