"""What the widget is told when a frame cannot be handled (docs/protocol.md, Errors): the
error frame's code and detail (the widget shows the detail of a failed message), the
`client_id` of the message it concerns, and a socket that goes on working; and the
`delivery` frame while live updates are paused."""

import json

import pytest
from channels.layers import get_channel_layer
from django.db import DatabaseError
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from chat.errors import ChatError
from chat.messaging import posting
from chat.realtime.consumers import frames
from chat.realtime.consumers.frames import CLOSE_RESYNC

pytestmark = pytest.mark.django_db(transaction=True)

UNAVAILABLE = "The server cannot handle this now; send it again in a moment."
# A refused frame's code (docs/protocol.md, Errors), by its detail's first word.
REFUSAL_CODES = {"The": "bad_json", "A": "bad_json", "Unknown": "unknown_type", "after": "invalid"}


async def say(sockets, widget, text, client_id):
    await widget.send_json_to({"type": "message", "client_id": client_id, "text": text})
    return await sockets.expect(widget, "ack", "message", timeout=10)


@pytest.mark.parametrize(
    "failure",
    [DatabaseError("server gone"), RedisConnectionError("refused"), RedisTimeoutError("slow")],
    ids=["database", "redis-down", "redis-slow"],
)
async def test_a_backing_service_down_is_answered_unavailable_for_that_message(
    sockets, site, monkeypatch, failure, caplog
):
    widget, _ = await sockets.visitor(site)
    real = posting.post_visitor_message

    def failing(**kwargs):
        raise failure

    monkeypatch.setattr(posting, "post_visitor_message", failing)
    await widget.send_json_to({"type": "message", "client_id": "m-1", "text": "Hello?"})
    assert await widget.receive_json_from(timeout=10) == {
        "type": "error",
        "code": "unavailable",
        "detail": UNAVAILABLE,
        "client_id": "m-1",
    }
    # The log names the frame and the failure, for whoever reads it.
    assert [
        (record.levelname, record.getMessage())
        for record in caplog.records
        if record.name == "chat.realtime.consumers.frames"
    ] == [
        (
            "WARNING",
            f"frame message failed, a backing service is unavailable: {failure!r}",
        )
    ]
    # Back again: the same message, sent again, is stored.
    monkeypatch.setattr(posting, "post_visitor_message", real)
    got = await say(sockets, widget, "Hello?", "m-1")
    assert got["ack"][0]["client_id"] == "m-1"


async def test_an_unexpected_failure_is_a_server_error_and_the_socket_goes_on(
    sockets, site, monkeypatch, caplog
):
    widget, _ = await sockets.visitor(site)
    real = posting.post_visitor_message

    def broken(**kwargs):
        raise KeyError("a bug")

    monkeypatch.setattr(posting, "post_visitor_message", broken)
    await widget.send_json_to({"type": "message", "client_id": "m-2", "text": "Hi"})
    assert await widget.receive_json_from(timeout=10) == {
        "type": "error",
        "code": "server_error",
        "detail": "The server could not handle this frame.",
        "client_id": "m-2",
    }
    # Logged with its traceback.
    [record] = [r for r in caplog.records if r.name == "chat.realtime.consumers.frames"]
    assert (record.levelname, record.getMessage()) == ("ERROR", "frame message failed")
    assert record.exc_info[0] is KeyError
    monkeypatch.setattr(posting, "post_visitor_message", real)
    await say(sockets, widget, "Hi", "m-2")


async def test_a_refusal_carries_its_own_fields_and_only_a_text_client_id(
    sockets, site, monkeypatch
):
    widget, _ = await sockets.visitor(site)

    def refused(**kwargs):
        error = ChatError("rate_limited", "Too many messages.")
        error.fields = {"retry_after": 40}
        raise error

    monkeypatch.setattr(posting, "post_visitor_message", refused)
    await widget.send_json_to({"type": "message", "client_id": "m-3", "text": "Hi"})
    assert await widget.receive_json_from(timeout=10) == {
        "type": "error",
        "code": "rate_limited",
        "detail": "Too many messages.",
        "client_id": "m-3",
        "retry_after": 40,
    }
    # A client_id that is not text is not echoed (the client could not match it anyway).
    await widget.send_json_to({"type": "message", "client_id": 7, "text": "Hi"})
    assert await widget.receive_json_from(timeout=10) == {
        "type": "error",
        "code": "rate_limited",
        "detail": "Too many messages.",
        "retry_after": 40,
    }


