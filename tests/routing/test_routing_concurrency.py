"""Many first messages at the same moment on two server processes (two Daphnes sharing
PostgreSQL and Redis, as in production): no operator is ever given more dialogs than his
capacity, none is lost (each is given or queued, exactly once), and after the beat's
pass every queued visitor's last `queue` frame names his true place.

Real processes, real connections: every decision takes the account's row lock
(routing/services.py), the same row chat locks to number a new dialog, so two processes
never both see the same free slot; meanwhile the beat's pass runs in this process too
(requeue and drain of the queue, taking the same lock), as a Celery worker would."""

import asyncio
import json
import os
import uuid

import pytest
from channels.db import database_sync_to_async
from django.db import connection
from live_stack import Stack, daphne, database_url_of_test_db, redis_server
from websockets.asyncio.client import connect

from chat.models import Dialog, Participant
from routing import queue, tasks
from routing.models import Assignment
from tests.routing.routing_factory import auto_assign, online, own_capacity

pytestmark = pytest.mark.django_db(transaction=True)

VISITORS = 40
CAPACITIES = {"anna": 2, "boris": 3, "vera": None}  # vera: the site's default, 4
SITE_DEFAULT = 4
PATIENCE_SECONDS = 60


@pytest.fixture
def servers(transactional_db, tmp_path):
    if connection.vendor != "postgresql":
        pytest.skip("two server processes need a shared PostgreSQL (DATABASE_URL)")
    stack = Stack()
    redis_url = os.environ.get("REDIS_URL")
    if not redis_url:
        redis = redis_server(stack, tmp_path, name="routing-redis")
        redis.start()
        redis_url = f"redis://127.0.0.1:{redis.port}/0"
    env = {
        "DATABASE_URL": database_url_of_test_db(),
        "REDIS_URL": redis_url,
        "CHANNEL_PREFIX": f"routing{uuid.uuid4().hex[:8]}",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "LOG_LEVEL": "WARNING",
        "DB_POOL_MIN": "1",
    }
    both = [daphne(stack, env, name=f"routing-daphne-{n}") for n in (1, 2)]
    try:
        for server in both:
            server.start()
        yield both
    finally:
        stack.stop()


@pytest.fixture
def shop(make_site, make_operator):
    site = make_site()
    auto_assign(site, capacity=SITE_DEFAULT, timeout=600)
    operators = {}
    for name, capacity in CAPACITIES.items():
        operators[name] = make_operator(sites=[site], username=name)
        if capacity:
            own_capacity(operators[name], capacity)
    online(*operators.values())
    return site, operators


class Visitor:
    def __init__(self, port, site):
        self.url = f"ws://127.0.0.1:{port}/ws/visitor/{site.widget_key}/"
        self.origin = f"http://127.0.0.1:{port}"
        self.frames = []

    async def open(self):
        self.ws = await connect(self.url, origin=self.origin, open_timeout=PATIENCE_SECONDS)
        hello = json.loads(await asyncio.wait_for(self.ws.recv(), PATIENCE_SECONDS))
        assert hello["type"] == "hello"
        self.reader = asyncio.create_task(self._read())

    async def _read(self):
        async for text in self.ws:
            self.frames.append(json.loads(text))

    async def write(self, start: asyncio.Event):
        await start.wait()
        await self.ws.send(json.dumps({"type": "message", "client_id": "c1", "text": "Hi"}))

    def acked(self) -> bool:
        return any(f["type"] == "ack" for f in self.frames)

    def last_place(self):
        places = [f["position"] for f in self.frames if f["type"] == "queue"]
        return places[-1] if places else None

    def dialog_id(self):
        for f in self.frames:
            if f["type"] == "ack":
                return f.get("dialog") or f.get("message", {}).get("dialog")
            if f["type"] == "message":
                return f["message"]["dialog"]
        return None

    async def close(self):
        await self.ws.close()
        self.reader.cancel()


def beat_passes(count: int) -> None:
    """The beat task, run as a worker would, while the burst arrives."""
    from django.db import connections

    try:
        for _ in range(count):
            tasks.route_dialogs()
    finally:
        connections.close_all()


async def wait_for(predicate, seconds=PATIENCE_SECONDS):
    for _ in range(int(seconds * 10)):
        if predicate():
            return True
        await asyncio.sleep(0.1)
    return predicate()


def _load():
    """Open dialogs per operator, dialogs and the queue, as stored."""
    stays = Participant.objects.connected().filter(dialog__status__in=Dialog.OPEN_STATUSES)
    per_operator = {}
    for operator_id in stays.values_list("operator_id", flat=True):
        per_operator[operator_id] = per_operator.get(operator_id, 0) + 1
    dialogs = list(Dialog.objects.values_list("id", flat=True))
    doubly = [d for d in dialogs if Participant.objects.connected().filter(dialog_id=d).count() > 1]
    queued = list(Assignment.objects.queued().values_list("dialog_id", flat=True))
    given = list(
        Assignment.objects.filter(assignee__isnull=False).values_list("dialog_id", flat=True)
    )
    return per_operator, dialogs, doubly, queued, given


async def test_a_burst_on_two_processes_never_exceeds_capacity_and_loses_no_dialog(servers, shop):
    site, operators = shop
    visitors = [Visitor(servers[i % 2].port, site) for i in range(VISITORS)]
    await asyncio.gather(*(v.open() for v in visitors))
    start = asyncio.Event()
    writes = asyncio.gather(*(v.write(start) for v in visitors))
    start.set()  # every first message leaves at once, half to each process
    await asyncio.gather(writes, asyncio.to_thread(beat_passes, 5))
    assert await wait_for(lambda: all(v.acked() for v in visitors)), "some message not stored"

    per_operator, dialogs, doubly, queued, given = await database_sync_to_async(_load)()
    limits = {op.id: (CAPACITIES[name] or SITE_DEFAULT) for name, op in operators.items()}
    assert len(dialogs) == VISITORS  # none lost, none doubled
    assert doubly == []
    for operator_id, limit in limits.items():
        assert per_operator.get(operator_id, 0) <= limit, (per_operator, limits)
    # Everyone is full and the rest waits: given + queued is every dialog, once.
    assert per_operator == limits
    assert sorted(given + queued) == sorted(dialogs)
    assert len(queued) == VISITORS - sum(limits.values())

    # As the beat would: every queued visitor's last frame names his true place.
    await database_sync_to_async(tasks.route_dialogs)()
    places = await database_sync_to_async(lambda: {d: queue.position_of(d) for d in queued})()
    assert sorted(places.values()) == list(range(1, len(queued) + 1))
    by_dialog = {v.dialog_id(): v for v in visitors}
    assert None not in by_dialog

    def all_told():
        return all(by_dialog[d].last_place() == place for d, place in places.items())

    assert await wait_for(all_told, 10), {
        d: (by_dialog[d].last_place(), p) for d, p in places.items()
    }
    await asyncio.gather(*(v.close() for v in visitors))
