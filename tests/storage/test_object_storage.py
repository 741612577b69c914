"""Attachments on S3-compatible object storage: uploaded through the widget and the console,
downloaded through the product's own signed, permission-checked URLs, nothing on local disk."""

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from PIL import Image

from chat.dialogs import lifecycle
from chat.messaging import attachments, posting
from chat.models import Attachment
from chat.visitors import sessions
from tests.object_storage import local_files

PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
ROOT = Path(__file__).resolve().parents[2]


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 30, 30)).save(out, "PNG")
    return out.getvalue()


def logged_in(operator) -> Client:
    client = Client()
    client.force_login(operator.user)
    return client


def body_of(response) -> bytes:
    return b"".join(response.streaming_content)


def visitor_uploads(site, name, content):
    session = sessions.start_visitor_session(site=site, token=None, ip="203.0.113.7", user_agent="")
    response = Client().post(
        reverse("widget_attachments", args=[site.widget_key]),
        {"client_id": "v-1", "text": "", "file": SimpleUploadedFile(name, content)},
        headers={"X-Visitor-Token": session.visitor.token},
    )
    assert response.status_code == 200, response.content
    return Attachment.objects.select_related("message").get(message_id=response.json()["ack"]["id"])


@pytest.fixture
def bob(make_operator, site):
    """A colleague on the same site without the right to read colleagues' dialogs."""
    return make_operator(username="bob", display_name="Bob", sites=[site])


@pytest.fixture
def dave(make_operator, make_site):
    """An operator of another account."""
    return make_operator(username="dave", sites=[make_site()])


@pytest.mark.django_db
def test_a_visitors_image_goes_to_the_bucket_and_back_through_the_signed_url(site, s3_bucket):
    content = png()
    attachment = visitor_uploads(site, "photo.png", content)

    keys = s3_bucket.keys()
    assert keys == sorted([attachment.file.name, attachment.thumbnail.name])
    assert s3_bucket.body(attachment.file.name) == content
    assert local_files(s3_bucket.media_root) == []

    url, thumbnail_url = attachments.urls(attachment, "visitor")
    response = Client().get(url)
    assert response.status_code == 200
    assert body_of(response) == content
    assert response["Content-Type"] == "image/png"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]
    thumbnail = Client().get(thumbnail_url)
    assert thumbnail.status_code == 200
    assert Image.open(io.BytesIO(body_of(thumbnail))).size[0] <= 320
    # A URL whose signature is broken opens nothing.
    assert Client().get(url[:-3] + "xyz/").status_code == 404


@pytest.mark.django_db
def test_an_operators_file_is_stored_in_the_bucket_and_checked_on_every_download(
    site, alice, bob, dave, s3_bucket
):
    session = sessions.start_visitor_session(site=site, token=None, ip="203.0.113.8", user_agent="")
    message, _ = posting.post_visitor_message(
        visitor_id=session.visitor.id, visit_id=session.visit.id, client_id="hi", text="Hello"
    )
    lifecycle.connect_operator(operator=alice, dialog_id=message.dialog_id)
    upload = logged_in(alice).post(
        reverse("console:attachment_upload", args=[message.dialog_id]),
        {"client_id": "o-1", "text": "", "file": SimpleUploadedFile("offer.pdf", PDF)},
    )
    assert upload.status_code == 200, upload.content
    attachment = Attachment.objects.get(message_id=upload.json()["ack"]["id"])
    assert s3_bucket.keys() == [attachment.file.name]

    url = reverse("console:attachment", args=[attachment.id])
    response = logged_in(alice).get(url)
    assert response.status_code == 200
    assert body_of(response) == PDF
    assert response["Content-Disposition"] == 'attachment; filename="offer.pdf"'
    assert logged_in(bob).get(url).status_code == 403  # Alice's dialog, no right to read
    assert logged_in(dave).get(url).status_code == 403  # another account
    assert Client().get(url).status_code == 302  # to the login page
    assert local_files(s3_bucket.media_root) == []


@pytest.mark.django_db
def test_a_file_gone_from_the_bucket_is_a_clean_404(site, s3_bucket):
    attachment = visitor_uploads(site, "r.pdf", PDF)
    s3_bucket.client.delete_object(Bucket=s3_bucket.name, Key=attachment.file.name)
    url, _thumbnail = attachments.urls(attachment, "visitor")
    assert Client().get(url).status_code == 404


def test_the_bucket_is_chosen_by_environment_variables_and_disk_stays_the_default(tmp_path):
    def storages(**variables) -> str:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "STORAGE_"))}
        env.update(variables)
        code = (
            "import django; django.setup(); "
            "from django.core.files.storage import storages; s = storages['default']; "
            "print(type(s).__name__, getattr(s, 'bucket_name', ''), "
            "getattr(s, 'endpoint_url', ''), getattr(s, 'secret_key', ''))"
        )
        return subprocess.run(
            [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True
        ).stdout.strip()

    assert storages() == "FileSystemStorage"
    secret_file = tmp_path / "key"
    secret_file.write_text("from-a-file\n")
    assert storages(
        STORAGE_S3_BUCKET="chat-files",
        AWS_S3_ENDPOINT_URL="http://127.0.0.1:9000",
        AWS_ACCESS_KEY_ID="id",
        AWS_SECRET_ACCESS_KEY_FILE=str(secret_file),
    ) == ("S3Storage chat-files http://127.0.0.1:9000 from-a-file")
