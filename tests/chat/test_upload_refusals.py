"""What a refused file's sender reads (chat/messaging/uploads.py, prepare): the upload
endpoints answer with these words, in the sender's language. Fast: no files stored."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from chat.messaging import uploads


def refusal(name, content) -> tuple[str, str]:
    with pytest.raises(uploads.UploadRefused) as refused:
        uploads.prepare(SimpleUploadedFile(name, content))
    return refused.value.code, refused.value.detail


def test_an_empty_file_is_refused_in_words():
    assert refusal("notes.txt", b"") == ("empty_file", "The file is empty.")


def test_a_file_of_a_type_not_allowed_is_refused_with_its_type():
    assert refusal("setup.pdf", b"MZ\x90\x00" + b"\x00" * 300) == (
        "type_not_allowed",
        "Files of this type cannot be sent (application/x-msdownload).",
    )


def test_the_refusals_are_read_in_russian_too():
    with translation.override("ru"):
        code, detail = refusal("notes.txt", b"")
    assert code == "empty_file" and detail != "The file is empty." and detail.startswith("Файл")


PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"


def test_a_file_as_large_as_the_limit_is_taken_and_one_byte_more_is_refused(settings):
    settings.CHAT_ATTACHMENT_MAX_BYTES = len(PDF)
    assert uploads.prepare(SimpleUploadedFile("a.pdf", PDF)).size == len(PDF)
    assert refusal("a.pdf", PDF + b"\n")[0] == "too_large"


BROKEN_PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64  # the signature, then nothing Pillow can read


def test_a_damaged_image_is_refused_as_one_in_both_languages():
    assert refusal("photo.png", BROKEN_PNG) == (
        "bad_image",
        "The image is damaged or not an image.",
    )
    with translation.override("ru"):
        assert refusal("photo.png", BROKEN_PNG) == (
            "bad_image",
            "Изображение повреждено или это не изображение.",
        )


def upload_request(rf, content_length: str):
    request = rf.post("/upload/", data=b"", content_type="multipart/form-data; boundary=x")
    request.META["CONTENT_LENGTH"] = content_length
    return request


def test_a_body_announced_over_the_limit_is_refused_before_it_is_read(rf, settings):
    settings.CHAT_ATTACHMENT_MAX_BYTES = 1000
    most = 1000 + uploads.FORM_OVERHEAD_BYTES  # the file and its form's parts
    assert uploads.guard_upload(upload_request(rf, str(most))).limit == 1000
    with pytest.raises(uploads.UploadRefused) as refused:
        uploads.guard_upload(upload_request(rf, str(most + 1)))
    assert refused.value.code == "too_large"


def test_a_length_that_is_not_a_number_leaves_the_count_to_the_guard(rf, settings):
    settings.CHAT_ATTACHMENT_MAX_BYTES = 1000
    request = upload_request(rf, "a lot")
    guard = uploads.guard_upload(request)
    assert request.upload_handlers[0] is guard and not guard.exceeded


def test_a_form_without_a_file_asks_for_one(rf):
    request = upload_request(rf, "0")
    guard = uploads.guard_upload(request)
    with pytest.raises(uploads.UploadRefused) as refused:
        uploads.uploaded_file(request, guard)
    assert (refused.value.code, refused.value.detail) == ("no_file", "Choose a file to send.")


@pytest.mark.parametrize(
    ("name", "content", "sniffed"),
    [
        ("logo.txt", b'<svg xmlns="http://www.w3.org/2000/svg"></svg>', "image/svg+xml"),
        ("logo.txt", b"<?xml version='1.0'?>\n<SVG>\n</SVG>", "image/svg+xml"),
        ("page.txt", b"<!doctype html><title>x</title>", "text/html"),
        ("page.txt", b"\xef\xbb\xbf<!-- a comment first -->", "text/html"),
        ("notes.txt", b"a" * 1016 + b"<script>alert(1)</script>", "text/html"),
        ("data.txt", b"\x01\x02\x03 not text", "application/octet-stream"),
    ],
    ids=["svg", "svg-upper-after-xml", "html", "comment-after-bom", "script-in-1k", "binary"],
)
def test_markup_and_binary_are_refused_by_what_they_are_not_their_name(name, content, sniffed):
    assert refusal(name, content) == (
        "type_not_allowed",
        f"Files of this type cannot be sent ({sniffed}).",
    )


def test_text_with_a_script_tag_past_the_first_kilobyte_is_still_text():
    text = b"a" * 1017 + b"<script>"  # ends one byte past the first 1,024
    assert uploads.prepare(SimpleUploadedFile("notes.txt", text)).content_type == "text/plain"


def image_bytes(width, height, *, orientation=None, image_format="JPEG") -> bytes:
    import io

    from PIL import Image

    image = Image.new("RGB", (width, height), "red")
    out = io.BytesIO()
    exif = Image.Exif()
    if orientation is not None:
        exif[0x0112] = orientation
    image.save(out, image_format, exif=exif)
    return out.getvalue()


@pytest.mark.parametrize("orientation", [5, 6, 7, 8])
def test_a_photo_taken_sideways_keeps_its_shown_width_and_height(orientation):
    checked = uploads.prepare(
        SimpleUploadedFile("photo.jpg", image_bytes(40, 20, orientation=orientation))
    )
    assert (checked.width, checked.height) == (20, 40)


@pytest.mark.parametrize("orientation", [1, 2, 3, 4])
def test_a_photo_taken_upright_keeps_its_width_and_height(orientation):
    checked = uploads.prepare(
        SimpleUploadedFile("photo.jpg", image_bytes(40, 20, orientation=orientation))
    )
    assert (checked.width, checked.height) == (40, 20)


def test_an_image_of_exactly_the_pixel_limit_is_taken_one_more_row_is_refused(settings):
    settings.CHAT_ATTACHMENT_MAX_PIXELS = 40 * 20
    assert (
        uploads.prepare(SimpleUploadedFile("a.png", image_bytes(40, 20, image_format="PNG"))).width
        == 40
    )
    assert refusal("a.png", image_bytes(40, 21, image_format="PNG"))[0] == "image_too_large"


def test_a_truncated_photo_is_refused_as_damaged():
    whole = image_bytes(64, 64)
    assert refusal("photo.jpg", whole[: len(whole) // 2]) == (
        "bad_image",
        "The image is damaged or not an image.",
    )


def test_a_file_over_the_limit_is_told_the_limit_in_words(settings):
    settings.CHAT_ATTACHMENT_MAX_BYTES = 1_572_864  # 1.5 MiB
    content = PDF + b"%" * (1_572_864 - len(PDF) + 1)
    assert refusal("a.pdf", content) == ("too_large", "The file is larger than 1.5 MB.")


def test_the_size_guard_stops_the_upload_one_byte_past_the_limit():
    from django.core.files.uploadhandler import StopUpload

    guard = uploads.SizeGuard(limit=10)
    assert guard.receive_data_chunk(b"x" * 6, 0) == b"x" * 6
    assert guard.receive_data_chunk(b"x" * 4, 6) == b"x" * 4
    assert guard.exceeded is False
    with pytest.raises(StopUpload) as stopped:
        guard.receive_data_chunk(b"x", 10)
    # The rest of the body is read and dropped, so the sender gets the 413, not a reset.
    assert stopped.value.connection_reset is False
    assert guard.exceeded is True


@pytest.mark.parametrize(
    ("raw", "content_type", "saved_as"),
    [
        ("C:\\Users\\me\\report.pdf", "application/pdf", "report.pdf"),
        ("re\x00port.pdf", "application/pdf", "report.pdf"),
        ("", "application/pdf", "file.pdf"),
        ("..", "application/pdf", "file.pdf"),
        ("run.bat", "text/plain", "run.bat.txt"),
        ("notes", "text/csv", "notes.csv"),
        ("con.tar.pdf", "application/pdf", "_con.tar.pdf"),
        ("con.a.b.pdf", "application/pdf", "_con.a.b.pdf"),
    ],
    ids=["windows-path", "nul-byte", "no-name", "dots", "bat-as-text", "csv", "device", "device-2"],
)
def test_the_name_a_file_is_saved_under(raw, content_type, saved_as):
    assert uploads.clean_name(raw, content_type) == saved_as


def test_the_upload_buttons_are_told_the_limit_and_what_they_accept(settings):
    settings.CHAT_ATTACHMENT_MAX_BYTES = 2 * 1024 * 1024
    settings.CHAT_ATTACHMENT_TYPES = ["image/png", "application/x-custom"]
    assert uploads.client_limits() == {
        "max_bytes": 2 * 1024 * 1024,
        "max_size": "2 MB",
        "accept": "image/png,application/x-custom,.png",
    }


def test_an_image_over_the_pixel_limit_is_told_the_limit_in_millions(settings):
    settings.CHAT_ATTACHMENT_MAX_PIXELS = 2_000_000
    assert refusal("big.png", image_bytes(2000, 1001, image_format="PNG")) == (
        "image_too_large",
        "The image has too many pixels (at most 2 million).",
    )


def thumbnail_format(content: bytes, name: str) -> str:
    import io

    from PIL import Image

    checked = uploads.prepare(SimpleUploadedFile(name, content))
    with Image.open(io.BytesIO(checked.thumbnail)) as thumbnail:
        return thumbnail.format


def palette_png(*, transparent: bool) -> bytes:
    import io

    from PIL import Image

    image = Image.new("P", (40, 20), 1)
    image.putpalette([255, 255, 255, 255, 0, 0] + [0] * 762)
    out = io.BytesIO()
    image.save(out, "PNG", **({"transparency": 0} if transparent else {}))
    return out.getvalue()


def grey_with_alpha_png() -> bytes:
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("LA", (40, 20), (128, 100)).save(out, "PNG")
    return out.getvalue()


def test_a_thumbnail_keeps_transparency_as_png_and_is_a_jpeg_otherwise():
    assert thumbnail_format(palette_png(transparent=True), "logo.png") == "PNG"
    assert thumbnail_format(grey_with_alpha_png(), "shade.png") == "PNG"
    assert thumbnail_format(palette_png(transparent=False), "flat.png") == "JPEG"
    assert thumbnail_format(image_bytes(40, 20), "photo.jpg") == "JPEG"
