"""Two real ASGI server processes sharing PostgreSQL and the Redis channel layer: a visitor
on one and an operator on the other talk to each other, as behind a load balancer."""

import asyncio
import contextlib
import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from websockets.asyncio.client import connect

PRODUCTION_STACK = os.environ.get("DATABASE_URL", "").startswith(
    ("postgres://", "postgresql://", "pgsql://")
) and bool(os.environ.get("REDIS_URL"))

pytestmark = [
    pytest.mark.production_stack,
    pytest.mark.skipif(
        not PRODUCTION_STACK, reason="needs DATABASE_URL (PostgreSQL) and REDIS_URL"
    ),
    pytest.mark.django_db(transaction=True),
]

PROJECT_DIR = Path(__file__).resolve().parents[2]
STARTUP_SECONDS = 30
FRAME_SECONDS = 5


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def port_open(port: int) -> bool:
    with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.2):
        return True
    return False


def database_url_of_test_db() -> str:
    """DATABASE_URL with the test database's name in place of the configured one."""
    url = urllib.parse.urlsplit(os.environ["DATABASE_URL"])
    return url._replace(path="/" + connection.settings_dict["NAME"]).geturl()


class Server:
    def __init__(self, port: int, process: subprocess.Popen, log: Path):
        self.port, self.process, self.log = port, process, log
        self.origin = f"http://127.0.0.1:{port}"

    def url(self, path: str, scheme: str = "http") -> str:
        return f"{scheme}://127.0.0.1:{self.port}{path}"

    def log_tail(self) -> str:
        return self.log.read_text(errors="replace")[-3000:] if self.log.exists() else ""


@pytest.fixture
def two_servers(transactional_db, tmp_path):
    """Servers A and B (daphne processes) on the test database and one Redis prefix."""
    env = {
        **os.environ,
        "DATABASE_URL": database_url_of_test_db(),
        "CHANNEL_PREFIX": f"twoservers{uuid.uuid4().hex[:12]}",
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "LOG_LEVEL": "WARNING",
        "DB_POOL_MIN": "1",
    }
    servers = []
    try:
        for name in ("a", "b"):
            port = free_port()
            log = tmp_path / f"daphne-{name}.log"
            with log.open("wb") as out:
                process = subprocess.Popen(
                    [
                        sys.executable,
                        "-m",
                        "daphne",
                        "-b",
                        "127.0.0.1",
                        "-p",
                        str(port),
                        "config.asgi:application",
                    ],
                    cwd=PROJECT_DIR,
                    env=env,
                    stdout=out,
                    stderr=subprocess.STDOUT,
                )
            servers.append(Server(port, process, log))
        deadline = time.monotonic() + STARTUP_SECONDS
        for server in servers:
            while not port_open(server.port):
                if server.process.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"daphne on port {server.port} did not start:\n{server.log_tail()}")
                time.sleep(0.1)
        yield servers
    finally:
        for server in servers:
            server.process.terminate()
        for server in servers:
            try:
                server.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.process.kill()
                server.process.wait()


@pytest.fixture
def shop(make_site, make_operator, client):
    """A site, its operator and his session cookie (sessions live in the shared database)."""
    site = make_site(name="shop.example")
    operator = make_operator(username="alice", display_name="Alice", sites=[site])
    client.force_login(operator.user)
    return site, operator, client.cookies[settings.SESSION_COOKIE_NAME].value


