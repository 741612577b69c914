"""A file that starts as plain text but carries a script or SVG a few lines down is still
markup: a browser that sniffs it would run it, so it is refused like an .html file."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from chat.models import Attachment
from chat.visitors import sessions


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("notes.txt", b"Order 1042, call me back.\n<script>alert(document.cookie)</script>\n"),
        ("prices.csv", b"sku;price\n1;10\n2;20\n<svg onload=alert(1)>\n"),
        ("report.txt", b"Hello\n" * 20 + b'<iframe src="https://evil.example/">\n'),
        ("page.md", b"# Title\n\nSome words.\n<!DOCTYPE html>\n<p>hi</p>\n"),
    ],
)
def test_markup_after_the_first_line_is_refused(site, name, content):
    session = sessions.start_visitor_session(site=site, token=None, ip=None, user_agent="")
    response = Client().post(
        reverse("widget_attachments", args=[site.widget_key]),
        {"client_id": "v-1", "text": "", "file": SimpleUploadedFile(name, content, "text/plain")},
        headers={"X-Visitor-Token": session.visitor.token},
    )
    assert response.status_code == 400
    assert response.json()["code"] == "type_not_allowed"
    assert not Attachment.objects.exists()


@pytest.mark.django_db
def test_text_that_only_mentions_tags_is_a_text_file(site):
    session = sessions.start_visitor_session(site=site, token=None, ip=None, user_agent="")
    content = b"Why does 2 < 3 and a<b hold? The <scripted> answer is in chapter 3.\n"
    response = Client().post(
        reverse("widget_attachments", args=[site.widget_key]),
        {"client_id": "v-1", "text": "", "file": SimpleUploadedFile("q.txt", content)},
        headers={"X-Visitor-Token": session.visitor.token},
    )
    assert response.status_code == 200, response.content
    assert Attachment.objects.get().content_type == "text/plain"
