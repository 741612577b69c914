"""Redis failover under Redis Sentinel, on real processes: a master and one replica, three
sentinels (down after 1 s), Daphne and a Celery worker configured with REDIS_SENTINELS
only (config/redis_topology.py). 10 visitors and 3 operators converse as in
test_delivery_under_faults.py (same clients and counts) while the master is killed with
SIGKILL (or, second case, demoted by an operator's SENTINEL FAILOVER while it stays up);
the sentinels promote the replica and the channel layer, the cache (rate limits), the
presence store and the Celery broker follow it.

Replication is asynchronous, so what the old master acknowledged just before it died may
be missing on the new one: the database is the source of truth and clients resync, as
after a Redis restart. Afterwards every acknowledged message is stored once and shown once
on every screen of its dialog; /healthz answers 200 and the worker answers a ping through
the new master. The figures go to test-artifacts/failover/redis-sentinel-<case>.json (and
are printed with -s)."""

import asyncio
import json
import os
import shutil
import sys
import time
import uuid
from pathlib import Path

import pytest
import redis
from celery import Celery
from live_stack import (
    ROOT,
    Restartable,
    Stack,
    daphne,
    database_url_of_test_db,
    free_port,
    redis_server,
)
from test_delivery_under_faults import (
    OPERATORS,
    VISITORS,
    check,
    converse_through,
    healthz,
    team,  # noqa: F401 (a fixture)
    until,
)

from config.redis_topology import RedisTopology

POSTGRES = os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://"))
SENTINEL_BINARY = shutil.which("redis-sentinel")  # Debian's redis-sentinel package
SENTINEL_AVAILABLE = SENTINEL_BINARY is not None
if os.environ.get("REQUIRE_SENTINEL") == "1" and not SENTINEL_AVAILABLE:
    raise RuntimeError("REQUIRE_SENTINEL=1 but Debian's redis-sentinel is not installed")

pytestmark = [
    pytest.mark.production_stack,
    pytest.mark.skipif(not POSTGRES, reason="needs DATABASE_URL on PostgreSQL: real processes"),
    pytest.mark.skipif(not SENTINEL_AVAILABLE, reason="redis-sentinel is not installed"),
    pytest.mark.django_db(transaction=True),
]

MASTER_NAME = "livechat"
SENTINELS = 3
QUORUM = 2
DOWN_AFTER_MS = 1000
FAILOVER_TIMEOUT_MS = 3000
ARTIFACTS = ROOT / "test-artifacts" / "failover"


def sentinel_server(stack: Stack, directory: Path, number: int, master_port: int):
    """A redis-sentinel process watching the master; it rewrites its own config file."""
    port = free_port()
    config = directory / f"sentinel-{number}.conf"
    config.write_text(
        f"port {port}\n"
        "bind 127.0.0.1\n"
        f"dir {directory}\n"
        f"sentinel monitor {MASTER_NAME} 127.0.0.1 {master_port} {QUORUM}\n"
        f"sentinel down-after-milliseconds {MASTER_NAME} {DOWN_AFTER_MS}\n"
        f"sentinel failover-timeout {MASTER_NAME} {FAILOVER_TIMEOUT_MS}\n"
        f"sentinel parallel-syncs {MASTER_NAME} 1\n"
    )
    args = [SENTINEL_BINARY, str(config)]
    return Restartable(stack, f"failover-sentinel-{number}", port, args)


class SentinelStack:
    def __init__(self, server, worker, master, replica, sentinels, topology):
        self.server, self.worker = server, worker
        self.master, self.replica, self.sentinels = master, replica, sentinels
        self.topology = topology

    def url(self, path: str, scheme: str = "http") -> str:
        return f"{scheme}://127.0.0.1:{self.server.port}{path}"

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self.server.port}"

    def master_by_sentinels(self) -> set[int]:
        """The master's port as each sentinel that answers names it."""
        ports = set()
        for sentinel in self.sentinels:
            client = redis.Redis(port=sentinel.port, socket_timeout=1, socket_connect_timeout=1)
            try:
                host, port = client.sentinel_get_master_addr_by_name(MASTER_NAME)
                ports.add(int(port))
            except (redis.RedisError, TypeError):
                pass
            finally:
                client.close()
        return ports


