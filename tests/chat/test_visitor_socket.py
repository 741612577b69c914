"""The widget socket: identity, messages, resume after a reconnect, bad input."""

import json

import pytest
from channels.db import database_sync_to_async
from django.conf import settings

from chat.dialogs import lifecycle
from chat.messaging import posting
from chat.models import Dialog, Message, Visitor

pytestmark = pytest.mark.django_db(transaction=True)


async def send_message(sockets, widget, text, client_id):
    await widget.send_json_to({"type": "message", "client_id": client_id, "text": text})
    return await sockets.expect(widget, "ack", "message")


def stored(**filters):
    return database_sync_to_async(
        lambda: list(
            Message.objects.filter(**filters).order_by("id").values_list("text", flat=True)
        )
    )()


async def test_hello_gives_a_new_visitor_a_token_and_a_nickname(sockets, site):
    widget, hello = await sockets.visitor(site)
    visitor = hello["visitor"]
    assert len(visitor["token"]) >= 20
    assert visitor["name"] is None
    assert visitor["nickname"]
    assert hello["dialog"] is None
    assert hello["operators_online"] is False  # nobody has a console open
    assert hello["limits"] == {
        "message_max_length": settings.CHAT_MESSAGE_MAX_LENGTH,
        "frame_max_bytes": settings.CHAT_FRAME_MAX_BYTES,
    }
    # The same token is the same visitor; an unknown token is a new one.
    again, hello_again = await sockets.visitor(site, token=visitor["token"])
    assert hello_again["visitor"] == visitor
    other, hello_other = await sockets.visitor(site, token="not-a-known-token")
    assert hello_other["visitor"]["token"] not in (visitor["token"], "not-a-known-token")


async def test_unknown_widget_key_is_refused(sockets):
    widget = sockets.communicator("/ws/visitor/no-such-key/")
    assert await widget.connect() == (True, None)
    assert await widget.receive_output(timeout=5) == {"type": "websocket.close", "code": 4404}


async def test_a_token_of_another_site_is_not_reused(sockets, site, make_site):
    _, hello = await sockets.visitor(site)
    other_site = await database_sync_to_async(make_site)()
    _, elsewhere = await sockets.visitor(other_site, token=hello["visitor"]["token"])
    assert elsewhere["visitor"]["token"] != hello["visitor"]["token"]


async def test_message_is_acked_and_echoed_to_every_tab_of_the_visitor(sockets, site):
    tab1, hello = await sockets.visitor(site)
    tab2, _ = await sockets.visitor(site, token=hello["visitor"]["token"])
    got = await send_message(sockets, tab1, "  Hello there  ", "c-1")
    ack, message = got["ack"][0], got["message"][0]["message"]
    assert ack == {"type": "ack", "client_id": "c-1", "id": ack["id"], "dialog": ack["dialog"]}
    assert message["id"] == ack["id"]
    assert message["dialog"] == ack["dialog"]
    assert message["client_id"] == "c-1"
    assert message["author"] == {"kind": "visitor"}
    assert message["text"] == "Hello there"  # trimmed
    assert message["sent_at"]
    # The other tab shows it too (without an ack: it did not send it).
    assert await tab2.receive_json_from() == {"type": "message", "message": message}
    await sockets.silent(tab1, tab2)

    # A second message goes to the same dialog; a new socket's hello names it.
    got = await send_message(sockets, tab2, "Anyone?", "c-2")
    assert got["ack"][0]["dialog"] == ack["dialog"]
    await tab1.receive_json_from()
    _, hello = await sockets.visitor(site, token=hello["visitor"]["token"])
    assert hello["dialog"] == {
        "id": ack["dialog"],
        "number": 1,
        "status": "new",
        "operators": [],
        "read_up_to": 0,
    }


