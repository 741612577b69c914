"""Rate limits of the widget socket (chat/messaging/ratelimit.py): too many messages or new dialogs
from one visitor or one IP address get a rate_limited error frame and store nothing;
the next window lets him write again."""

import pytest
from channels.db import database_sync_to_async

from chat.dialogs import lifecycle
from chat.messaging import ratelimit
from chat.models import Dialog, Message
from chat.visitors import sessions

pytestmark = pytest.mark.django_db(transaction=True)

# 20 s into a minute (and into an hour): a window of 60 s has 40 s left.
START = 1_800_000_000.0 + 20


@pytest.fixture
def clock(monkeypatch):
    """The rate limits' clock, set by the test: move() jumps ahead without sleeping."""

    class Clock:
        now = START

        def move(self, seconds):
            self.now += seconds

    fixed = Clock()
    monkeypatch.setattr(ratelimit, "clock", lambda: fixed.now)
    return fixed


@pytest.fixture
def limits(settings):
    """Generous limits but the one a test sets."""
    settings.CHAT_RATE_MESSAGES_PER_VISITOR = 1000
    settings.CHAT_RATE_MESSAGES_PER_IP = 1000
    settings.CHAT_RATE_DIALOGS_PER_VISITOR = 1000
    settings.CHAT_RATE_DIALOGS_PER_IP = 1000
    return settings


async def widget_from(sockets, site, ip):
    communicator = sockets.communicator(f"/ws/visitor/{site.widget_key}/")
    communicator.scope["client"] = (ip, 40000)
    connected, code = await communicator.connect(timeout=5)
    assert connected, code
    assert (await communicator.receive_json_from(timeout=5))["type"] == "hello"
    return communicator


async def write(sockets, widget, client_id, text="Hello"):
    """Send a message; returns the ack, or the error frame that refused it."""
    await widget.send_json_to({"type": "message", "client_id": client_id, "text": text})
    frame = await widget.receive_json_from()
    if frame["type"] == "ack":
        echo = await widget.receive_json_from()
        assert echo["type"] == "message"
    return frame


def counts():
    return database_sync_to_async(lambda: (Message.objects.count(), Dialog.objects.count()))()


async def test_too_many_messages_from_a_visitor_are_refused_until_the_next_minute(
    sockets, site, limits, clock
):
    limits.CHAT_RATE_MESSAGES_PER_VISITOR = 3
    widget = await widget_from(sockets, site, "203.0.113.1")
    for n in range(3):
        assert (await write(sockets, widget, f"m{n}"))["type"] == "ack"

    refused = await write(sockets, widget, "m3")

    assert refused["type"] == "error"
    assert refused["code"] == "rate_limited"
    assert refused["client_id"] == "m3"
    assert refused["retry_after"] == 40
    assert refused["detail"]
    assert await counts() == (3, 1)
    # Another visitor is not held back by him.
    neighbour = await widget_from(sockets, site, "203.0.113.2")
    assert (await write(sockets, neighbour, "n0"))["type"] == "ack"

    clock.move(40)
    again = await write(sockets, widget, "m3")
    assert again["type"] == "ack"
    assert await counts() == (5, 2)


async def test_visitors_behind_one_address_share_its_message_limit(sockets, site, limits, clock):
    limits.CHAT_RATE_MESSAGES_PER_IP = 3
    office = "198.51.100.7"
    anna = await widget_from(sockets, site, office)
    boris = await widget_from(sockets, site, office)
    elsewhere = await widget_from(sockets, site, "2001:db8::5")
    assert (await write(sockets, anna, "a0"))["type"] == "ack"
    assert (await write(sockets, anna, "a1"))["type"] == "ack"
    assert (await write(sockets, boris, "b0"))["type"] == "ack"

    refused = await write(sockets, boris, "b1")

    assert (refused["code"], refused["retry_after"]) == ("rate_limited", 40)
    assert await counts() == (3, 2)
    assert (await write(sockets, elsewhere, "e0"))["type"] == "ack"
    clock.move(60)
    assert (await write(sockets, boris, "b1"))["type"] == "ack"