def info(port: int, section: str) -> dict:
    client = redis.Redis(port=port, socket_timeout=1, socket_connect_timeout=1)
    try:
        return client.info(section)
    except redis.RedisError:
        return {}
    finally:
        client.close()


def sentinels_ready(sentinels) -> bool:
    """Every sentinel knows the replica and the two other sentinels."""
    for sentinel in sentinels:
        client = redis.Redis(port=sentinel.port, socket_timeout=1, socket_connect_timeout=1)
        try:
            state = client.sentinel_master(MASTER_NAME)
        except redis.RedisError:
            return False
        finally:
            client.close()
        if state.get("num-slaves") != 1 or state.get("num-other-sentinels") != SENTINELS - 1:
            return False
    return True


def celery_app(topology: RedisTopology) -> Celery:
    # Not the current app: shared tasks sent by later tests (.delay()) would go to this
    # one's broker, the sentinels this test has stopped.
    return Celery(
        "failover-test",
        set_as_current=False,
        broker=topology.celery_broker_url(),
        broker_transport_options=topology.celery_broker_transport_options(),
    )


def beat_sends(worker) -> int:
    """Periodic tasks the worker's beat has sent so far."""
    return worker.log_path.read_text(errors="replace").count("Sending due task")


def worker_answers(app: Celery) -> bool:
    try:
        return bool(app.control.ping(timeout=2.0))
    except Exception:  # the broker is still moving
        return False


@pytest.fixture
async def sentinel_stack(transactional_db, tmp_path, settings):
    stack = Stack()
    master = redis_server(stack, tmp_path, name="failover-redis-master")
    await asyncio.to_thread(master.start)
    replica = redis_server(stack, tmp_path, name="failover-redis-replica")
    replica.args += ["--replicaof", "127.0.0.1", str(master.port)]
    sentinels = [
        sentinel_server(stack, tmp_path, number, master.port) for number in range(SENTINELS)
    ]
    prefix = f"failover{uuid.uuid4().hex[:8]}"
    topology = RedisTopology(
        url="redis:///0",
        sentinels=tuple(("127.0.0.1", s.port) for s in sentinels),
        master_name=MASTER_NAME,
    )
    env = {
        "DATABASE_URL": database_url_of_test_db(),
        "REDIS_URL": "",
        "REDIS_SENTINELS": ",".join(f"127.0.0.1:{s.port}" for s in sentinels),
        "REDIS_SENTINEL_MASTER": MASTER_NAME,
        "CHANNEL_PREFIX": prefix,
        "CELERY_TASK_DEFAULT_QUEUE": prefix,
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "LOG_LEVEL": "WARNING",
        "DB_POOL_MIN": "1",
        "CHAT_RATE_MESSAGES_PER_VISITOR": "100000",
        "CHAT_RATE_MESSAGES_PER_IP": "1000000",
        # The worker's beat (celery-redbeat, its lock in Redis) sends this harmless task
        # every second: it must go on sending through the new master.
        "CRM_REQUEUE_CHECK_SECONDS": "1",
        "BEAT_MAX_LOOP_INTERVAL_SECONDS": "1",
        "BEAT_LOCK_TIMEOUT_SECONDS": "10",
        "CELERY_BEAT_SCHEDULE_FILENAME": str(tmp_path / "beat-schedule"),
    }
    # This process publishes too (services called by the test): on the same layer.
    settings.CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "chat.realtime.layer.ResilientPubSubLayer",
            "CONFIG": {"hosts": topology.channel_layer_hosts(), "prefix": prefix},
        }
    }
    server = daphne(stack, env, name="failover-daphne")
    worker_args = [sys.executable, "-m", "celery", "-A", "config", "worker", "-Q", prefix,
                   "--beat", "--pool", "solo", "--loglevel", "info",
                   "--without-gossip", "--without-mingle"]  # fmt: skip
    try:
        await asyncio.to_thread(replica.start)
        for sentinel in sentinels:
            await asyncio.to_thread(sentinel.start)
        await until(
            lambda: info(replica.port, "replication").get("master_link_status") == "up",
            "the replica is in sync",
        )
        await until(lambda: sentinels_ready(sentinels), "the sentinels see each other", timeout=60)
        worker = stack.start("failover-celery", worker_args, env={**os.environ, **env})
        await asyncio.to_thread(server.start)
        yield SentinelStack(server, worker, master, replica, sentinels, topology)
    finally:
        await asyncio.to_thread(stack.stop)


