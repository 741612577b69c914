"""/healthz while a real server drains (config/serve.py): from SIGTERM on it answers 404
{"draining": true} to every new connection, as a load balancer's health checks make
them, while the widget sockets it holds are still open; only then do they close, with
4012, and it goes on answering 404 (not refusing the connection) until they have all
gone. That is what HAProxy's `http-check disable-on-404` needs to take the server out of
rotation without marking it down, which with `on-marked-down shutdown-sessions` would cut
the sockets still waiting for their turn (docs/operations.md, "Restarting without a
drop")."""

import asyncio
import http.client
import json

import pytest
from channels.db import database_sync_to_async
from live_stack import draining_server
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

pytestmark = pytest.mark.django_db(transaction=True)

SOCKETS = 3
REFUSED = "refused"


@pytest.fixture
def server(transactional_db):
    with draining_server(
        {
            # Long enough that the first check lands before any socket is asked to go.
            "DRAIN_NOTICE_SECONDS": "4",
            "DRAIN_SPREAD_SECONDS": "1",
            "DRAIN_TIMEOUT_SECONDS": "30",
        },
        name="drain-healthz",
    ) as process:
        yield process


def check(port: int):
    """One health check on a new connection, as HAProxy makes them: (status, body), or
    REFUSED when nothing listens any more: the connection refused, or, in the moment the
    listening socket closes, accepted and then reset or dropped unanswered (HAProxy counts
    all three as a failed check)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request("GET", "/healthz")
        response = connection.getresponse()
        return response.status, json.loads(response.read())
    except (ConnectionRefusedError, ConnectionResetError, http.client.RemoteDisconnected):
        return REFUSED
    finally:
        connection.close()


async def test_healthz_says_draining_before_the_sockets_move_and_while_they_do(server, make_site):
    site = await database_sync_to_async(make_site)(name="drain-healthz.example")
    url = f"ws://127.0.0.1:{server.port}/ws/visitor/{site.widget_key}/"
    origin = f"http://127.0.0.1:{server.port}"
    sockets = []
    for _ in range(SOCKETS):
        ws = await connect(url, origin=origin, open_timeout=10)
        assert json.loads(await ws.recv())["type"] == "hello"  # drained from hello on
        sockets.append(ws)
    assert (await asyncio.to_thread(check, server.port))[0] == 200

    timeline = []  # ("check", answer) and ("closed", code), in the order they happened

    async def watch(ws):
        try:
            async for _frame in ws:
                pass
        except ConnectionClosed:
            pass
        timeline.append(("closed", ws.close_code))

    watchers = [asyncio.create_task(watch(ws)) for ws in sockets]

    async def checks():
        while True:
            answer = await asyncio.to_thread(check, server.port)
            timeline.append(("check", answer))
            if answer == REFUSED:
                return
            await asyncio.sleep(0.1)

    server.terminate()
    checking = asyncio.create_task(checks())
    await asyncio.wait_for(asyncio.gather(*watchers), 60)
    await asyncio.wait_for(checking, 60)
    exit_code = await asyncio.to_thread(server.process.wait, 45)
    assert exit_code == 0, server.log_tail()

    answers = [answer for kind, answer in timeline if kind == "check"]
    draining = (404, {"status": "draining", "draining": True})
    # The balancer hears of the drain before any socket is asked to go...
    first_close = next(i for i, (kind, _) in enumerate(timeline) if kind == "closed")
    assert timeline[0] == ("check", draining), timeline
    # ...each socket then closes with 4012 (reconnect elsewhere), none is cut...
    assert [code for kind, code in timeline if kind == "closed"] == [4012] * SOCKETS
    # ...and until the last one has gone every check was answered "draining", never
    # refused (a refused check marks the server down: HAProxy would cut the sockets).
    last_close = max(i for i, (kind, _) in enumerate(timeline) if kind == "closed")
    before_last = [answer for kind, answer in timeline[:last_close] if kind == "check"]
    assert before_last and set(map(repr, before_last)) == {repr(draining)}, timeline
    assert first_close > 0
    # Then it stops listening and exits.
    assert answers[-1] == REFUSED
    assert set(map(repr, answers[:-1])) == {repr(draining)}, timeline