async def test_reconnect_and_resume_gets_each_missed_message_once_in_order(sockets, site, alice):
    widget, hello = await sockets.visitor(site)
    token = hello["visitor"]["token"]
    got = await send_message(sockets, widget, "Where is my parcel?", "c-1")
    dialog_id = got["ack"][0]["dialog"]
    await database_sync_to_async(lifecycle.connect_operator)(operator=alice, dialog_id=dialog_id)
    got = await sockets.expect(widget, "message", "dialog")
    last_seen = got["message"][0]["message"]["id"]  # "Alice joined the dialog"
    await widget.disconnect()

    # While the visitor is away (page reload, network drop), Alice writes three times.
    sent = []
    for n in range(1, 4):
        message, created = await database_sync_to_async(posting.post_operator_message)(
            operator=alice, dialog_id=dialog_id, client_id=f"o-{n}", text=f"Answer {n}"
        )
        assert created
        sent.append(message.id)

    widget, hello = await sockets.visitor(site, token=token)
    assert hello["visitor"]["token"] == token
    assert hello["dialog"]["id"] == dialog_id
    assert hello["dialog"]["status"] == "active"
    assert hello["dialog"]["operators"] == [{"id": alice.id, "name": "Alice"}]
    await widget.send_json_to({"type": "resume", "after": last_seen})
    frames = await sockets.frames(widget, 4)
    assert [f["type"] for f in frames] == ["message", "message", "message", "resumed"]
    assert [f["message"]["id"] for f in frames[:3]] == sent
    assert [f["message"]["text"] for f in frames[:3]] == ["Answer 1", "Answer 2", "Answer 3"]
    assert all(f["message"]["author"] == {"kind": "operator", "name": "Alice"} for f in frames[:3])
    assert frames[3] == {"type": "resumed", "last_id": sent[-1]}
    await sockets.silent(widget)

    # Nothing new since: resuming again replays nothing.
    await widget.send_json_to({"type": "resume", "after": sent[-1]})
    assert await widget.receive_json_from() == {"type": "resumed", "last_id": None}

    # A fresh widget (after=0) gets the whole conversation, in order.
    await widget.send_json_to({"type": "resume", "after": 0})
    frames = await sockets.frames(widget, 6)
    assert [f["message"]["text"] for f in frames[:5]] == [
        "Where is my parcel?",
        "Alice joined the dialog",
        "Answer 1",
        "Answer 2",
        "Answer 3",
    ]
    assert frames[5]["type"] == "resumed"


async def test_duplicate_client_id_is_stored_once(sockets, site):
    widget, _ = await sockets.visitor(site)
    first = await send_message(sockets, widget, "Hello", "same-id")
    # The ack was lost; the widget resends the same message.
    await widget.send_json_to({"type": "message", "client_id": "same-id", "text": "Hello"})
    second = await sockets.expect(widget, "ack", "message")
    assert second["ack"] == first["ack"]
    # Announced again under the same id, which the widget already shows: no second copy.
    assert second["message"] == first["message"]
    await sockets.silent(widget)
    assert await stored(client_id="same-id") == ["Hello"]


def oversize_frame():
    return json.dumps(
        {"type": "message", "client_id": "big", "text": "x" * settings.CHAT_FRAME_MAX_BYTES}
    )


BAD_FRAMES = [
    pytest.param("{oops", "bad_json", id="malformed-json"),
    pytest.param('"just a string"', "bad_json", id="non-object-json"),
    pytest.param("[1, 2, 3]", "bad_json", id="array-json"),
    pytest.param('{"type": "shout"}', "unknown_type", id="unknown-type"),
    pytest.param('{"type": ["message"]}', "unknown_type", id="list-type"),
    pytest.param('{"type": {"x": 1}}', "unknown_type", id="object-type"),
    pytest.param('{"text": "no type"}', "unknown_type", id="missing-type"),
    pytest.param('{"type": "message", "client_id": "e", "text": "   "}', "empty", id="empty-text"),
    pytest.param('{"type": "message", "client_id": "e", "text": 5}', "invalid", id="number-text"),
    pytest.param('{"type": "message", "text": "no client id"}', "invalid", id="no-client-id"),
    pytest.param(
        '{"type": "message", "client_id": "a\\u0000b", "text": "hi"}', "invalid", id="nul-client-id"
    ),
    pytest.param(
        json.dumps({"type": "message", "client_id": "x" * 65, "text": "hi"}),
        "invalid",
        id="long-client-id",
    ),
    pytest.param(
        json.dumps({"type": "message", "client_id": "e", "text": "y" * 4001}),
        "too_long",
        id="text-too-long",
    ),
    pytest.param(oversize_frame, "too_large", id="oversize-frame"),
    pytest.param('{"type": "resume", "after": -1}', "invalid", id="negative-after"),
    pytest.param('{"type": "resume", "after": "12"}', "invalid", id="string-after"),
    pytest.param('{"type": "resume", "after": true}', "invalid", id="boolean-after"),
]


