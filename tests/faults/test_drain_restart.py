"""A restart without a drop, on real processes (config/serve.py, chat/realtime/drain.py):
visitors and an operator write while the server gets SIGTERM. Their sockets are closed
with 4012 (never dropped), /healthz answers 404 {"draining": true}, the process exits by
itself once its sockets are gone, every visitor is counted offline (their consumers ran
their disconnect), and once a new server listens on the same port every client resumes:
each message typed is stored once and shown on every screen of its dialog."""

import asyncio
import http.client
import json

import pytest
from channels.db import database_sync_to_async
from chat_client import ChatClient
from django.conf import settings
from django.test import Client
from live_stack import draining_server
from test_delivery_under_faults import until

from chat.dialogs import lifecycle
from chat.models import Message, Visitor

pytestmark = pytest.mark.django_db(transaction=True)

VISITORS = 3
MESSAGES = 30  # per client; the drain comes after the first third
PACE = 0.05
DRAIN_TIMEOUT = 30
SETTLE_SECONDS = 60


@pytest.fixture
def server(transactional_db):
    with draining_server(
        {
            "DRAIN_SPREAD_SECONDS": "1",
            # The sockets close while the clients still write (with the default 2 s notice for
            # a balancer, all 30 messages were sent before the first close and nobody needed
            # to come back: tests/faults/test_drain_healthz.py covers the notice).
            "DRAIN_NOTICE_SECONDS": "0",
            # No balancer in front: the clients' reconnects are refused until the new server
            # listens, rather than reaching the draining one again (docs/operations.md).
            "DRAIN_LISTEN_SECONDS": "0",
            "DRAIN_TIMEOUT_SECONDS": str(DRAIN_TIMEOUT),
            "CHAT_RATE_MESSAGES_PER_VISITOR": "100000",
            "CHAT_RATE_MESSAGES_PER_IP": "1000000",
        },
        name="drain-serve",
    ) as process:
        yield process


def operator_cookie(operator) -> str:
    client = Client()
    client.force_login(operator.user)
    return f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"


def transcripts() -> dict[int, list[int]]:
    found: dict[int, list[int]] = {}
    for dialog, message in Message.objects.order_by("id").values_list("dialog_id", "id"):
        found.setdefault(dialog, []).append(message)
    return found


def healthz_on(connection: http.client.HTTPConnection) -> tuple[int, dict]:
    connection.request("GET", "/healthz")
    response = connection.getresponse()
    return response.status, json.loads(response.read())


async def test_sigterm_drains_sockets_and_clients_resume_on_the_new_server(
    server, make_site, make_operator
):
    site = await database_sync_to_async(make_site)(name="drain.example")
    operator = await database_sync_to_async(make_operator)(
        username="anna", display_name="Anna", sites=[site]
    )
    origin = f"http://127.0.0.1:{server.port}"
    socket_url = f"ws://127.0.0.1:{server.port}"
    visitors = [
        ChatClient(f"v{n}", f"{socket_url}/ws/visitor/{site.widget_key}/", origin)
        for n in range(VISITORS)
    ]
    tasks = [asyncio.create_task(client.run()) for client in visitors]
    dialogs = []
    for client in visitors:
        await asyncio.wait_for(client.ready.wait(), 20)
        client_id = await client.write(f"{client.name}-hello")
        await until(lambda c=client, i=client_id: i in c.acked, "the first message's ack")
        dialog = await database_sync_to_async(
            lambda i=client_id: Message.objects.get(client_id=i).dialog_id
        )()
        client.visitor_dialog = dialog
        dialogs.append(dialog)
        await database_sync_to_async(lifecycle.connect_operator)(
            operator=operator, dialog_id=dialog
        )
    cookie = await database_sync_to_async(operator_cookie)(operator)
    console = ChatClient("anna", f"{socket_url}/ws/console/", origin, cookie=cookie)
    console.dialog = dialogs[0]
    clients = [*visitors, console]
    tasks.append(asyncio.create_task(console.run()))
    await asyncio.wait_for(console.ready.wait(), 20)
    tasks += [asyncio.create_task(client.resend_stale()) for client in clients]
    # A load balancer's health check, on a connection it keeps open.
    probe = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    assert (await asyncio.to_thread(healthz_on, probe))[0] == 200

    async def writes(client, dialog_of=lambda number: None):
        for number in range(MESSAGES):
            await client.write(f"{client.name}-{number}", dialog_of(number))
            await asyncio.sleep(PACE)

    writers = [asyncio.create_task(writes(client)) for client in visitors]
    writers.append(
        asyncio.create_task(writes(console, lambda number: dialogs[number % len(dialogs)]))
    )
    await until(lambda: len(console.typed) >= MESSAGES // 3, "a third of the messages typed")

    server.terminate()

    async def draining_health():
        status, body = await asyncio.to_thread(healthz_on, probe)
        return (status, body) if status == 404 else None

    assert await until(draining_health, "/healthz answers 404") == (
        404,
        {"status": "draining", "draining": True},
    )
    await until(lambda: all(c.closes for c in clients), "every socket closed")
    exit_code = await asyncio.to_thread(server.process.wait, DRAIN_TIMEOUT + 15)
    assert exit_code == 0, server.log_tail()
    log = server.log_tail()
    assert "drained in" in log and "drain timeout" not in log, log
    # Closed with 4012 ("reconnect now"), not dropped (1006), and nobody left counted online.
    assert [client.closes for client in clients] == [{4012: 1}] * len(clients)
    assert (
        await database_sync_to_async(
            lambda: list(Visitor.objects.values_list("open_sockets", flat=True))
        )()
        == [0] * VISITORS
    )
    probe.close()

    await asyncio.to_thread(server.start)  # the new version, on the same port
    await asyncio.gather(*writers)

    async def settled():
        stored = await database_sync_to_async(transcripts)()
        return all(
            not c.outbox
            and sorted(c.screen) == stored[c.dialog if c.is_console else c.visitor_dialog]
            for c in clients
        )

    await until(settled, "every message acknowledged and on every screen", timeout=SETTLE_SECONDS)
    # Every client came back by itself (one with nothing left to send may still be in its
    # reconnect jitter when the screens settle).
    await until(lambda: all(c.reconnects for c in clients), "every client back", timeout=30)
    for client in clients:
        client.stopped = True
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)

    typed = {cid for c in clients for cid in c.typed}
    stored = await database_sync_to_async(
        lambda: list(Message.objects.exclude(client_id="").values_list("client_id", flat=True))
    )()
    assert sorted(stored) == sorted(typed)  # each one once: none lost, none twice
    print(
        "\n[drain] "
        + json.dumps(
            {
                "typed": len(typed),
                "stored": len(stored),
                "closes": [c.closes for c in clients],
                "reconnect_s": [round(t, 2) for c in clients for t in c.reconnects],
            }
        )
    )
