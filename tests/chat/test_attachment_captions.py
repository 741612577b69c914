"""An image message names its file and size in the console, in the operator's language,
on the page and in the live fragment alike."""

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from chat.dialogs import lifecycle
from chat.messaging import payloads, uploads
from chat.models import Attachment
from tests.chat.test_attachments import a_file, image_bytes, new_visitor, widget_upload

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("size", "english", "russian"),
    [
        (0, "0 B", "0 Б"),
        (1023, "1023 B", "1023 Б"),
        (1, "1 B", "1 Б"),
        (1024, "1 KB", "1 КБ"),
        (24 * 1024 + 100, "24 KB", "24 КБ"),
        (1535, "1 KB", "1 КБ"),
        (1536, "2 KB", "2 КБ"),
        (1024 * 1024 - 1, "1024 KB", "1024 КБ"),
        (1024 * 1024, "1 MB", "1 МБ"),
        (1_101_004, "1 MB", "1 МБ"),
        (1_300_000, "1.2 MB", "1,2 МБ"),
        (1_310_719, "1.2 MB", "1,2 МБ"),
        (1_310_720, "1.3 MB", "1,3 МБ"),
        (10 * 1024 * 1024, "10 MB", "10 МБ"),
    ],
)
def test_sizes_read_in_the_active_language(size, english, russian):
    with translation.override("en"):
        assert uploads.human_size(size) == english
    with translation.override("ru"):
        assert uploads.human_size(size) == russian


def visitor_sends_image(site, name="photo.png"):
    session = new_visitor(site)
    response = widget_upload(Client(), session, a_file(name, image_bytes(size=(40, 30))))
    assert response.status_code == 200, response.content
    return Attachment.objects.select_related("message__dialog").latest("id")


def test_the_live_fragment_names_the_image_and_its_size_in_each_language(site):
    attachment = visitor_sends_image(site)
    html = payloads.message_html_variants(attachment.message)
    size = attachment.size
    assert 'class="att att-image"' in html["en"]
    assert '<span class="att-name">photo.png</span>' in html["en"]
    assert f'<span class="att-size">· {size} B</span>' in html["en"]
    assert f'<span class="att-size">· {size} Б</span>' in html["ru"]


def test_the_dialog_page_names_the_image_and_its_size(site, alice):
    attachment = visitor_sends_image(site, name="broken part.png")
    lifecycle.connect_operator(operator=alice, dialog_id=attachment.message.dialog_id)
    client = Client()
    client.force_login(alice.user)
    page = client.get(reverse("console:dialog", args=[attachment.message.dialog_id]))
    html = page.content.decode()
    assert f'<span class="att-name">{attachment.name}</span>' in html
    assert f"· {attachment.size} B" in html
    assert 'id="size-words"' in html  # the words the uploading bubble uses


def test_the_widget_gets_the_size_words_of_its_language(site):
    site.language = "ru"
    site.save()
    page = Client().get(reverse("widget", args=[site.widget_key]))
    assert 'data-kb="{size} КБ"' in page.content.decode()
