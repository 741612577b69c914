"""Shared fixtures: factories for the tenant's rows and WebSocket clients of the real app.

Factories are plain functions behind fixtures, so a sync test calls them directly and an
async test wraps them: ``await database_sync_to_async(make_site)(...)`` (or builds its
rows in a sync fixture, which runs outside the event loop).
"""

import asyncio
import contextlib
import copy
import functools
import itertools
import json
import os
import re
import threading
import uuid

import pytest
from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer
from channels.layers import get_channel_layer
from channels.testing import WebsocketCommunicator
from django.conf import settings as django_settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core.management import call_command
from django.db import connections
from django.test import Client
from django.utils import translation

from chat.models import Site
from operators.models import Account, Operator

_sequence = itertools.count(1)


def _next() -> int:
    return next(_sequence)


def allowed_origin() -> bytes:
    """An Origin header that AllowedHostsOriginValidator accepts under ALLOWED_HOSTS."""
    host = next((h for h in django_settings.ALLOWED_HOSTS if h), "localhost")
    if host == "*":
        host = "localhost"
    elif host.startswith("."):  # a subdomain pattern
        host = "www" + host
    return f"http://{host}".encode()


PASSWORD = "secret-pass-123"


@functools.cache
def password_hash() -> str:
    """PASSWORD hashed once per run: the default hasher is slow on purpose, and a real hash
    keeps logging in with PASSWORD possible everywhere (a live server process too)."""
    return make_password(PASSWORD)


# --- factories ---------------------------------------------------------------------------


@pytest.fixture
def make_account(db):
    def make(*, name: str | None = None) -> Account:
        return Account.objects.create(name=name or f"Account {_next()}")

    return make


@pytest.fixture
def make_site(db, make_account):
    """make_site(account=None, operators=(), **fields): a site with its operators."""

    def make(*, account: Account | None = None, operators=(), **fields) -> Site:
        account = account or make_account()
        fields.setdefault("name", f"site-{_next()}.example")
        site = Site.objects.create(account=account, **fields)
        if operators:
            site.operators.add(*operators)
        return site

    return make


@pytest.fixture
def make_operator(db, make_account):
    """make_operator(account=None, sites=(), username=None, **fields): a Django user with
    an Operator profile, added to the given sites. The password is PASSWORD."""

    def make(
        *, account: Account | None = None, sites=(), username: str | None = None, **fields
    ) -> Operator:
        account = account or (sites[0].account if sites else make_account())
        username = username or f"operator{_next()}"
        user = get_user_model().objects.create(
            username=username, email=f"{username}@example.com", password=password_hash()
        )
        fields.setdefault("display_name", username.capitalize())
        operator = Operator.objects.create(user=user, account=account, **fields)
        for site in sites:
            site.operators.add(operator)
        return operator

    return make


@pytest.fixture
def make_user(db):
    """A Django user without an Operator profile."""

    def make(*, username: str | None = None):
        username = username or f"user{_next()}"
        return get_user_model().objects.create(username=username, password=password_hash())

    return make


def session_cookie(user) -> str:
    """Log the user in (sessions live in the database) and return the sessionid value."""
    client = Client()
    client.force_login(user)
    return client.cookies[django_settings.SESSION_COOKIE_NAME].value


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix):
    """`make mutation` runs each mutant's tests in a process forked after the settings
    named the test database after the parent's pid: each child gets a database of its own,
    or children running side by side would share (and drop) one.

    With one child at a time (`make mutation MAX_CHILDREN=1`, MUTATION_SHARED_TEST_DB=1)
    they all share one test database instead, kept between them (--reuse-db): a child then
    starts in a second, not after every migration."""
    if "MUTANT_UNDER_TEST" not in os.environ:
        return
    shared = os.environ.get("MUTATION_SHARED_TEST_DB") == "1"
    if not shared and not os.environ["MUTANT_UNDER_TEST"]:
        return
    for database in django_settings.DATABASES.values():
        name = database.get("TEST", {}).get("NAME")
        if name and shared:  # the settings' own pid suffix gives way to a fixed one
            database["TEST"]["NAME"] = re.sub(r"([-_])\d+(\.sqlite3)?$", r"\1mutmut\2", name)
        elif name:
            stem, dot, suffix = name.rpartition(".sqlite3")
            database["TEST"]["NAME"] = (
                f"{stem}-{os.getpid()}{dot}{suffix}" if dot else f"{name}_{os.getpid()}"
            )


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """The shared mutation database (above) is emptied as a child starts: the previous
    child may have been stopped (a mutant's time limit) halfway through a test that
    commits, leaving its rows behind."""
    if os.environ.get("MUTATION_SHARED_TEST_DB") == "1" and "MUTANT_UNDER_TEST" in os.environ:
        with django_db_blocker.unblock():
            call_command("flush", interactive=False, verbosity=0)


@pytest.fixture(autouse=True)
def thread_language_restored():
    """The test client runs a request in the test's own thread, and Django's LocaleMiddleware
    activates the request's language (Accept-Language: ru) without restoring it: a server
    thread meets the next request's language first, but the next test would start in
    Russian. Product code that switches languages restores them itself
    (tests/chat/test_view_language.py)."""
    with translation.override(translation.get_language()):
        yield