@pytest.mark.parametrize(("raw", "code"), BAD_FRAMES)
async def test_bad_frame_gets_an_error_and_the_socket_keeps_working(sockets, site, raw, code):
    assert settings.CHAT_MESSAGE_MAX_LENGTH == 4000
    widget, _ = await sockets.visitor(site)
    await widget.send_to(text_data=raw() if callable(raw) else raw)
    error = await widget.receive_json_from()
    assert error["type"] == "error"
    assert error["code"] == code
    assert error["detail"]
    await sockets.silent(widget)
    assert await stored() == []
    # The same socket still sends a valid message.
    got = await send_message(sockets, widget, "Valid now", "ok-1")
    assert got["message"][0]["message"]["text"] == "Valid now"
    assert await stored() == ["Valid now"]


async def test_error_frame_names_the_client_id_and_binary_frames_are_refused(sockets, site):
    widget, _ = await sockets.visitor(site)
    await widget.send_json_to({"type": "message", "client_id": "c-9", "text": ""})
    error = await widget.receive_json_from()
    assert (error["code"], error["client_id"]) == ("empty", "c-9")
    await widget.send_to(bytes_data=b'{"type": "message"}')
    error = await widget.receive_json_from()
    assert error["code"] == "bad_frame"
    await send_message(sockets, widget, "Still fine", "c-10")


async def test_nul_characters_are_dropped_from_text(sockets, site):
    # PostgreSQL cannot store NUL in text: the message must not fail on the production stack.
    widget, _ = await sockets.visitor(site)
    got = await send_message(sockets, widget, "nul\u0000inside", "c-1")
    assert got["message"][0]["message"]["text"] == "nulinside"
    assert await stored() == ["nulinside"]


async def test_resume_after_an_id_beyond_any_message_replays_nothing(sockets, site):
    widget, _ = await sockets.visitor(site)
    await send_message(sockets, widget, "Hi", "c-1")
    await widget.send_json_to({"type": "resume", "after": 10**20})
    assert await widget.receive_json_from() == {"type": "resumed", "last_id": None}


async def test_message_at_the_length_limit_is_accepted(sockets, site):
    widget, _ = await sockets.visitor(site)
    text = "z" * settings.CHAT_MESSAGE_MAX_LENGTH
    got = await send_message(sockets, widget, text, "c-1")
    assert got["message"][0]["message"]["text"] == text


async def test_typing_reaches_the_watching_operator_and_back(sockets, site, alice):
    widget, _ = await sockets.visitor(site)
    # Before the visitor has a dialog, typing goes nowhere (and is no error).
    await widget.send_json_to({"type": "typing", "typing": True})
    await sockets.silent(widget)
    dialog_id = (await send_message(sockets, widget, "Hi", "c-1"))["ack"][0]["dialog"]
    await database_sync_to_async(lifecycle.connect_operator)(operator=alice, dialog_id=dialog_id)
    await sockets.expect(widget, "message", "dialog")
    console, _ = await sockets.operator(alice)
    assert await widget.receive_json_from() == {"type": "presence", "operators_online": True}
    await console.send_json_to({"type": "watch", "dialog": dialog_id})
    await console.receive_json_from()

    await widget.send_json_to({"type": "typing", "typing": True})
    assert await console.receive_json_from() == {
        "type": "typing",
        "dialog": dialog_id,
        "author": {"kind": "visitor"},
        "typing": True,
    }
    await console.send_json_to({"type": "typing", "dialog": dialog_id, "typing": True})
    heard = await widget.receive_json_from()
    assert heard == {
        "type": "typing",
        "author": {"kind": "operator", "id": alice.id, "name": "Alice"},
        "typing": True,
    }
    await sockets.silent(widget, console)  # nobody hears his own typing


