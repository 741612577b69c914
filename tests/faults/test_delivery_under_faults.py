"""Delivery under faults, on real processes: 10 visitors and 3 operators (connected to all
the dialogs, each with a console socket that has one of them open and writes to all) write
at once while the ASGI server is killed, Redis is killed, or the database is cut off;
clients behave as the widget and the console do (chat_client.py).
Afterwards every acknowledged message is in the database once and on every screen that
shows its dialog once, in the database's order; the figures are printed (run with -s)."""

import asyncio
import json
import os
import statistics
import time
import urllib.error
import urllib.request

import pytest
from channels.db import database_sync_to_async
from chat_client import ChatClient
from django.conf import settings
from django.test import Client

from chat.dialogs import lifecycle
from chat.models import Message

PRODUCTION_STACK = os.environ.get("DATABASE_URL", "").startswith(
    ("postgres://", "postgresql://", "pgsql://")
) and bool(os.environ.get("REDIS_URL"))

pytestmark = [
    pytest.mark.production_stack,
    pytest.mark.skipif(
        not PRODUCTION_STACK,
        reason="needs DATABASE_URL (PostgreSQL) and REDIS_URL: real server processes",
    ),
    pytest.mark.django_db(transaction=True),
]

VISITORS = 10
OPERATORS = 3
# Per fault: 10 visitors x (1 + 85) + 3 operators x 284 = 1,712 messages; 5,136 over the
# three faults (the issue asks for 5,000).
VISITOR_MESSAGES = int(os.environ.get("FAULTS_VISITOR_MESSAGES", 85))
OPERATOR_MESSAGES = int(os.environ.get("FAULTS_OPERATOR_MESSAGES", 284))
# A client types its next message once fewer than IN_FLIGHT of his are unacknowledged, so
# the test offers what the server can store (one Daphne process: about 40-60 messages/s,
# docs/performance.md) however fast the machine is, with 13 x IN_FLIGHT messages in the
# air when a fault strikes. Writing faster only queues frames behind each other.
IN_FLIGHT = 8
PACE = 0.02  # seconds between two messages of one client, at least
FAULT_AFTER = 3.0  # seconds of writing before the fault
SETTLE_SECONDS = 60  # at most, for the last acks and screens once everything was typed


@pytest.fixture
def team(make_site, make_operator):
    """A site and its three operators, each with a session cookie."""
    site = make_site(name="faults.example")
    operators = []
    for number in range(OPERATORS):
        operator = make_operator(
            username=f"op{number}",
            display_name=f"Op{number}",
            sites=[site],
            can_see_others=True,
            can_join_others=True,
        )
        client = Client()
        client.force_login(operator.user)
        cookie = (
            f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"
        )
        operators.append((operator, cookie))
    return site, operators


