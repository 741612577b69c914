"""Many console tabs open at the same moment (a shift starting, a restart under open
consoles), on a real Daphne: every socket gets its hello, none is dropped at the handshake.

Daphne drops a handshake that the application has not accepted within 5 s. The console
socket looked its session, user and operator up and counted itself open before accepting,
so a storm of consoles queued on the database and every tab still waiting after 5 s was
dropped without an HTTP answer (docs/performance.md, "Authenticated connect storm"). Here
another connection holds what a console's open must wait for (the operators' and access
tokens' tables, reads let through) for longer than that limit while the tabs open: the
queue of a storm, independent of the machine's speed. Tabs signed in by the console page's
session, and an app's sockets with an access token (api/sockets.py). As
tests/chat/test_connection_storm.py for widgets.
"""

import asyncio
import json

import pytest
from channels.db import database_sync_to_async
from django.conf import settings as django_settings
from django.test import Client
from live_stack import daphne_with_redis, tables_locked
from websockets.asyncio.client import connect

from api import tokens
from api.models import AccessToken
from chat.realtime.consumers.frames import CLOSE_UNAUTHENTICATED
from operators.models import Operator

pytestmark = pytest.mark.django_db(transaction=True)

TABS = 20
BUSY_SECONDS = 6  # longer than Daphne's handshake limit (5 s)
PATIENCE_SECONDS = 60  # what a client waits for hello; far more than the test needs


@pytest.fixture
def server(transactional_db, tmp_path):
    with daphne_with_redis(tmp_path, "console-storm") as server:
        yield server


def operators_table_locked():
    """What a console's open must wait for, held by another connection (on PostgreSQL the
    tokens' table too: a token's first use is written down)."""
    return tables_locked(Operator, AccessToken)


async def open_console(url: str, origin: str, cookie: str | None, token: str | None = None):
    """What became of one tab: "hello", "closed <code>", or where and how it failed."""
    stage = "handshake"
    headers = {"Cookie": f"{django_settings.SESSION_COOKIE_NAME}={cookie}"} if cookie else {}
    if token:
        headers = {"Authorization": f"Bearer {token}"}
    try:
        async with connect(
            url, origin=origin, additional_headers=headers, open_timeout=PATIENCE_SECONDS
        ) as ws:
            stage = "hello"
            try:
                frame = json.loads(await asyncio.wait_for(ws.recv(), PATIENCE_SECONDS))
            except Exception:
                if ws.close_code is not None:
                    return f"closed {ws.close_code}"
                raise
            return "hello" if frame.get("type") == "hello" else f"first frame {frame}"
    except Exception as error:
        return f"{stage}: {type(error).__name__} {error}"


def signed_in(user) -> str:
    client = Client()
    client.force_login(user)
    return client.cookies[django_settings.SESSION_COOKIE_NAME].value


def new_token(operator) -> str:
    return tokens.create_token(operator=operator, name="storm")[1]


@pytest.mark.parametrize("credential", ["session", "token"])
async def test_every_console_tab_of_a_storm_gets_hello_while_the_database_is_busy(
    server, make_site, make_operator, credential
):
    site = await database_sync_to_async(make_site)()
    operator = await database_sync_to_async(make_operator)(sites=[site])
    cookie = await database_sync_to_async(signed_in)(operator.user)
    url = f"ws://127.0.0.1:{server.port}/ws/console/"
    origin = f"http://127.0.0.1:{server.port}"
    assert await open_console(url, origin, cookie) == "hello"  # everything loaded once
    token = await database_sync_to_async(new_token)(operator) if credential == "token" else None

    with operators_table_locked():
        storm = asyncio.gather(*(open_console(url, origin, cookie, token) for _ in range(TABS)))
        await asyncio.sleep(BUSY_SECONDS)
    outcomes = await storm

    failed = [outcome for outcome in outcomes if outcome != "hello"]
    assert not failed, f"{len(failed)} of {TABS} tabs got no hello: {failed[:3]}"
    # Accepting first lets nobody in: without a session the tab is still closed with 4401.
    assert await open_console(url, origin, None) == f"closed {CLOSE_UNAUTHENTICATED}"
    assert await open_console(url, origin, "forged") == f"closed {CLOSE_UNAUTHENTICATED}"
    forged = "lcpat_" + "x" * 43
    assert await open_console(url, origin, None, forged) == f"closed {CLOSE_UNAUTHENTICATED}"