@pytest.fixture
def celery_in_process():
    """Tasks (and their retries) run in the test process, on the production stack (Redis)
    too. An app's conftest makes it automatic for its folder (its `eager_celery`)."""
    from config.celery import app

    before = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = before


@pytest.fixture(autouse=True)
def distinct_nicknames(monkeypatch):
    """Each visitor a test makes gets the next colour-animal pair instead of one drawn from
    his random token. Two open dialogs drawing the same pair cost a query more, to rename
    one (chat/visitors/nicknames.py), so pinned query counts failed about one run in a
    hundred. tests/chat/test_nicknames.py sets clashing pairs on purpose."""
    from chat.visitors import animals

    pairs = itertools.cycle(animals.PAIRS)
    monkeypatch.setattr(animals, "animal_for", lambda seed: next(pairs))


@pytest.fixture(autouse=True)
def own_cache(settings):
    """Rate-limit counters (chat/messaging/ratelimit.py) apart from other tests and runs sharing
    the Redis server: a key prefix of this test's own (clearing a shared Redis is not ours)."""
    caches = copy.deepcopy(settings.CACHES)
    caches["default"]["KEY_PREFIX"] = f"test{uuid.uuid4().hex[:12]}"
    settings.CACHES = caches  # the setting_changed signal drops the cached connections


# --- channel layer and sockets -----------------------------------------------------------


@pytest.fixture
async def channel_layer(settings):
    """A fresh channel layer for this test. A Redis layer gets a prefix of its own, so
    runs that share a Redis server (and reuse database ids) never hear each other."""
    layers = copy.deepcopy(settings.CHANNEL_LAYERS)
    for layer in layers.values():
        if "prefix" in layer.get("CONFIG", {}):
            layer["CONFIG"]["prefix"] = f"test{uuid.uuid4().hex[:12]}"
        if "timeout" in layer.get("CONFIG", {}):
            # A Redis call of this process may wait 10 s, not production's 2: on CI's busy
            # two cores one took longer, paused live delivery and sent a `delivery` frame
            # where an invitation was due (tests/chat/test_invitations.py). Tests of the
            # pause call live.failed() themselves; real outages are tested on real servers
            # (tests/faults), which keep the production timeout.
            layer["CONFIG"]["timeout"] = 10.0
    settings.CHANNEL_LAYERS = layers  # the setting_changed signal drops cached layers
    layer = get_channel_layer()
    yield layer
    flush = getattr(layer, "flush", None)
    if flush is not None:
        await flush()


SILENCE_PROBE = "silence.probe"


async def _answer_silence_probe(consumer, event):
    await consumer.send(text_data=json.dumps({"type": SILENCE_PROBE, "probe": event["probe"]}))