async def until(condition, what: str, *, timeout: float = 30.0):
    """Wait for condition() (sync, or returning an awaitable) to give a truthy value."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if asyncio.iscoroutine(value):
            value = await value
        if value:
            return value
        await asyncio.sleep(0.1)
    raise AssertionError(f"not within {timeout} s: {what}")


async def health_failing(stack) -> tuple[int, dict]:
    """/healthz once it has noticed the fault: 503 and its body."""

    async def answer():
        status, body = await asyncio.to_thread(healthz, stack)
        return (status, body) if status == 503 else None

    return await until(answer, "/healthz answers 503")


def healthz(stack) -> tuple[int, dict]:
    try:
        response = urllib.request.urlopen(stack.url("/healthz"), timeout=10)
    except urllib.error.HTTPError as error:
        response = error
    return response.status, json.loads(response.read())


async def open_conversations(stack, team):
    """Visitors write first (that opens their dialogs), operators connect, and one console
    tab per dialog opens it."""
    site, operators = team
    visitors = [
        ChatClient(f"v{n}", stack.url(f"/ws/visitor/{site.widget_key}/", "ws"), stack.origin)
        for n in range(VISITORS)
    ]
    tasks = [asyncio.create_task(client.run()) for client in visitors]
    dialogs = []
    for client in visitors:
        await asyncio.wait_for(client.ready.wait(), 20)
        client_id = await client.write(f"{client.name}-hello")
        while client_id not in client.acked:
            await asyncio.sleep(0.02)
        dialog = await database_sync_to_async(
            lambda cid=client_id: Message.objects.get(client_id=cid).dialog_id
        )()
        dialogs.append(dialog)
    consoles = []
    for number, (operator, cookie) in enumerate(operators):
        for dialog in dialogs:
            await database_sync_to_async(lifecycle.connect_operator)(
                operator=operator, dialog_id=dialog
            )
        console = ChatClient(
            f"op{number}", stack.url("/ws/console/", "ws"), stack.origin, cookie=cookie
        )
        console.dialog = dialogs[number]  # the dialog his console shows
        consoles.append(console)
        tasks.append(asyncio.create_task(console.run()))
    for console in consoles:
        await asyncio.wait_for(console.ready.wait(), 20)
    for client, dialog in zip(visitors, dialogs, strict=True):
        client.visitor_dialog = dialog
    return visitors, consoles, tasks


async def converse_through(stack, team, fault) -> dict:
    visitors, consoles, tasks = await open_conversations(stack, team)
    clients = visitors + consoles
    tasks += [asyncio.create_task(client.resend_stale()) for client in clients]

    dialogs = [visitor.visitor_dialog for visitor in visitors]

    async def writes(client, count, dialog_of=lambda number: None):
        for number in range(count):
            while len(client.outbox) >= IN_FLIGHT:
                await asyncio.sleep(PACE)
            await client.write(f"{client.name}-{number}", dialog_of(number))
            await asyncio.sleep(PACE)

    writers = [asyncio.create_task(writes(client, VISITOR_MESSAGES)) for client in visitors]
    writers += [
        asyncio.create_task(
            writes(client, OPERATOR_MESSAGES, lambda number: dialogs[number % len(dialogs)])
        )
        for client in consoles
    ]
    started = time.monotonic()
    await asyncio.sleep(FAULT_AFTER)
    health_during_fault = await fault(clients)
    await asyncio.gather(*writers)
    typed = time.monotonic()

    deadline = time.monotonic() + SETTLE_SECONDS
    while time.monotonic() < deadline:
        transcripts = await database_sync_to_async(stored_transcripts)()
        if all(
            not c.outbox and sorted(c.screen) == [m[0] for m in transcripts[screen_dialog(c)]]
            for c in clients
        ):
            break
        await asyncio.sleep(0.5)
    for client in clients:
        client.stopped = True
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    result = figures(visitors, consoles, transcripts, health_during_fault)
    resent = {cid: at for c in clients for cid, at in c.resent_on_reconnect.items()}
    stored_at = await database_sync_to_async(stored_times)(list(resent))
    # Copies of messages the server had stored before the socket dropped, unacknowledged:
    # the server recognised them by client_id (else "duplicates" would count them).
    result["resent_already_stored"] = sum(
        1 for cid, at in resent.items() if cid in stored_at and stored_at[cid] < at
    )
    result["seconds_typing"] = round(typed - started, 1)
    result["seconds_to_settle"] = round(time.monotonic() - typed, 1)
    return result


def screen_dialog(client) -> int:
    return client.dialog if client.is_console else client.visitor_dialog


def stored_transcripts() -> dict[int, list[tuple[int, str, str | None]]]:
    transcripts: dict[int, list] = {}
    for row in Message.objects.order_by("id").values_list("dialog_id", "id", "text", "client_id"):
        transcripts.setdefault(row[0], []).append(row[1:])
    return transcripts


def stored_times(client_ids) -> dict[str, float]:
    rows = Message.objects.filter(client_id__in=client_ids).values_list("client_id", "created_at")
    return {client_id: created_at.timestamp() for client_id, created_at in rows}


def figures(visitors, consoles, transcripts, health) -> dict:
    clients = visitors + consoles
    stored = [m for messages in transcripts.values() for m in messages]
    stored_texts = [text for _id, text, client_id in stored if client_id]
    acked = {cid: mid for c in clients for cid, mid in c.acked.items()}
    stored_ids = {m[0] for m in stored}
    lost = [cid for cid, mid in acked.items() if mid not in stored_ids]
    missing_on_screens = {}
    extra_on_screens = {}
    for client in clients:
        expected = [m[0] for m in transcripts[screen_dialog(client)]]
        shown = sorted(client.screen)
        missing_on_screens[client.name] = sorted(set(expected) - set(shown))
        extra_on_screens[client.name] = sorted(set(shown) - set(expected))
        lost += [cid for cid, mid in client.acked.items() if mid in expected and mid not in shown]
    reconnects = [t for c in clients for t in c.reconnects]
    return {
        "sent": sum(len(c.typed) for c in clients),
        "frames_sent": sum(c.frames_sent for c in clients),
        "copies_resent": merged([c.copies for c in clients]),
        "acked": len(acked),
        "unacked": sum(len(c.outbox) for c in clients),
        "stored": len(stored_texts),
        "shown_visitors": sum(len(c.screen) for c in visitors),
        "shown_consoles": sum(len(c.screen) for c in consoles),
        "duplicates": len(stored_texts) - len(set(stored_texts)),
        "lost": len(lost),
        "missing_on_screens": sum(len(v) for v in missing_on_screens.values()),
        "extra_on_screens": sum(len(v) for v in extra_on_screens.values()),
        "screens_missing": {k: v[:5] for k, v in missing_on_screens.items() if v},
        "reconnects": len(reconnects),
        "clients_reconnected": sum(1 for c in clients if c.reconnects),
        "reconnect_max_s": round(max(reconnects), 2) if reconnects else None,
        "reconnect_median_s": round(statistics.median(reconnects), 2) if reconnects else None,
        "errors": merged([c.errors for c in clients]),
        "closes": merged([c.closes for c in clients]),  # by close code
        "paused_notices": sum(c.paused_notices for c in clients),
        "healthz_during_fault": health,
    }


def merged(counters) -> dict:
    total: dict = {}
    for counter in counters:
        for key, value in counter.items():
            total[key] = total.get(key, 0) + value
    return total


TOTALS = ("sent", "acked", "stored", "duplicates", "lost", "missing_on_screens")
results: dict[str, dict] = {}


@pytest.fixture(scope="module", autouse=True)
def print_totals():
    """The issue's count over every fault run of the module, printed at its end (-s)."""
    yield
    if results:
        total = {key: sum(result[key] for result in results.values()) for key in TOTALS}
        print(f"\n[faults] total over {len(results)} faults: " + json.dumps(total))


