"""Exactly one beat scheduler across hosts (celery-redbeat's lock in Redis,
config/settings_storage.py): two real `celery beat` processes share one Redis; only the
lock holder sends the periodic tasks, and when it is killed the other takes over within a
minute. Redis is REDIS_URL's when set, else a redis-server of the test's own."""

import os
import re
import secrets
import signal
import sys
import time

import pytest
import redis

from tests.live_stack import ARTIFACTS, Stack, redis_server

TASK = "offer-waiting-dialogs"  # every CHAT_OFFER_CHECK_SECONDS (1 s here)
SENT = re.compile(rf"Sending due task {TASK}\b")


@pytest.fixture
def redis_url(tmp_path):
    if os.environ.get("REDIS_URL"):
        yield os.environ["REDIS_URL"]
        return
    stack = Stack()
    try:
        server = redis_server(stack, tmp_path, name="beat-redis")
        server.start()
    except (OSError, RuntimeError) as error:
        stack.stop()
        pytest.skip(f"no Redis for the beat test: {error}")
    yield f"redis://127.0.0.1:{server.port}/0"
    stack.stop()


def sent(process) -> int:
    return len(SENT.findall(process.log_path.read_text(errors="replace")))


def wait_until(condition, seconds: float, what: str, *processes) -> float:
    """Seconds it took; fails with the processes' logs after `seconds`."""
    started = time.monotonic()
    while not condition():
        if time.monotonic() - started > seconds:
            logs = "\n".join(p.log_path.read_text(errors="replace")[-2000:] for p in processes)
            pytest.fail(f"{what} not within {seconds} s\n{logs}")
        time.sleep(0.2)
    return time.monotonic() - started


def test_two_beats_on_two_hosts_send_each_periodic_task_once_and_the_survivor_takes_over(
    redis_url,
):
    prefix = f"beat-test-{secrets.token_hex(4)}"
    queue = f"{prefix}-queue"
    env = {
        **os.environ,
        "REDIS_URL": redis_url,
        "CHANNEL_PREFIX": prefix,
        "CELERY_TASK_DEFAULT_QUEUE": queue,  # no worker of anyone's reads it
        "CHAT_OFFER_CHECK_SECONDS": "1",
        "BEAT_LOCK_TIMEOUT_SECONDS": "10",
        "BEAT_MAX_LOOP_INTERVAL_SECONDS": "1",
    }
    args = [sys.executable, "-m", "celery", "-A", "config", "beat", "--loglevel", "info"]
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    stack = Stack()
    client = redis.Redis.from_url(redis_url)
    try:
        first = stack.start("beat-host-1", args, env=env)
        wait_until(lambda: sent(first) >= 2, 60, "the first beat sending", first)
        second = stack.start("beat-host-2", args, env=env)
        wait_until(
            lambda: "beat: Starting" in second.log_path.read_text(errors="replace"),
            60,
            "the second beat starting",
            second,
        )
        before = sent(first)
        wait_until(lambda: sent(first) >= before + 5, 60, "the holder going on", first)
        assert sent(second) == 0, "both beats sent the schedule"
        assert client.ttl(f"{prefix}:beat::lock") > 0  # the lock, with its lifetime
        assert "falling back" not in first.log_path.read_text()  # its own Redis URL is set

        holder_sent = sent(first)
        first.send_signal(signal.SIGKILL)  # the host dies: no lock release
        first.wait(timeout=10)
        takeover = wait_until(lambda: sent(second) >= 1, 60, "the takeover", second)
        wait_until(lambda: sent(second) >= 3, 30, "the survivor going on", second)
        survivor_sent = sent(second)
        second.send_signal(signal.SIGTERM)
        second.wait(timeout=15)

        # Every send reached the broker once: the queue holds exactly the sends logged.
        total = sum(
            1 for raw in client.lrange(queue, 0, -1) if TASK.replace("-", "_") in raw.decode()
        )
        assert total == holder_sent + sent(second) >= holder_sent + survivor_sent
        print(f"takeover after the holder's kill: {takeover:.1f} s; sent {holder_sent} + "
              f"{sent(second)}")  # fmt: skip
        assert takeover < 60
    finally:
        stack.stop()
        for key in client.scan_iter(f"{prefix}*"):
            client.delete(key)
        client.delete(queue)
