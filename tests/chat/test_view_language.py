"""A page answered in the operator's or the site's language leaves the server thread in
the language it found: the next request, socket call or test on that thread writes its
words (and the system lines it stores) in its own language, not in the last page's."""

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from chat.dialogs import lifecycle
from chat.models import Message
from chat.visitors import blocking
from tests.chat.test_blocking import visitor_with_dialog

pytestmark = pytest.mark.django_db


def test_the_widget_of_a_russian_site_leaves_the_thread_english(site):
    site.language = "ru"
    site.save()
    with translation.override("en"):
        page = Client().get(reverse("widget", args=[site.widget_key]))
        assert translation.get_language() == "en"
    assert page.status_code == 200 and page.headers["Content-Language"] == "ru"
    assert 'lang="ru"' in page.text


@pytest.mark.parametrize("route, found", [("console:mine", True), ("console:dialog", False)])
def test_a_russian_operators_page_leaves_the_thread_english(make_operator, site, route, found):
    """Also when the view fails (a missing dialog: the console's 404 in his language)."""
    ivan = make_operator(display_name="Ivan", sites=[site], language="ru")
    client = Client()
    client.force_login(ivan.user)
    url = reverse(route) if found else reverse(route, args=[987654])
    with translation.override("en"):
        page = client.get(url, headers={"Sec-Fetch-Mode": "navigate"})
        assert translation.get_language() == "en"
    assert page.status_code == (200 if found else 404)
    assert page.headers["Content-Language"] == "ru" and '<html lang="ru">' in page.text


def test_a_line_stored_after_a_russian_page_is_in_the_thread_language(site, alice):
    """What the leak did: Alice's block line came out in Russian after a Russian widget."""
    site.language = "ru"
    site.save()
    Client().get(reverse("widget", args=[site.widget_key]))
    site.language = ""
    site.save()
    dialog = visitor_with_dialog(site)
    lifecycle.connect_operator(operator=alice, dialog_id=dialog.id)
    blocking.block_visitor(operator=alice, dialog_id=dialog.id, reason="Spam")
    line = Message.objects.filter(dialog=dialog).last()
    assert line.text == "Alice ended the dialog and blocked the visitor"
