"""Revoking an access token closes the sockets it opened, at once and on every server
process (through the channel layer: the in-memory layer on SQLite, Redis with REDIS_URL):
close code 4401 with the reason "token_revoked". The token opens no new socket; another
token's socket stays open."""

import pytest
from channels.db import database_sync_to_async
from django.test import Client
from django.urls import reverse

from api import tokens

pytestmark = pytest.mark.django_db(transaction=True)


def app_socket(sockets, raw):
    return sockets.communicator(
        "/ws/console/", headers=[(b"authorization", f"Bearer {raw}".encode())]
    )


async def opened(sockets, raw):
    socket = app_socket(sockets, raw)
    connected, _code = await socket.connect()
    assert connected
    assert (await socket.receive_json_from())["type"] == "hello"
    return socket


def revoke_on_the_tokens_page(operator, token_id):
    """As the operator does: Access tokens > Revoke (a POST of his logged-in browser)."""
    browser = Client()
    browser.force_login(operator.user)
    response = browser.post(reverse("tokens:revoke", args=[token_id]))
    assert response.status_code == 302


async def test_revoking_a_token_closes_its_sockets_and_only_those(sockets, alice):
    phone, phone_raw = await database_sync_to_async(tokens.create_token)(
        operator=alice, name="Phone"
    )
    _laptop, laptop_raw = await database_sync_to_async(tokens.create_token)(
        operator=alice, name="Laptop"
    )
    first = await opened(sockets, phone_raw)
    second = await opened(sockets, phone_raw)
    other = await opened(sockets, laptop_raw)

    await database_sync_to_async(revoke_on_the_tokens_page)(alice, phone.id)

    for socket in (first, second):
        assert await socket.receive_output(timeout=5) == {
            "type": "websocket.close",
            "code": 4401,
            "reason": "token_revoked",
        }
    # The other token's socket is open and served: it still answers a frame.
    await sockets.silent(other)
    await other.send_json_to({"type": "watch", "dialog": 999999})
    answer = await other.receive_json_from()
    assert answer["type"] == "error"

    # The revoked token opens nothing any more.
    again = app_socket(sockets, phone_raw)
    connected, _code = await again.connect()
    assert connected  # accepted, then closed with our code (browsers could not tell why)
    assert await again.receive_output(timeout=5) == {"type": "websocket.close", "code": 4401}
