"""Opening a widget socket: accepted at once, hello when the session is ready, the frames a
client sends before hello answered after it, a refused socket silent, and the database
work of a connect in one call with a fixed number of queries (chat/realtime/visitor_socket.py)."""

import asyncio
import threading
from datetime import timedelta

import pytest
from asgiref.sync import sync_to_async
from channels.db import database_sync_to_async
from django.db import connection

from chat.messaging import posting
from chat.models import BlockedIP, Visit
from chat.realtime import visitor_socket
from chat.realtime.consumers.frames import (
    CLOSE_BLOCKED,
    CLOSE_ORIGIN_NOT_ALLOWED,
    CLOSE_UNKNOWN_SITE,
)
from tests.conftest import allowed_origin

pytestmark = pytest.mark.django_db(transaction=True)

CHAT_HOST = "localhost"
# The site, the blacklist, then the session in one transaction (chat/visitors/sessions.py).
# On PostgreSQL (chat/visitors/sessions_postgres.py): the site with its blacklist, then a
# new visitor in one statement; a returning one: BEGIN, lock, the session, COMMIT.
POSTGRES = connection.vendor == "postgresql"
NEW_VISITOR_QUERIES = 2 if POSTGRES else 7
RETURNING_VISITOR_QUERIES = 5 if POSTGRES else 11  # 12 before the counters were one UPDATE


def open_socket(site, *, origin=f"http://{CHAT_HOST}", token=None, ip="203.0.113.5"):
    return visitor_socket.open_visitor_socket(
        widget_key=site.widget_key if site else "no-such-key",
        origin=origin,
        host=CHAT_HOST,
        ip=ip,
        token=token,
        user_agent="Mozilla/5.0 (X11; Linux x86_64) Firefox/130.0",
    )


async def test_frames_sent_before_hello_are_answered_after_it(sockets, site):
    widget = sockets.communicator(f"/ws/visitor/{site.widget_key}/")
    assert (await widget.connect(timeout=5))[0]
    # At once, without waiting for hello: the frame waits for the session.
    await widget.send_json_to({"type": "message", "client_id": "early-1", "text": "Hi"})
    await widget.send_json_to({"type": "resume", "after": 0})
    hello = await widget.receive_json_from(timeout=10)
    assert hello["type"] == "hello"
    frames = await sockets.frames(widget, 4, timeout=5)
    by_type = {}
    for frame in frames:
        by_type.setdefault(frame["type"], []).append(frame)
    assert by_type["ack"][0]["client_id"] == "early-1"
    assert by_type["resumed"][0]["last_id"] == by_type["ack"][0]["id"]
    assert {f["message"]["text"] for f in by_type["message"]} == {"Hi"}


@pytest.mark.parametrize(
    ("user_agent", "described"),
    [
        (None, {"user_agent": "", "browser": "", "os": "", "device": ""}),
        (
            "Mozilla/5.0 (X11; Linux x86_64; rv:130.0) Gecko/20100101 Firefox/130.0",
            {"browser": "Firefox 130", "os": "Linux"},
        ),
    ],
    ids=["no-user-agent", "firefox"],
)
async def test_the_visit_keeps_the_sockets_user_agent_and_none_when_it_sent_none(
    sockets, site, user_agent, described
):
    """A socket opened without a User-Agent (a script, a privacy proxy) stores no user
    agent and leaves the visit's browser, OS and device empty (the visitor card shows "—"),
    not a made-up value; one that sends it has it stored and described."""
    headers = [(b"origin", allowed_origin())]
    if user_agent:
        headers.append((b"user-agent", user_agent.encode()))
    widget = sockets.communicator(f"/ws/visitor/{site.widget_key}/", headers=headers)
    assert (await widget.connect(timeout=5))[0]
    assert (await widget.receive_json_from(timeout=10))["type"] == "hello"
    visit = await database_sync_to_async(Visit.objects.get)(visitor__site=site)
    assert {field: getattr(visit, field) for field in described} == described
    if user_agent:
        assert visit.user_agent == user_agent