def check(name: str, result: dict) -> None:
    print(f"\n[faults] {name}: " + json.dumps(result, sort_keys=True))
    results[name] = result
    assert result["sent"] == VISITORS * (1 + VISITOR_MESSAGES) + OPERATORS * OPERATOR_MESSAGES
    assert result["unacked"] == 0, result
    assert result["acked"] == result["sent"], result
    assert result["stored"] == result["sent"], result
    assert result["duplicates"] == 0, result
    assert result["lost"] == 0, result
    assert result["missing_on_screens"] == 0, result
    assert result["extra_on_screens"] == 0, result


async def test_asgi_server_killed_and_started_again(faulty_stack, team):
    async def fault(_clients):
        faulty_stack.server.kill()
        await asyncio.to_thread(faulty_stack.server.start)
        return None

    result = await converse_through(faulty_stack, team, fault)
    check("daphne kill -9 + restart", result)
    # Every socket dropped (1006: no close frame from a dead server) and came back by itself.
    assert result["closes"].get(1006) == VISITORS + OPERATORS
    assert result["clients_reconnected"] == VISITORS + OPERATORS


async def test_redis_killed_and_started_again(faulty_stack, team):
    async def fault(clients):
        faulty_stack.redis.kill()
        health = await health_failing(faulty_stack)
        await until(
            lambda: any(c.paused_notices for c in clients), "a socket says delivery is paused"
        )
        await asyncio.to_thread(faulty_stack.redis.start)
        return health

    result = await converse_through(faulty_stack, team, fault)
    check("redis kill -9 + restart", result)
    status, body = result["healthz_during_fault"]
    assert status == 503
    assert body["checks"]["database"]["ok"] is True
    assert body["checks"]["channel_layer"]["ok"] is False
    assert body["checks"]["broker"]["ok"] is False
    assert result["paused_notices"] > 0  # the sockets said live delivery was paused
    # and closed with 4012 once it was back, so every client resumed from the database.
    assert result["closes"].get(4012, 0) >= VISITORS + OPERATORS
    assert result["clients_reconnected"] == VISITORS + OPERATORS
    status, body = await asyncio.to_thread(healthz, faulty_stack)
    assert (status, body["status"]) == (200, "ok")  # and says so once Redis is back


async def test_database_cut_off_for_a_while(faulty_stack, team):
    async def fault(clients):
        faulty_stack.db_proxy.cut()
        health = await health_failing(faulty_stack)
        await until(
            lambda: any(c.errors.get("unavailable") for c in clients),
            "a message is refused as unavailable",
        )
        faulty_stack.db_proxy.restore()
        return health

    result = await converse_through(faulty_stack, team, fault)
    check("database cut until messages are refused", result)
    status, body = result["healthz_during_fault"]
    assert status == 503
    assert body["checks"]["database"]["ok"] is False
    assert body["checks"]["channel_layer"]["ok"] is True
    assert result["errors"].get("unavailable", 0) > 0  # refused, not acknowledged
