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


def revoke_on_the_tokens_page(operator, token_id):
    """As the operator does: Access tokens > Revoke (a POST of his logged-in browser)."""
    browser = Client()
    browser.force_login(operator.user)
    response = browser.post(reverse("tokens:revoke", args=[token_id]))
    assert response.status_code == 302


async def test_revoking_a_token_closes_its_sockets_and_only_those(token_sockets, alice):
    phone, phone_raw = await database_sync_to_async(tokens.create_token)(
        operator=alice, name="Phone"
    )
    _laptop, laptop_raw = await database_sync_to_async(tokens.create_token)(
        operator=alice, name="Laptop"
    )
    first = await token_sockets.open(phone_raw)
    second = await token_sockets.open(phone_raw)
    other = await token_sockets.open(laptop_raw)

    await database_sync_to_async(revoke_on_the_tokens_page)(alice, phone.id)

    for socket in (first, second):
        await token_sockets.assert_closed(socket, "token_revoked")
    # The other token's socket is open and served: it still answers a frame.
    await token_sockets.assert_still_served(other)
    # The revoked token opens nothing any more.
    await token_sockets.assert_refused(token_sockets.communicator(phone_raw))