@pytest.mark.parametrize("why", ["unknown_site", "origin", "blocked"])
async def test_a_refused_socket_is_closed_with_its_code_and_answers_no_frame(sockets, site, why):
    if why == "blocked":
        await database_sync_to_async(BlockedIP.objects.create)(
            account=site.account, network="198.51.100.9/32"
        )
    key = "no-such-key" if why == "unknown_site" else site.widget_key
    origin = b"https://elsewhere.example" if why == "origin" else f"http://{CHAT_HOST}".encode()
    if why == "origin":
        await database_sync_to_async(type(site).objects.filter(pk=site.pk).update)(
            domains="shop.example"
        )
    widget = sockets.communicator(f"/ws/visitor/{key}/", headers=[(b"origin", origin)])
    widget.scope["client"] = ("198.51.100.9", 40000)
    assert (await widget.connect(timeout=5))[0]
    # A client that does not wait for hello: its frame reaches a socket being closed.
    await widget.send_json_to({"type": "message", "client_id": "c-1", "text": "Hi"})
    code = {"unknown_site": CLOSE_UNKNOWN_SITE, "origin": CLOSE_ORIGIN_NOT_ALLOWED}.get(
        why, CLOSE_BLOCKED
    )
    assert await widget.receive_output(timeout=5) == {"type": "websocket.close", "code": code}
    assert await widget.receive_nothing(timeout=0.5)


def test_a_new_visitor_opens_his_socket_in_a_fixed_number_of_queries(
    make_site, django_assert_num_queries
):
    site = make_site()
    open_socket(site)  # the first visitor of the site
    with django_assert_num_queries(NEW_VISITOR_QUERIES):
        opened = open_socket(site)
    assert opened.refusal is None and opened.session.visitor.token


def test_a_returning_visitor_with_a_dialog_opens_his_socket_in_a_fixed_number_of_queries(
    make_site, make_operator, django_assert_num_queries
):
    site = make_site()
    make_operator(sites=[site])
    first = open_socket(site).session
    posting.post_visitor_message(
        visitor_id=first.visitor.id, visit_id=first.visit.id, client_id="c-1", text="Hello"
    )
    with django_assert_num_queries(RETURNING_VISITOR_QUERIES):
        opened = open_socket(site, token=first.visitor.token)
    assert opened.session.visitor.id == first.visitor.id
    assert opened.session.dialog is not None


def test_refusals_are_decided_before_any_write(make_site, django_assert_num_queries):
    site = make_site(domains="shop.example")
    with django_assert_num_queries(1):
        assert open_socket(None).refusal == visitor_socket.UNKNOWN_SITE
    with django_assert_num_queries(1):
        assert open_socket(site, origin="https://evil.example").refusal == (
            visitor_socket.ORIGIN_NOT_ALLOWED
        )
    BlockedIP.objects.create(account=site.account, network="203.0.113.0/24")
    with django_assert_num_queries(1 if POSTGRES else 2):  # PostgreSQL: with the site
        assert open_socket(site, origin="https://shop.example").refusal == visitor_socket.BLOCKED


async def test_the_handshake_does_not_wait_for_djangos_shared_thread(sockets, site):
    """Sync views (the widget pages a storm of visitors loads) run one at a time on
    Django's shared thread: a visitor's handshake must not queue behind them."""
    busy, release = threading.Event(), threading.Event()

    def a_slow_page():
        busy.set()
        release.wait(30)

    page = asyncio.ensure_future(sync_to_async(a_slow_page, thread_sensitive=True)())
    try:
        await asyncio.to_thread(busy.wait, 10)
        widget = sockets.communicator(f"/ws/visitor/{site.widget_key}/")
        assert (await widget.connect(timeout=5))[0]
        assert (await widget.receive_json_from(timeout=10))["type"] == "hello"
    finally:
        release.set()
        await page


def test_the_visitor_counts_his_open_sockets_and_visits(make_site):
    site = make_site()
    first = open_socket(site).session
    again = open_socket(site, token=first.visitor.token).session
    assert (again.visitor.open_sockets, again.visitor.visits_count) == (2, 1)
    assert again.visit.id == first.visit.id
    type(first.visit).objects.filter(pk=first.visit.pk).update(
        last_activity_at=first.visit.last_activity_at - timedelta(days=1)
    )
    later = open_socket(site, token=first.visitor.token).session
    assert (later.visitor.open_sockets, later.visitor.visits_count) == (3, 2)
    assert later.visit.id != first.visit.id
    first.visitor.refresh_from_db()
    assert (first.visitor.open_sockets, first.visitor.visits_count) == (3, 2)
