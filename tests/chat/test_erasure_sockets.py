"""Erase personal data while the visitor's widget is open: his sockets close (4410) and his
old token opens a new, empty, anonymous visitor."""

import pytest
from channels.db import database_sync_to_async
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from chat.models import Visitor

# docs/protocol.md, Close codes: no frame before it, the socket just closes.
CLOSED_ERASED = {"type": "websocket.close", "code": 4410}


def erase_in_admin(visitor_id: int):
    """An admin confirms "Erase personal data" for the visitor in the Django admin."""
    admin = get_user_model().objects.create_superuser("root", "root@example.com", "x")
    client = Client()
    client.force_login(admin)
    response = client.post(
        reverse("admin:chat_visitor_changelist"),
        {"action": "erase_personal_data", "_selected_action": [visitor_id], "post": "yes"},
    )
    assert response.status_code == 302


@pytest.mark.django_db(transaction=True)
async def test_erasure_closes_his_open_widgets_and_his_old_token_starts_afresh(sockets, site):
    widget, hello = await sockets.visitor(site)
    token = hello["visitor"]["token"]
    await widget.send_json_to({"type": "message", "client_id": "c-1", "text": "Passport 4510"})
    grouped = await sockets.expect(widget, "ack", "message")
    assert grouped["message"][0]["message"]["text"] == "Passport 4510"
    second_tab, _ = await sockets.visitor(site, token=token)
    bystander, _ = await sockets.visitor(site)
    visitor_id = await database_sync_to_async(lambda: Visitor.objects.get(token=token).id)()

    await database_sync_to_async(erase_in_admin)(visitor_id)

    for socket in (widget, second_tab):
        assert await socket.receive_output(timeout=2) == CLOSED_ERASED
    await sockets.silent(bystander)

    # The widget reconnects with the token it kept: a new visitor, with nothing to show.
    again, hello = await sockets.visitor(site, token=token)
    assert hello["visitor"]["token"] != token
    assert hello["visitor"]["name"] is None
    assert hello["dialog"] is None
    await again.send_json_to({"type": "resume", "after": 0})
    assert await again.receive_json_from() == {"type": "resumed", "last_id": None}
    assert await database_sync_to_async(Visitor.objects.count)() == 3  # erased one stays


@pytest.mark.django_db(transaction=True)
async def test_erasing_another_visitor_leaves_the_widget_open(sockets, site):
    widget, _ = await sockets.visitor(site)
    other, hello = await sockets.visitor(site)
    other_id = await database_sync_to_async(
        lambda: Visitor.objects.get(token=hello["visitor"]["token"]).id
    )()
    await database_sync_to_async(erase_in_admin)(other_id)
    assert await other.receive_output(timeout=2) == CLOSED_ERASED
    await widget.send_json_to({"type": "message", "client_id": "c-2", "text": "Still here"})
    await sockets.expect(widget, "ack", "message")