class Sockets:
    """Opens WebsocketCommunicators on the project's ASGI application (origin check and
    session authentication included) and closes every one left open at teardown.

    Each socket's consumer is known by a key in its scope, so `silent` can send it a probe
    through the channel layer (see there)."""

    def __init__(self, application):
        self.application = application
        self.opened: list[WebsocketCommunicator] = []
        self.consumers: dict[str, AsyncWebsocketConsumer] = {}

    def communicator(self, path: str, headers=None) -> WebsocketCommunicator:
        if headers is None:
            headers = [(b"origin", allowed_origin())]
        communicator = WebsocketCommunicator(self.application, path, headers=headers)
        # The application reads the scope when the loop first runs it, after this line.
        communicator.scope["test_socket"] = uuid.uuid4().hex
        self.opened.append(communicator)
        return communicator

    def track(self, consumer, scope) -> None:
        key = scope.get("test_socket")
        if key:
            self.consumers[key] = consumer

    async def visitor(self, site: Site | str, token: str | None = None):
        """A widget socket; returns (communicator, hello frame)."""
        key = site if isinstance(site, str) else site.widget_key
        path = f"/ws/visitor/{key}/" + (f"?token={token}" if token else "")
        communicator = self.communicator(path)
        connected, code = await communicator.connect()
        assert connected, f"visitor socket refused with {code}"
        # Accepted first, hello once the session has started (VisitorConsumer.connect).
        hello = await communicator.receive_json_from(timeout=10)
        assert hello["type"] == "hello"
        return communicator, hello

    @staticmethod
    async def login(user) -> str:
        """A session cookie value for the user (async wrapper of session_cookie)."""
        return await database_sync_to_async(session_cookie)(user)

    async def operator(self, operator: Operator):
        """A console socket logged in as the operator; returns (communicator, hello frame)."""
        cookie = await self.login(operator.user)
        communicator = self.console(cookie=cookie)
        connected, code = await communicator.connect()
        assert connected, f"console socket refused with {code}"
        # Accepted first, hello once the operator is looked up (OperatorConsumer.connect).
        hello = await communicator.receive_json_from(timeout=10)
        assert hello["type"] == "hello"
        return communicator, hello

    def console(self, *, cookie: str | None = None, origin: bytes | None = None):
        """An unconnected console communicator, for tests of refused connections."""
        headers = [(b"origin", origin or allowed_origin())]
        if cookie:
            headers.append((b"cookie", f"{django_settings.SESSION_COOKIE_NAME}={cookie}".encode()))
        return self.communicator("/ws/console/", headers=headers)

    # --- frame helpers (methods so test modules need not import conftest) ----------------

    @staticmethod
    async def frames(communicator: WebsocketCommunicator, count: int, timeout: float = 2):
        """The next `count` JSON frames, in arrival order."""
        return [await communicator.receive_json_from(timeout=timeout) for _ in range(count)]

    @classmethod
    async def expect(cls, communicator: WebsocketCommunicator, *types: str, timeout: float = 2):
        """Receive exactly len(types) frames whose types are `types` in any order; returns
        a dict type -> list of frames (in arrival order)."""
        frames = await cls.frames(communicator, len(types), timeout=timeout)
        got = sorted(frame["type"] for frame in frames)
        assert got == sorted(types), f"expected {sorted(types)}, got {json.dumps(frames)[:2000]}"
        grouped: dict[str, list[dict]] = {}
        for frame in frames:
            grouped.setdefault(frame["type"], []).append(frame)
        return grouped

    async def silent(self, *communicators: WebsocketCommunicator, timeout: float = 0.3):
        """Prove the sockets heard nothing; shows what was heard.

        A socket's consumer gets a probe through the channel layer, after every event sent
        before this call (a channel delivers in order, and a consumer handles one event at
        a time): a frame that comes before the probe's echo is a frame the socket should
        not have sent, however late it would have come. Then, and for a socket whose
        consumer has stopped or never started, nothing may come for `timeout` seconds
        (answers to frames the test sent race the probe)."""
        layer = get_channel_layer()
        probes = {}
        for communicator in communicators:
            consumer = self.consumers.get(communicator.scope.get("test_socket"))
            channel = getattr(consumer, "channel_name", None)
            if channel is None or communicator.future.done():
                continue
            probes[communicator] = uuid.uuid4().hex
            await layer.send(channel, {"type": SILENCE_PROBE, "probe": probes[communicator]})

        async def heard(communicator) -> str | None:
            if communicator in probes:
                text = await communicator.receive_from(timeout=10)
                if json.loads(text) != {"type": SILENCE_PROBE, "probe": probes[communicator]}:
                    return text
            # Frames the test sent on the socket itself race the probe: watch a while more.
            if await communicator.receive_nothing(timeout=timeout):
                return None
            return await communicator.receive_from()

        for text in await asyncio.gather(*(heard(c) for c in communicators)):
            if text is not None:
                raise AssertionError(f"expected silence, got {text[:2000]}")

    async def close_all(self):
        for communicator in self.opened:
            if communicator.future.done():
                continue
            with contextlib.suppress(Exception):  # a socket the test already broke
                await communicator.disconnect()


async def release_consumer_connections() -> None:
    """Give back the database connections the consumers' threads still hold.

    WebsocketCommunicator turns channels' close_old_connections into a no-op while it sends
    and receives (channels.testing.application), so a consumer's call on one of db_threads.py's
    threads keeps its connection checked out of the psycopg pool after the test. The pool's
    close() at the end of the run closes only the connections given back to it: PostgreSQL
    then refused to drop the test database ("is being accessed by other users"). Each of
    the pool's threads closes its own (a barrier puts one call on every thread)."""
    from chat.realtime import db_threads as chat_db

    executor = chat_db._executor
    if executor is not None:
        workers = django_settings.CHAT_DB_THREADS  # the executor's max_workers
        barrier = threading.Barrier(workers)

        def close_on_this_thread():
            with contextlib.suppress(threading.BrokenBarrierError):
                barrier.wait(timeout=5)
            connections.close_all()

        loop = asyncio.get_running_loop()
        await asyncio.gather(
            *(loop.run_in_executor(executor, close_on_this_thread) for _ in range(workers))
        )
    # Channels' own thread (database_sync_to_async: the auth middleware, the tests' calls).
    await database_sync_to_async(connections.close_all)()


@pytest.fixture
async def sockets(channel_layer, monkeypatch):
    from config.asgi import application

    opened = Sockets(application)
    call = AsyncWebsocketConsumer.__call__

    async def tracked_call(consumer, scope, receive, send):
        opened.track(consumer, scope)
        return await call(consumer, scope, receive, send)

    monkeypatch.setattr(AsyncWebsocketConsumer, "__call__", tracked_call)
    monkeypatch.setattr(
        AsyncWebsocketConsumer, "silence_probe", _answer_silence_probe, raising=False
    )
    yield opened
    await opened.close_all()
    await release_consumer_connections()


# The usual cast of console tests: a site, its operator Alice, and her logged-in client.
# A module that needs another cast defines its own fixture of the same name.


@pytest.fixture
def site(make_site):
    return make_site(name="shop.example")


@pytest.fixture
def alice(make_operator, site):
    return make_operator(username="alice", display_name="Alice", sites=[site])


@pytest.fixture
def alice_client(client, alice):
    client.force_login(alice.user)
    return client
