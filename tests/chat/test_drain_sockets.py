"""A process told to stop drains its sockets (chat/realtime/drain.py): each widget and
console socket closes with 4012 ("reconnect now and resume") between two frames, so a
message sent just before is stored and acknowledged first; a socket opened while draining
is closed with 4012 at once; /healthz answers 404 {"draining": true} (HAProxy's
disable-on-404)."""

import asyncio
import json
import threading

import pytest
from channels.db import database_sync_to_async
from django.test import AsyncClient

from chat.dialogs import lifecycle
from chat.messaging import posting
from chat.models import Message
from chat.realtime.consumers.frames import CLOSE_RECONNECT
from chat.realtime.drain import DRAIN
from chat.visitors import sessions

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def serving_again():
    yield
    DRAIN.reset()


async def frames_until_close(communicator, timeout: float = 10):
    """Every frame the socket sends, then the close code."""
    frames = []
    while True:
        output = await communicator.receive_output(timeout=timeout)
        if output["type"] == "websocket.close":
            return frames, output.get("code")
        frames.append(json.loads(output["text"]))


def alices_dialog(site, alice) -> int:
    session = sessions.start_visitor_session(site=site, token=None, ip="203.0.113.5", user_agent="")
    message, _ = posting.post_visitor_message(
        visitor_id=session.visitor.id, visit_id=session.visit.id, client_id="v1", text="Hello"
    )
    lifecycle.connect_operator(operator=alice, dialog_id=message.dialog_id)
    return message.dialog_id


class HeldCall:
    """Wraps a service so the test holds its call on the database thread until release()."""

    def __init__(self, function):
        self.function = function
        self.started = threading.Event()
        self.go_on = threading.Event()

    def __call__(self, *args, **kwargs):
        self.started.set()
        self.go_on.wait(timeout=10)
        return self.function(*args, **kwargs)

    async def wait_started(self):
        assert await asyncio.to_thread(self.started.wait, 10), "the service was never called"

    def release(self):
        self.go_on.set()


async def test_drain_closes_visitor_and_console_sockets_with_4012(sockets, site, alice):
    visitor, _hello = await sockets.visitor(site)
    console, _hello = await sockets.operator(alice)

    assert DRAIN.begin(spread=0) == 2

    assert (await frames_until_close(visitor))[1] == CLOSE_RECONNECT
    assert (await frames_until_close(console))[1] == CLOSE_RECONNECT


async def test_a_visitor_message_sent_just_before_is_stored_and_acknowledged_first(
    sockets, site, monkeypatch
):
    held = HeldCall(posting.post_visitor_message)
    monkeypatch.setattr(posting, "post_visitor_message", held)
    visitor, _hello = await sockets.visitor(site)
    await visitor.send_json_to({"type": "message", "client_id": "c-1", "text": "Still there?"})
    await held.wait_started()

    DRAIN.begin(spread=0)
    # The socket is in the middle of storing the message: it is not closed under it.
    assert await visitor.receive_nothing(timeout=0.3)
    held.release()

    frames, code = await frames_until_close(visitor)
    assert code == CLOSE_RECONNECT
    acks = [frame for frame in frames if frame["type"] == "ack"]
    assert [ack["client_id"] for ack in acks] == ["c-1"]
    stored = await database_sync_to_async(list)(Message.objects.values_list("id", "text"))
    assert stored == [(acks[0]["id"], "Still there?")]


async def test_an_operator_message_sent_just_before_is_stored_and_acknowledged_first(
    sockets, site, alice, monkeypatch
):
    dialog = await database_sync_to_async(alices_dialog)(site, alice)
    held = HeldCall(posting.post_operator_message)
    monkeypatch.setattr(posting, "post_operator_message", held)
    console, _hello = await sockets.operator(alice)
    await console.send_json_to(
        {"type": "message", "dialog": dialog, "client_id": "o-1", "text": "Yes, here"}
    )
    await held.wait_started()

    DRAIN.begin(spread=0)
    assert await console.receive_nothing(timeout=0.3)
    held.release()

    frames, code = await frames_until_close(console)
    assert code == CLOSE_RECONNECT
    assert [frame["client_id"] for frame in frames if frame["type"] == "ack"] == ["o-1"]
    texts = await database_sync_to_async(list)(
        Message.objects.order_by("id").values_list("text", flat=True)
    )
    assert texts[0] == "Hello" and "Yes, here" in texts


async def test_sockets_opened_while_draining_are_closed_with_4012_at_once(sockets, site, alice):
    DRAIN.begin(spread=0)

    widget = sockets.communicator(f"/ws/visitor/{site.widget_key}/")
    assert (await widget.connect())[0] is True
    assert await frames_until_close(widget) == ([], CLOSE_RECONNECT)

    console = sockets.console(cookie=await sockets.login(alice.user))
    assert (await console.connect())[0] is True
    assert await frames_until_close(console) == ([], CLOSE_RECONNECT)
    # A frame that crossed the close is not answered: nothing goes after a close frame.
    await console.send_json_to({"type": "watch", "dialog": 1})
    assert await console.receive_nothing(timeout=0.3)


async def test_the_close_is_spread_over_the_window(sockets, site):
    """Each socket closes at its own random moment within DRAIN_SPREAD_SECONDS: all of
    them do, none before the drain began."""
    widgets = [(await sockets.visitor(site))[0] for _ in range(3)]

    DRAIN.begin(spread=0.5)

    codes = await asyncio.gather(*(frames_until_close(widget) for widget in widgets))
    assert [code for _frames, code in codes] == [CLOSE_RECONNECT] * 3


async def test_healthz_answers_404_while_draining():
    DRAIN.begin(spread=0)

    response = await AsyncClient().get("/healthz")

    assert response.status_code == 404
    assert response["Cache-Control"] == "no-store"
    assert json.loads(response.content) == {"status": "draining", "draining": True}