@pytest.mark.parametrize(
    ("raw", "detail"),
    [
        ("{oops", "The frame is not valid JSON."),
        ("[1, 2]", "A frame must be a JSON object."),
        ('{"type": "shout"}', "Unknown frame type 'shout'."),
        ('{"type": ["message"]}', "Unknown frame type ['message']."),
        ('{"type": "resume", "after": -1}', "after must be a message id (a whole number >= 0)."),
        ('{"type": "resume", "after": "7"}', "after must be a message id (a whole number >= 0)."),
        ('{"type": "resume", "after": true}', "after must be a message id (a whole number >= 0)."),
    ],
    ids=[
        "not-json",
        "not-an-object",
        "unknown-type",
        "list-type",
        "bad-after",
        "text-after",
        "true-after",
    ],
)
async def test_each_refused_frame_says_what_is_wrong(sockets, site, raw, detail):
    widget, _ = await sockets.visitor(site)
    await widget.send_to(text_data=raw)
    error = await widget.receive_json_from(timeout=10)
    assert error["detail"] == detail
    assert error["code"] == REFUSAL_CODES[detail.split()[0]]
    assert "client_id" not in error


async def test_a_binary_frame_is_told_to_be_text(sockets, site):
    widget, _ = await sockets.visitor(site)
    await widget.send_to(bytes_data=b"\x00\x01")
    assert await widget.receive_json_from(timeout=10) == {
        "type": "error",
        "code": "bad_frame",
        "detail": "Frames must be JSON text.",
    }


@pytest.mark.parametrize("after", [0, None, "missing"])
async def test_resume_from_the_start_replays_every_message(sockets, site, after):
    widget, _ = await sockets.visitor(site)
    first = await say(sockets, widget, "One", "c-1")
    await say(sockets, widget, "Two", "c-2")
    frame = {"type": "resume"} if after == "missing" else {"type": "resume", "after": after}
    await widget.send_json_to(frame)
    frames = await sockets.frames(widget, 3, timeout=10)
    assert [f["message"]["text"] for f in frames[:2]] == ["One", "Two"]
    assert frames[2]["type"] == "resumed"
    assert frames[2]["last_id"] == frames[1]["message"]["id"]
    # After the first message's id: only the second one.
    await widget.send_json_to({"type": "resume", "after": first["ack"][0]["id"]})
    frames = await sockets.frames(widget, 2, timeout=10)
    assert [f.get("message", {}).get("text") for f in frames] == ["Two", None]


async def test_paused_live_updates_are_announced_and_their_return_closes_for_a_resume(
    sockets, site
):
    layer = get_channel_layer()
    if getattr(layer, "live", None) is None:
        pytest.skip("the in-memory layer cannot fail (needs REDIS_URL)")
    widget, _ = await sockets.visitor(site)
    layer.live.failed(RedisConnectionError("Redis down"))
    assert await widget.receive_json_from(timeout=10) == {
        "type": "delivery",
        "live": False,
        "detail": "Live updates are paused; messages are still stored. The server will "
        "close this socket when they are back: reconnect and resume.",
    }
    # A socket opened while they are paused is told at once, after its hello.
    late, _ = await sockets.visitor(site)
    assert (await late.receive_json_from(timeout=10))["type"] == "delivery"
    # Messages are still stored and acknowledged.
    await widget.send_json_to({"type": "message", "client_id": "p-1", "text": "Still here"})
    assert (await widget.receive_json_from(timeout=10))["type"] in ("ack", "message")

    layer.live.recovered(layer)
    for socket in (widget, late):
        while True:
            output = await socket.receive_output(timeout=10)
            if output["type"] == "websocket.close":
                break
        assert output == {"type": "websocket.close", "code": CLOSE_RESYNC}


async def test_a_frame_of_exactly_the_byte_limit_is_read_and_one_byte_more_is_not(sockets, site):
    widget, hello = await sockets.visitor(site)
    limit = hello["limits"]["frame_max_bytes"]
    frame = json.dumps({"type": "message", "client_id": "edge", "text": "\u00e9" * 4000})
    assert len(frame.encode()) < limit
    exact = frame + " " * (limit - len(frame.encode()))  # JSON allows the trailing blanks
    await widget.send_to(text_data=exact + " ")
    assert (await widget.receive_json_from(timeout=10))["code"] == "too_large"
    await widget.send_to(text_data=exact)
    got = await sockets.expect(widget, "ack", "message", timeout=10)
    assert got["ack"][0]["client_id"] == "edge"


@pytest.mark.parametrize(("frame", "after"), [({}, 0), ({"after": None}, 0), ({"after": 5}, 5)])
def test_resume_without_after_or_with_null_starts_from_the_first_message(frame, after):
    # Message ids start at 1: "after 1" would skip a fresh install's first message, which
    # the socket tests above cannot see once the database has held a message.
    assert frames.after_id({"type": "resume", **frame}) == after