def end_dialog_of(operator, dialog_id):
    lifecycle.connect_operator(operator=operator, dialog_id=dialog_id)
    lifecycle.end_dialog(operator=operator, dialog_id=dialog_id)


async def test_too_many_new_dialogs_from_a_visitor_are_refused_until_the_next_hour(
    sockets, site, alice, limits, clock
):
    limits.CHAT_RATE_DIALOGS_PER_VISITOR = 1
    widget = await widget_from(sockets, site, "203.0.113.1")
    ack = await write(sockets, widget, "first")
    # Writing on in his open dialog is not limited by this.
    assert (await write(sockets, widget, "second"))["type"] == "ack"
    await database_sync_to_async(end_dialog_of)(alice, ack["dialog"])
    assert (await counts()) == (4, 1)  # his two, "Alice joined", "Alice ended"
    while (await widget.receive_nothing(timeout=0.2)) is False:
        await widget.receive_from()  # the dialog's end, as frames

    refused = await write(sockets, widget, "third")

    assert refused["code"] == "rate_limited"
    assert refused["retry_after"] == 3600 - 20
    assert await counts() == (4, 1)
    clock.move(3600 - 20)
    assert (await write(sockets, widget, "third"))["type"] == "ack"
    assert await counts() == (5, 2)


async def test_new_dialogs_from_one_address_are_limited_across_visitors(
    sockets, site, limits, clock
):
    limits.CHAT_RATE_DIALOGS_PER_IP = 2
    ip = "203.0.113.9"
    first, second, third = [await widget_from(sockets, site, ip) for _ in range(3)]
    assert (await write(sockets, first, "x1"))["type"] == "ack"
    assert (await write(sockets, second, "x2"))["type"] == "ack"

    refused = await write(sockets, third, "x3")

    assert refused["code"] == "rate_limited"
    assert await counts() == (2, 2)
    # Visitors whose dialogs are open go on writing.
    assert (await write(sockets, first, "x1b"))["type"] == "ack"
    assert await counts() == (3, 2)


async def test_the_default_limits_let_a_fast_typist_through(sockets, site, clock):
    widget = await widget_from(sockets, site, "203.0.113.1")
    for n in range(20):
        assert (await write(sockets, widget, f"fast-{n}", text=f"line {n}"))["type"] == "ack"


async def test_an_upload_over_the_limit_is_refused_with_429(client, site, limits, clock):
    limits.CHAT_RATE_MESSAGES_PER_VISITOR = 1
    session = await database_sync_to_async(sessions.start_visitor_session)(
        site=site, token=None, ip="203.0.113.1", user_agent=""
    )

    def upload(client_id):
        from django.core.files.uploadedfile import SimpleUploadedFile

        return client.post(
            f"/widget/{site.widget_key}/attachments/",
            {"client_id": client_id, "file": SimpleUploadedFile("a.txt", b"plain text")},
            headers={"X-Visitor-Token": session.visitor.token},
            REMOTE_ADDR="203.0.113.1",
        )

    assert (await database_sync_to_async(upload)("u1")).status_code == 200
    refused = await database_sync_to_async(upload)("u2")
    assert refused.status_code == 429
    assert refused.json()["code"] == "rate_limited"
    assert refused.json()["retry_after"] == 40
    assert await counts() == (1, 1)


async def test_a_flooding_visitor_does_not_use_up_his_neighbours_share(
    sockets, site, limits, clock
):
    limits.CHAT_RATE_MESSAGES_PER_VISITOR = 2
    limits.CHAT_RATE_MESSAGES_PER_IP = 4
    office = "198.51.100.7"
    flooder = await widget_from(sockets, site, office)
    colleague = await widget_from(sockets, site, office)
    for n in range(8):
        await write(sockets, flooder, f"f{n}")  # two stored, six refused

    assert (await write(sockets, colleague, "c0"))["type"] == "ack"
    assert (await write(sockets, colleague, "c1"))["type"] == "ack"
    assert await counts() == (4, 2)