def http(server: Server, path: str, *, cookies: dict, data: dict | None = None):
    """A GET (or a form POST) on a server without following redirects: (status, body, cookies)."""

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    request = urllib.request.Request(
        server.url(path),
        data=urllib.parse.urlencode(data).encode() if data is not None else None,
        headers={"Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items())},
    )
    opener = urllib.request.build_opener(NoRedirect)
    try:
        response = opener.open(request, timeout=FRAME_SECONDS)
    except urllib.error.HTTPError as error:  # 3xx and 4xx land here without redirecting
        response = error
    set_cookies = {}
    for header in response.headers.get_all("Set-Cookie") or []:
        name, _, rest = header.partition("=")
        set_cookies[name] = rest.split(";", 1)[0]
    return response.status, response.read().decode(), set_cookies


def connect_over_http(server: Server, dialog_id: int, session: str) -> int:
    """Press "Connect to dialog" on the dialog page, CSRF token and all."""
    cookies = {settings.SESSION_COOKIE_NAME: session}
    status, page, set_cookies = http(server, f"/console/dialogs/{dialog_id}/", cookies=cookies)
    assert status == 200, page[:500]
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    cookies[settings.CSRF_COOKIE_NAME] = set_cookies[settings.CSRF_COOKIE_NAME]
    status, _, _ = http(
        server,
        f"/console/dialogs/{dialog_id}/connect/",
        cookies=cookies,
        data={"csrfmiddlewaretoken": token},
    )
    return status


async def next_of(ws, kind: str) -> dict:
    """The next frame of a type, skipping others (rows and echoes arrive in between)."""
    async with asyncio.timeout(FRAME_SECONDS):
        while True:
            frame = json.loads(await ws.recv())
            if frame["type"] == kind:
                return frame


async def test_visitor_on_one_server_and_operator_on_another_talk(two_servers, shop):
    server_a, server_b = two_servers
    site, alice, session = shop

    async with (
        connect(
            server_b.url("/ws/console/", "ws"),
            origin=server_b.origin,
            additional_headers={"Cookie": f"{settings.SESSION_COOKIE_NAME}={session}"},
        ) as console,
        connect(
            server_a.url(f"/ws/visitor/{site.widget_key}/", "ws"), origin=server_a.origin
        ) as widget,
    ):
        assert (await next_of(console, "hello"))["operator"]["name"] == "Alice"
        hello = await next_of(widget, "hello")
        assert hello["operators_online"] is True  # Alice's console on B counts on A

        # Visitor (A) -> the operator's list (B).
        await widget.send(json.dumps({"type": "message", "client_id": "v-1", "text": "Hello?"}))
        dialog_id = (await next_of(widget, "ack"))["dialog"]
        row = await next_of(console, "row")
        assert (row["dialog"], row["tab"]) == (dialog_id, "mine")
        assert "Hello?" in row["html"]

        # Alice presses Connect (an HTTP request on A); the visitor sees her join.
        status = await asyncio.to_thread(connect_over_http, server_a, dialog_id, session)
        assert status == 302
        dialog = (await next_of(widget, "dialog"))["dialog"]
        assert dialog["operators"] == [{"id": alice.id, "name": "Alice"}]

        # Operator (B) -> visitor (A).
        await console.send(json.dumps({"type": "watch", "dialog": dialog_id}))
        await next_of(console, "watching")
        await console.send(
            json.dumps(
                {
                    "type": "message",
                    "dialog": dialog_id,
                    "client_id": "o-1",
                    "text": "Hi, Alice here",
                }
            )
        )
        ack = await next_of(console, "ack")
        heard = await next_of(widget, "message")
        while heard["message"]["author"]["kind"] == "system":
            heard = await next_of(widget, "message")
        assert heard["message"]["id"] == ack["id"]
        assert heard["message"]["text"] == "Hi, Alice here"
        assert heard["message"]["author"] == {"kind": "operator", "name": "Alice"}

        # Visitor (A) -> the operator's open dialog (B), with its HTML.
        await widget.send(json.dumps({"type": "message", "client_id": "v-2", "text": "Thanks!"}))
        ack = await next_of(widget, "ack")
        message = await next_of(console, "message")
        while message["message"]["id"] != ack["id"]:
            message = await next_of(console, "message")
        assert message["message"]["text"] == "Thanks!"
        assert "Thanks!" in message["html"]

    for server in two_servers:
        assert server.process.poll() is None, server.log_tail()  # neither crashed
