"""What a blocked visitor can read: nothing about the operator who blocked him, nor that
he is blocked. The console keeps the whole story."""

import json

import pytest
from channels.db import database_sync_to_async
from django.test import Client
from django.urls import reverse
from django.utils import translation

from chat.console import selectors
from chat.dialogs import lifecycle
from chat.models import Message
from chat.visitors import blocking, sessions
from tests.chat.test_attachments import a_file, image_bytes, widget_upload
from tests.chat.test_blocking import IP, entry, frame_of, visitor_from, visitor_with_dialog

TELLING = ("alice", "block", "network", "сеть", "заблок")


def reveals(text: str) -> list[str]:
    return [word for word in TELLING if word in text.lower()]


def block_and_lift(site, alice):
    dialog = visitor_with_dialog(site)
    lifecycle.connect_operator(operator=alice, dialog_id=dialog.id)
    blocked = blocking.block_visitor(operator=alice, dialog_id=dialog.id, reason="Spam")
    blocking.unblock(operator=alice, blocked_id=blocked.id)
    return dialog


@pytest.mark.django_db
def test_the_block_line_stays_in_the_console(site, alice, client):
    dialog = block_and_lift(site, alice)
    line = Message.objects.filter(dialog=dialog).last()
    assert line.text == "Alice ended the dialog and blocked the visitor" and line.console_only
    # His widget's replay ends with his own message; the console's transcript has the line.
    replay = selectors.visitor_messages_after(dialog.visitor_id, 0)
    assert [m.text for m in replay] == ["You are all idiots", "Alice joined the dialog"]
    client.force_login(alice.user)
    page = client.get(reverse("console:dialog", args=[dialog.id])).content.decode()
    assert "Alice ended the dialog and blocked the visitor" in page


@pytest.mark.django_db
def test_a_russian_widget_gets_no_line_either(site, alice):
    site.language = "ru"
    site.save()
    dialog = block_and_lift(site, alice)
    line = Message.objects.filter(dialog=dialog).last()
    assert line.text == "Оператор Alice завершил диалог и заблокировал посетителя"
    assert line.id not in [m.id for m in selectors.visitor_messages_after(dialog.visitor_id, 0)]


@pytest.mark.django_db(transaction=True)
async def test_after_an_unblock_his_widget_replays_no_block_line(sockets, site, alice):
    dialog = await database_sync_to_async(block_and_lift)(site, alice)
    token = await database_sync_to_async(lambda: dialog.visitor.token)()
    widget = await visitor_from(sockets, site, IP, token=token)
    assert (await widget.connect())[0]
    await frame_of(widget, "hello")
    await widget.send_json_to({"type": "resume", "after": 0})
    seen = [await widget.receive_json_from(timeout=2) for _ in range(3)]
    assert [f["type"] for f in seen] == ["message", "message", "resumed"]
    # He saw Alice join (the header named her too); not what she did at the end.
    assert [f["message"]["text"] for f in seen[:2]] == [
        "You are all idiots",
        "Alice joined the dialog",
    ]
    assert "block" not in json.dumps(seen).lower()


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["en", "ru"])
def test_the_blocked_widget_page_is_neutral(site, language):
    site.language = language
    site.save()
    entry(site.account, f"{IP}/32")
    page = Client().get(reverse("widget", args=[site.widget_key]), REMOTE_ADDR=IP)
    assert page.status_code == 403
    text = page.content.decode()
    assert ("The chat is not available." if language == "en" else "Чат недоступен.") in text
    assert not reveals(text.split("<body>", 1)[1]), text


@pytest.mark.django_db
def test_a_blocked_upload_is_refused_in_the_same_words(site):
    session = sessions.start_visitor_session(site=site, token=None, ip=IP, user_agent="")
    entry(site.account, f"{IP}/32")
    with translation.override("en"):  # the request's Russian must not outlive the test
        response = widget_upload(
            Client(),
            session,
            a_file("a.png", image_bytes()),
            REMOTE_ADDR=IP,
            HTTP_ACCEPT_LANGUAGE="ru",
        )
    assert response.status_code == 403
    assert response.json()["detail"] == "Чат недоступен."