HOW = {
    # The master's host dies: nothing answers until the replica is promoted.
    "sigkill": "redis master kill -9, sentinel failover",
    # An operator's SENTINEL FAILOVER: the old master stays up and is demoted, so clients
    # still connected to it must move (the sentinels close their connections).
    "manual": "SENTINEL FAILOVER, old master demoted",
}


@pytest.mark.parametrize("how", list(HOW))
async def test_master_lost_mid_conversation_sentinels_promote_the_replica(
    sentinel_stack,
    team,  # noqa: F811
    how,
):
    stack = sentinel_stack
    app = celery_app(stack.topology)
    await until(lambda: worker_answers(app), "the Celery worker answers", timeout=60)
    timeline = {}

    async def fault(clients):
        assert stack.master_by_sentinels() == {stack.master.port}
        before = {client.name: len(client.reconnects) for client in clients}
        killed = time.monotonic()
        if how == "sigkill":
            stack.master.kill()
        else:
            sentinel = redis.Redis(port=stack.sentinels[0].port, socket_timeout=5)
            sentinel.execute_command("SENTINEL FAILOVER", MASTER_NAME)
            sentinel.close()
        await until(
            lambda: stack.master_by_sentinels() == {stack.replica.port},
            "every sentinel names the replica as the master",
        )
        timeline["failover_s"] = round(time.monotonic() - killed, 2)
        await until(
            lambda: info(stack.replica.port, "replication").get("role") == "master",
            "the replica is promoted",
        )
        statuses = []

        async def healthy():
            status, _body = await asyncio.to_thread(healthz, stack)
            statuses.append(status)
            return status == 200

        await until(healthy, "/healthz answers 200 on the new master")
        timeline["healthz_ok_s"] = round(time.monotonic() - killed, 2)
        timeline["healthz_503_seen"] = 503 in statuses
        # Every socket was closed (4012) and its client came back and resumed.
        await until(
            lambda: all(len(c.reconnects) > before[c.name] and c.ready.is_set() for c in clients),
            "every client reconnected and resumed",
        )
        timeline["all_resynced_s"] = round(time.monotonic() - killed, 2)
        await until(
            lambda: asyncio.to_thread(worker_answers, app),
            "the Celery worker answers through the new master",
            timeout=60,
        )
        timeline["celery_ping_s"] = round(time.monotonic() - killed, 2)
        sent_before = beat_sends(stack.worker)
        await until(
            lambda: beat_sends(stack.worker) > sent_before,
            "the beat sends a periodic task through the new master",
            timeout=60,
        )
        timeline["beat_sends_s"] = round(time.monotonic() - killed, 2)
        return None

    result = await converse_through(stack, team, fault)
    result.update(timeline)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / f"redis-sentinel-{how}.json").write_text(
        json.dumps(result, indent=2, sort_keys=True)
    )
    check(HOW[how], result)
    # Every socket lost its live delivery (the layer's connections died with the master)
    # and resumed from the database once the layer answered on the new master.
    assert result["clients_reconnected"] == VISITORS + OPERATORS
    status, body = await asyncio.to_thread(healthz, stack)
    assert (status, body["status"]) == (200, "ok")
    assert stack.master_by_sentinels() == {stack.replica.port}  # no second failover
    assert await asyncio.to_thread(worker_answers, app)

    # The old master (started again) is made a replica of the new one by the sentinels.
    if how == "sigkill":
        await asyncio.to_thread(stack.master.start)
    await until(
        lambda: info(stack.master.port, "replication").get("master_port") == stack.replica.port,
        "the old master follows the new one",
        timeout=60,
    )
    assert stack.master_by_sentinels() == {stack.replica.port}
