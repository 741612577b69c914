"""Random frames on the widget socket (hypothesis): whatever a client sends, the socket
stays open, answers the next valid frame, never fails with server_error, every answer
is a JSON object in valid UTF-8, and only valid messages are stored."""

import json
import uuid

import pytest
from channels.db import database_sync_to_async
from django.conf import settings
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from chat.models import Message

pytestmark = pytest.mark.django_db(transaction=True)

KNOWN_TYPES = ["message", "resume", "typing", "page"]

# Any text: surrogates too (a JSON "\ud800" escape gives a lone one), NUL, RTL marks.
any_text = st.text(st.characters(codec=None), max_size=50) | st.text(
    st.characters(categories=["Cs", "Cc", "Zs", "Mn"]), max_size=10
)
# A WebSocket text frame is UTF-8 on the wire: the server never receives a lone surrogate.
wire_text = st.text(st.characters(codec="utf-8"), max_size=50)
huge_text = st.integers(4000, 9000).map(lambda n: "x" * n)
scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats()
    | any_text
    | huge_text
)
json_values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(any_text, inner, max_size=4),
    max_leaves=12,
)
fields = st.sampled_from(
    ["client_id", "text", "after", "typing", "url", "title", "referrer", "utm", "type"]
)
typed_frames = st.builds(
    lambda kind, extra: {**extra, "type": kind},
    st.sampled_from(KNOWN_TYPES) | json_values,
    st.dictionaries(fields | any_text, json_values, max_size=6),
)
deep_nesting = st.integers(1, 15000).map(lambda n: "[" * n + "]" * n)
deep_objects = st.integers(1, 5000).map(lambda n: '{"a":' * n + "1" + "}" * n)


def as_json(value) -> str:
    # ensure_ascii: a lone surrogate travels as its \u escape, as a hostile client sends it.
    return json.dumps(value, ensure_ascii=True, allow_nan=True)


text_frames = (
    typed_frames.map(as_json)
    | json_values.map(as_json)
    | wire_text
    | deep_nesting
    | deep_objects
    | st.just("")
)
frames = st.one_of(
    text_frames.map(lambda text: ("text", text)),
    st.binary(min_size=1, max_size=200).map(lambda data: ("bytes", data)),
)


def valid_frame(raw: str) -> dict:
    raw.encode("utf-8")  # a real server must send it; a lone surrogate cannot be
    frame = json.loads(raw)
    assert isinstance(frame, dict) and isinstance(frame.get("type"), str), raw[:300]
    assert not (frame["type"] == "error" and frame.get("code") == "server_error"), raw[:300]
    return frame


async def answers_until_ack(widget, client_id: str, acked: set):
    """Every frame up to the ack of `client_id`, each checked; notes every ack seen."""
    for _ in range(200):
        frame = valid_frame(await widget.receive_from(timeout=3))
        if frame["type"] == "ack":
            acked.add(frame["client_id"])
            if frame["client_id"] == client_id:
                return
    raise AssertionError("no ack for the probe")


def stored_messages(visitor_id):
    return database_sync_to_async(
        lambda: list(
            Message.objects.filter(dialog__visitor_id=visitor_id).values("client_id", "text")
        )
    )()


async def send_raw(widget, kind: str, data):
    # send_to refuses an empty frame, which a client can still send.
    await widget.send_input({"type": "websocket.receive", kind: data})


@hypothesis_settings(
    max_examples=60,
    deadline=None,
    database=None,  # no .hypothesis/ directory in the checkout
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(batch=st.lists(frames, min_size=1, max_size=4))
async def test_random_frames_never_break_the_socket_nor_store_garbage(sockets, make_site, batch):
    site = await database_sync_to_async(make_site)()
    widget, hello = await sockets.visitor(site)
    visitor_id = await database_sync_to_async(
        lambda: site.visitors.get(token=hello["visitor"]["token"]).id
    )()
    acked = set()
    for kind, data in batch:
        await send_raw(widget, kind, data)
        # The socket is open and answers a valid message normally.
        probe = f"probe-{uuid.uuid4()}"
        await widget.send_json_to({"type": "message", "client_id": probe, "text": "still here"})
        await answers_until_ack(widget, probe, acked)
    await widget.disconnect()

    stored = await stored_messages(visitor_id)
    # Exactly what was acked, nothing else, and all of it within the rules.
    assert {row["client_id"] for row in stored} == acked
    for row in stored:
        assert row["text"] == row["text"].strip() != ""
        assert len(row["text"]) <= settings.CHAT_MESSAGE_MAX_LENGTH
        assert "\x00" not in row["text"]
        assert 1 <= len(row["client_id"]) <= 64
        row["text"].encode("utf-8")
        row["client_id"].encode("utf-8")


# --- what the random frames found, pinned ---------------------------------------------------


async def test_json_nested_too_deep_is_refused_as_bad_json(sockets, make_site):
    site = await database_sync_to_async(make_site)()
    widget, _ = await sockets.visitor(site)
    depth = 16_000  # within the 32 KiB frame limit, far past Python's recursion limit
    await widget.send_to(text_data="[" * depth + "]" * depth)
    assert valid_frame(await widget.receive_from())["code"] == "bad_json"
    await widget.send_json_to({"type": "message", "client_id": "after", "text": "still here"})
    await answers_until_ack(widget, "after", set())


async def test_a_lone_surrogate_escape_becomes_a_replacement_character(sockets, make_site):
    # A JSON "\ud800" escape (JSON.stringify writes one for half an emoji) cannot be sent
    # back as UTF-8 nor stored by PostgreSQL: it is read as U+FFFD, as browsers do.
    site = await database_sync_to_async(make_site)()
    widget, hello = await sockets.visitor(site)
    await widget.send_to(
        text_data='{"type": "message", "client_id": "half\\udc00",'
        ' "text": "a\\ud83d b \\ud83d\\ude00"}'
    )
    acked = set()
    await answers_until_ack(widget, "half\ufffd", acked)
    visitor_id = await database_sync_to_async(
        lambda: site.visitors.get(token=hello["visitor"]["token"]).id
    )()
    assert await stored_messages(visitor_id) == [
        {"client_id": "half\ufffd", "text": "a\ufffd b \U0001f600"}
    ]
