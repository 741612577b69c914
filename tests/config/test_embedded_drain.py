"""`make run` (config/embedded.py) stopped with SIGTERM: its Daphne drains first, so an
open widget is closed with 4012 ("reconnect now"), not dropped, and is counted offline;
then Redis and the worker stop, and every process of the stack is gone."""

import asyncio
import os
import signal
import sys

import pytest
from channels.db import database_sync_to_async
from live_stack import Stack, database_url_of_test_db, free_port, wait_for_port
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from chat.models import Visitor

pytestmark = pytest.mark.django_db(transaction=True)


def alive(pid: int) -> bool:
    """Running (a zombie waiting for its reaper has stopped)."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def children_of(pid: int) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as stat:
                    fields = stat.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.append(int(entry))
    return found


async def test_sigterm_drains_the_embedded_server_then_stops_everything(make_site, tmp_path):
    site = await database_sync_to_async(make_site)(name="embedded.example")
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": database_url_of_test_db(),
        "PORT": str(port),
        "EMBEDDED_REDIS_PORT": str(free_port()),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DRAIN_SPREAD_SECONDS": "0.5",
        "DRAIN_TIMEOUT_SECONDS": "20",
    }
    env.pop("REDIS_URL", None)  # its own Redis, as `make run` on a fresh machine
    stack = Stack()
    embedded = stack.start("embedded", [sys.executable, "-m", "config.embedded"], env=env)
    try:
        await asyncio.to_thread(wait_for_port, port, embedded, embedded.log_path)
        children = children_of(embedded.pid)
        assert len(children) == 3  # Redis, the worker, Daphne
        origin = f"http://127.0.0.1:{port}"
        async with connect(
            f"ws://127.0.0.1:{port}/ws/visitor/{site.widget_key}/", origin=origin
        ) as widget:
            assert '"hello"' in await asyncio.wait_for(widget.recv(), 20)

            embedded.send_signal(signal.SIGTERM)

            with pytest.raises(ConnectionClosed):
                await asyncio.wait_for(widget.recv(), 30)
            assert widget.close_code == 4012
        assert await asyncio.to_thread(embedded.wait, 60) == 0
        assert [pid for pid in children if alive(pid)] == []
        assert await database_sync_to_async(
            lambda: list(Visitor.objects.values_list("open_sockets", flat=True))
        )() == [0]
    finally:
        stack.stop()