async def test_page_frame_records_where_the_visitor_is(sockets, site):
    widget, hello = await sockets.visitor(site)
    await widget.send_json_to(
        {
            "type": "page",
            "url": "https://shop.example/cart?utm_source=ads",
            "title": "Cart",
            "referrer": "https://search.example/",
            "utm": {"utm_source": "ads", "other": "dropped"},
        }
    )
    await widget.send_json_to({"type": "page", "url": "https://shop.example/pay", "title": "Pay"})
    await sockets.silent(widget)

    def visit():
        return Visitor.objects.get(token=hello["visitor"]["token"]).visits.get()

    visit = await database_sync_to_async(visit)()
    assert visit.landing_url == "https://shop.example/cart?utm_source=ads"
    assert visit.referrer == "https://search.example/"
    assert visit.utm == {"utm_source": "ads"}
    assert (visit.current_url, visit.current_title) == ("https://shop.example/pay", "Pay")


async def test_visitor_sees_the_dialog_end_and_his_next_message_opens_a_new_one(
    sockets, site, alice
):
    widget, _ = await sockets.visitor(site)
    first = (await send_message(sockets, widget, "Hi", "c-1"))["ack"][0]
    await database_sync_to_async(lifecycle.connect_operator)(
        operator=alice, dialog_id=first["dialog"]
    )
    await sockets.expect(widget, "message", "dialog")
    await database_sync_to_async(lifecycle.end_dialog)(operator=alice, dialog_id=first["dialog"])
    got = await sockets.expect(widget, "message", "dialog")
    assert got["dialog"][0]["dialog"]["status"] == "closed"
    assert got["message"][0]["message"]["author"] == {"kind": "system"}

    second = (await send_message(sockets, widget, "One more thing", "c-2"))["ack"][0]
    assert second["dialog"] != first["dialog"]
    numbers = await database_sync_to_async(
        lambda: list(Dialog.objects.order_by("number").values_list("number", "status"))
    )()
    assert numbers == [(1, "closed"), (2, "new")]


async def test_visitor_presence_is_counted_per_socket(sockets, site):
    tab1, hello = await sockets.visitor(site)
    tab2, _ = await sockets.visitor(site, token=hello["visitor"]["token"])

    def open_sockets():
        return Visitor.objects.get(token=hello["visitor"]["token"]).open_sockets

    assert await database_sync_to_async(open_sockets)() == 2
    await tab1.disconnect()
    assert await database_sync_to_async(open_sockets)() == 1
    await tab2.disconnect()
    assert await database_sync_to_async(open_sockets)() == 0


async def test_frames_and_events_make_no_trip_to_the_shared_sync_thread(sockets, site, monkeypatch):
    """Channels' dispatch awaits aclose_old_connections() (Django's one shared sync thread)
    before every frame and event; the chat consumers skip it, as their database work
    runs on chat/realtime/db_threads.py's pool, which closes stale connections itself
    (docs/performance.md)."""
    import channels.consumer

    trips = []

    async def counted():
        trips.append(1)

    monkeypatch.setattr(channels.consumer, "aclose_old_connections", counted)
    first, _ = await sockets.visitor(site)
    await send_message(sockets, first, "Hello", "c-1")
    await first.send_json_to({"type": "typing", "typing": True})
    await first.send_json_to({"type": "no-such-frame"})
    assert (await first.receive_json_from())["code"] == "unknown_type"
    assert trips == []
    assert await stored(text="Hello") == ["Hello"]
