"""Where docs/protocol.md and the widget socket disagreed (issue 13.10), each case as the
document now says it: the frame limit lets any valid message through however its client
encodes JSON, a `page` frame is never answered, its UTM keys are the `utm_*` ones."""

import json

import pytest
from channels.db import database_sync_to_async
from django.conf import settings

from chat.models import Message, Visit

pytestmark = pytest.mark.django_db(transaction=True)

EMOJI = "\U0001f600"  # an astral character: two \uXXXX escapes (12 bytes) when escaped


def visit_of(hello) -> Visit:
    return Visit.objects.filter(visitor__token=hello["visitor"]["token"]).get()


async def next_frame_after(sockets, widget, *frames):
    """Send the frames, then a resume: the first answer shows what they were answered
    (frames of a socket are handled in order)."""
    for frame in frames:
        await widget.send_json_to(frame)
    await widget.send_json_to({"type": "resume", "after": 0})
    return await widget.receive_json_from(timeout=5)


@pytest.mark.parametrize(
    "encode",
    [
        pytest.param(json.dumps, id="ascii-escaped (json.dumps default)"),
        pytest.param(lambda frame: json.dumps(frame, indent=2), id="escaped and indented"),
        pytest.param(lambda frame: json.dumps(frame, ensure_ascii=False), id="raw UTF-8"),
    ],
)
async def test_a_message_of_the_longest_length_passes_however_it_is_encoded(sockets, site, encode):
    widget, hello = await sockets.visitor(site)
    length = hello["limits"]["message_max_length"]
    client_id = EMOJI * 64  # the longest client_id, escaped too
    raw = encode({"type": "message", "client_id": client_id, "text": EMOJI * length})
    assert len(raw.encode()) <= hello["limits"]["frame_max_bytes"]
    await widget.send_to(text_data=raw)
    frames = await sockets.expect(widget, "ack", "message")
    assert frames["ack"][0]["client_id"] == client_id
    stored = await database_sync_to_async(Message.objects.get)(pk=frames["ack"][0]["id"])
    assert stored.text == EMOJI * length


async def test_a_frame_over_the_limit_is_still_refused_and_the_socket_goes_on(sockets, site):
    widget, hello = await sockets.visitor(site)
    too_big = json.dumps({"type": "message", "client_id": "c-1", "text": EMOJI * 5000})
    assert len(too_big.encode()) > settings.CHAT_FRAME_MAX_BYTES
    await widget.send_to(text_data=too_big)
    error = await widget.receive_json_from(timeout=5)
    assert error["type"] == "error" and error["code"] == "too_large"
    assert "client_id" not in error
    answer = await next_frame_after(sockets, widget)
    assert answer == {"type": "resumed", "last_id": None}


@pytest.mark.parametrize(
    "url",
    [123, None, ["https://shop.example/"], "javascript:alert(1)", "file:///C:/shop.html", ""],
)
async def test_a_page_that_is_no_http_address_gets_no_answer_and_is_not_recorded(
    sockets, site, url
):
    widget, hello = await sockets.visitor(site)
    answer = await next_frame_after(
        sockets, widget, {"type": "page", "url": "https://shop.example/a", "title": "A"}
    )
    assert answer["type"] == "resumed"
    answer = await next_frame_after(sockets, widget, {"type": "page", "url": url, "title": "B"})
    assert answer == {"type": "resumed", "last_id": None}  # no error frame before it
    visit = await database_sync_to_async(visit_of)(hello)
    assert (visit.current_url, visit.current_title) == ("https://shop.example/a", "A")


async def test_a_page_with_fields_of_a_wrong_type_is_stored_with_them_empty(sockets, site):
    widget, hello = await sockets.visitor(site)
    frame = {
        "type": "page",
        "url": "https://shop.example/chairs",
        "title": {"not": "a string"},
        "referrer": 42,
        "utm": ["utm_source", "x"],
    }
    assert (await next_frame_after(sockets, widget, frame))["type"] == "resumed"
    visit = await database_sync_to_async(visit_of)(hello)
    assert visit.current_url == visit.landing_url == "https://shop.example/chairs"
    assert (visit.current_title, visit.referrer, visit.utm) == ("", "", {})


async def test_utm_keeps_the_utm_keys_whatever_other_keys_come_first(sockets, site):
    widget, hello = await sockets.visitor(site)
    utm = {f"gclid{n}": "x" for n in range(10)}
    utm.update({"utm_source": "newsletter", "utm_medium": "email"})
    frame = {"type": "page", "url": "https://shop.example/", "title": "Shop", "utm": utm}
    assert (await next_frame_after(sockets, widget, frame))["type"] == "resumed"
    visit = await database_sync_to_async(visit_of)(hello)
    assert visit.utm == {"utm_source": "newsletter", "utm_medium": "email"}
