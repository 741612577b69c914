"""The console socket: live rows and messages, several operators and tabs, access."""

import pytest
from channels.db import database_sync_to_async
from django.test import Client

from chat.dialogs import lifecycle
from chat.messaging import posting
from chat.models import Message, Participant

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def bob(make_operator, site):
    """A colleague on the same site who may read (not join) colleagues' dialogs."""
    return make_operator(username="bob", display_name="Bob", sites=[site], can_see_others=True)


@pytest.fixture
def carol(make_operator, make_site, site):
    """Same account, another site."""
    return make_operator(
        username="carol", account=site.account, sites=[make_site(account=site.account)]
    )


@pytest.fixture
def dave(make_operator, make_site):
    """Another account altogether."""
    return make_operator(username="dave", sites=[make_site()])


async def visitor_writes(sockets, widget, text, client_id):
    await widget.send_json_to({"type": "message", "client_id": client_id, "text": text})
    got = await sockets.expect(widget, "ack", "message")
    assert got["message"][0]["message"]["text"] == text
    return got["ack"][0]


def post_as(operator, path):
    client = Client()
    client.force_login(operator.user)
    return client.post(path)


async def test_visitor_and_operator_talk_over_sockets(sockets, site, alice):
    console, hello = await sockets.operator(alice)
    assert hello["operator"] == {"id": alice.id, "name": "Alice"}
    widget, visitor_hello = await sockets.visitor(site)
    assert visitor_hello["dialog"] is None
    assert visitor_hello["operators_online"] is True  # Alice has a console open

    # The visitor writes: a new dialog shows up in Alice's Mine tab.
    ack = await visitor_writes(sockets, widget, "Hello, is anyone there?", "v-1")
    dialog_id = ack["dialog"]
    row = await console.receive_json_from()
    assert row["type"] == "row"
    assert row["dialog"] == dialog_id
    assert row["tab"] == "mine"
    assert "Hello, is anyone there?" in row["html"]
    assert f'data-dialog="{dialog_id}"' in row["html"]

    # Alice connects with the page's button; the visitor sees who answers him.
    response = await database_sync_to_async(post_as)(
        alice, f"/console/dialogs/{dialog_id}/connect/"
    )
    assert response.status_code == 302
    got = await sockets.expect(widget, "message", "dialog")
    dialog = got["dialog"][0]["dialog"]
    assert dialog["id"] == dialog_id
    assert dialog["status"] == "active"
    assert dialog["operators"] == [{"id": alice.id, "name": "Alice"}]
    system = got["message"][0]["message"]
    assert system["author"] == {"kind": "system"}
    assert "Alice" in system["text"]
    rows = await sockets.expect(console, "row", "row")
    assert all(row["dialog"] == dialog_id and row["tab"] == "mine" for row in rows["row"])

    # Alice opens the dialog and answers.
    await console.send_json_to({"type": "watch", "dialog": dialog_id})
    assert await console.receive_json_from() == {"type": "watching", "dialog": dialog_id}
    await console.send_json_to(
        {"type": "message", "dialog": dialog_id, "client_id": "o-1", "text": "Hi! How can I help?"}
    )
    got = await sockets.expect(console, "ack", "message", "row")
    answer_id = got["ack"][0]["id"]
    assert got["ack"][0] == {
        "type": "ack",
        "client_id": "o-1",
        "id": answer_id,
        "dialog": dialog_id,
    }
    assert got["message"][0]["message"]["id"] == answer_id
    assert "Hi! How can I help?" in got["message"][0]["html"]
    heard = await widget.receive_json_from()
    assert heard["type"] == "message"
    assert heard["message"]["id"] == answer_id
    assert heard["message"]["text"] == "Hi! How can I help?"
    assert heard["message"]["author"] == {"kind": "operator", "name": "Alice"}

    # The visitor answers back; the watching console gets it with its HTML.
    ack = await visitor_writes(sockets, widget, "My order <b>#42</b> is late", "v-2")
    got = await sockets.expect(console, "message", "row")
    message = got["message"][0]
    assert message["message"]["id"] == ack["id"]
    assert message["message"]["author"] == {"kind": "visitor"}
    assert "My order &lt;b&gt;#42&lt;/b&gt; is late" in message["html"]  # escaped
    assert got["row"][0]["tab"] == "mine"
    assert "My order" in got["row"][0]["html"]

    await sockets.silent(widget, console)


def get_as(operator, path):
    client = Client()
    client.force_login(operator.user)
    response = client.get(path)
    assert response.status_code == 200
    return response.content.decode()


async def test_live_fragments_are_what_a_reload_shows(sockets, site, alice):
    """Applying the live row and message to an open page gives the page a reload gives."""
    console, _ = await sockets.operator(alice)
    widget, _ = await sockets.visitor(site)
    dialog_id = (await visitor_writes(sockets, widget, "Is it <in stock>?", "v-1"))["dialog"]
    row = await console.receive_json_from()
    page = await database_sync_to_async(get_as)(alice, "/console/")
    assert row["html"].strip() in page

    await database_sync_to_async(lifecycle.connect_operator)(operator=alice, dialog_id=dialog_id)
    await sockets.expect(console, "row", "row")
    await console.send_json_to({"type": "watch", "dialog": dialog_id})
    await console.receive_json_from()
    await console.send_json_to(
        {"type": "message", "dialog": dialog_id, "client_id": "o-1", "text": "Yes!\nTwo left."}
    )
    got = await sockets.expect(console, "ack", "message", "row")
    page = await database_sync_to_async(get_as)(alice, f"/console/dialogs/{dialog_id}/")
    assert got["message"][0]["html"].strip() in page
    assert got["row"][0]["html"].strip() in page


async def test_operators_and_tabs_share_rows_and_messages(sockets, site, alice, bob, carol, dave):
    alice_tab1, _ = await sockets.operator(alice)
    alice_tab2, _ = await sockets.operator(alice)
    bob_console, _ = await sockets.operator(bob)
    carol_console, _ = await sockets.operator(carol)
    dave_console, _ = await sockets.operator(dave)
    widget, _ = await sockets.visitor(site)

    ack = await visitor_writes(sockets, widget, "Do you ship to Norway?", "v-1")
    dialog_id = ack["dialog"]
    rows = [await c.receive_json_from() for c in (alice_tab1, alice_tab2, bob_console)]
    assert all(row["type"] == "row" and row["tab"] == "mine" for row in rows)
    assert rows[0] == rows[1] == rows[2]  # the same row, rendered once
    # Neither another site of the same account nor another account hears of it.
    await sockets.silent(carol_console, dave_console)

    # Alice connects: the dialog stays in her Mine (both tabs) and moves to Bob's Others.
    await database_sync_to_async(lifecycle.connect_operator)(operator=alice, dialog_id=dialog_id)
    for tab in (alice_tab1, alice_tab2):
        got = await sockets.expect(tab, "row", "row")
        assert [row["tab"] for row in got["row"]] == ["mine", "mine"]
    got = await sockets.expect(bob_console, "row", "row")
    assert [row["tab"] for row in got["row"]] == ["others", "others"]
    assert got["row"][0]["html"] == got["row"][1]["html"]
    await sockets.expect(widget, "message", "dialog")

    # Both of Alice's tabs and Bob (who may read colleagues' dialogs) watch it.
    for console in (alice_tab1, alice_tab2, bob_console):
        await console.send_json_to({"type": "watch", "dialog": dialog_id})
        assert (await console.receive_json_from())["type"] == "watching"
    # Who is here: Alice's tabs hear Bob arrive, Bob hears both of Alice's tabs answer.
    for console in (alice_tab1, alice_tab2):
        assert (await console.receive_json_from())["type"] == "viewer"
    await sockets.expect(bob_console, "viewer", "viewer")

    await alice_tab2.send_json_to(
        {"type": "message", "dialog": dialog_id, "client_id": "o-1", "text": "Yes, we do."}
    )
    sender = await sockets.expect(alice_tab2, "ack", "message", "row")
    other_tab = await sockets.expect(alice_tab1, "message", "row")
    reader = await sockets.expect(bob_console, "message", "row")
    assert sender["message"] == other_tab["message"] == reader["message"]
    assert "Yes, we do." in reader["message"][0]["html"]
    assert sender["row"] == other_tab["row"]
    assert reader["row"][0]["tab"] == "others"
    assert (await widget.receive_json_from())["message"]["text"] == "Yes, we do."

    # The visitor's answer reaches every watcher, and nobody outside the site.
    await visitor_writes(sockets, widget, "Great, thanks", "v-2")
    for console in (alice_tab1, alice_tab2, bob_console):
        got = await sockets.expect(console, "message", "row")
        assert got["message"][0]["message"]["text"] == "Great, thanks"
    await sockets.silent(carol_console, dave_console, alice_tab1, alice_tab2, bob_console, widget)


async def test_operator_resumes_a_dialog_after_reconnecting(sockets, site, alice):
    widget, _ = await sockets.visitor(site)
    first = await visitor_writes(sockets, widget, "First", "v-1")
    dialog_id = first["dialog"]
    await database_sync_to_async(lifecycle.connect_operator)(operator=alice, dialog_id=dialog_id)
    await sockets.expect(widget, "message", "dialog")
    console, _ = await sockets.operator(alice)
    # The site had nobody online: the widget hears that an operator came.
    assert await widget.receive_json_from() == {"type": "presence", "operators_online": True}
    await console.send_json_to({"type": "watch", "dialog": dialog_id})
    await console.receive_json_from()
    await console.disconnect()

    # While the console is away, the visitor writes twice.
    second = await visitor_writes(sockets, widget, "Second", "v-2")
    third = await visitor_writes(sockets, widget, "Third", "v-3")

    console, _ = await sockets.operator(alice)
    await console.send_json_to({"type": "resume", "dialog": dialog_id, "after": first["id"]})
    frames = await sockets.frames(console, 4)
    texts = [f["message"]["text"] for f in frames if f["type"] == "message"]
    ids = [f["message"]["id"] for f in frames if f["type"] == "message"]
    assert texts[0].startswith("Alice")  # the "joined" system message
    assert texts[1:] == ["Second", "Third"]
    assert ids == sorted(ids) and ids[1:] == [second["id"], third["id"]]
    assert frames[-1] == {"type": "resumed", "last_id": third["id"]}
    await sockets.silent(console)

    # Resuming from the newest id gives nothing twice.
    await console.send_json_to({"type": "resume", "dialog": dialog_id, "after": third["id"]})
    assert await console.receive_json_from() == {"type": "resumed", "last_id": None}


async def test_duplicate_client_id_from_operator_is_stored_once(sockets, site, alice):
    widget, _ = await sockets.visitor(site)
    dialog_id = (await visitor_writes(sockets, widget, "Hi", "v-1"))["dialog"]
    await database_sync_to_async(lifecycle.connect_operator)(operator=alice, dialog_id=dialog_id)
    await sockets.expect(widget, "message", "dialog")
    console, _ = await sockets.operator(alice)
    assert await widget.receive_json_from() == {"type": "presence", "operators_online": True}
    frame = {"type": "message", "dialog": dialog_id, "client_id": "o-1", "text": "Hello"}
    await console.send_json_to(frame)
    first = (await sockets.expect(console, "ack", "row"))["ack"][0]
    assert (await widget.receive_json_from())["message"]["id"] == first["id"]
    await console.send_json_to(frame)  # a resend after a lost ack
    second = (await sockets.expect(console, "ack", "row"))["ack"][0]
    assert first["id"] == second["id"]
    # Announced again with the same id (the first announcement may have been lost, e.g.
    # the server died between commit and publish); screens de-duplicate by id.
    assert (await widget.receive_json_from())["message"]["id"] == first["id"]
    await sockets.silent(console, widget)
    count = await database_sync_to_async(
        Message.objects.filter(dialog_id=dialog_id, client_id="o-1").count
    )()
    assert count == 1


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("{not json", "bad_json"),
        ("[1, 2]", "bad_json"),
        ('{"type": "dance"}', "unknown_type"),
        ('{"type": "watch", "dialog": "7"}', "invalid"),
        ('{"type": "watch", "dialog": 999999}', "not_found"),
        ('{"type": "resume", "dialog": 999999, "after": 0}', "not_found"),
        ('{"type": "typing", "dialog": 1, "typing": true}', "invalid"),
    ],
)
async def test_console_bad_frames_get_an_error_and_the_socket_stays_open(
    sockets, site, alice, raw, code
):
    console, _ = await sockets.operator(alice)
    await console.send_to(text_data=raw)
    error = await console.receive_json_from()
    assert error["type"] == "error"
    assert error["code"] == code
    # The same socket still works.
    widget, _ = await sockets.visitor(site)
    dialog_id = (await visitor_writes(sockets, widget, "Still there?", "v-1"))["dialog"]
    assert (await console.receive_json_from())["type"] == "row"
    await console.send_json_to({"type": "watch", "dialog": dialog_id})
    assert await console.receive_json_from() == {"type": "watching", "dialog": dialog_id}


# --- access -------------------------------------------------------------------------------


async def test_console_socket_without_login_is_refused(sockets):
    console = sockets.console()
    assert await console.connect() == (True, None)
    assert await console.receive_output() == {"type": "websocket.close", "code": 4401}


async def test_console_socket_of_a_user_who_is_not_an_operator_is_refused(sockets, make_user):
    user = await database_sync_to_async(make_user)()
    cookie = await sockets.login(user)
    console = sockets.console(cookie=cookie)
    assert await console.connect() == (True, None)
    assert await console.receive_output() == {"type": "websocket.close", "code": 4401}


async def test_console_socket_from_a_foreign_origin_is_refused(sockets, alice):
    cookie = await sockets.login(alice.user)
    console = sockets.console(cookie=cookie, origin=b"https://evil.example")
    connected, _code = await console.connect()
    assert connected is False


async def test_operator_cannot_reach_a_dialog_outside_his_sites(sockets, site, alice, carol, dave):
    widget, _ = await sockets.visitor(site)
    dialog_id = (await visitor_writes(sockets, widget, "Private question", "v-1"))["dialog"]
    for outsider in (carol, dave):
        console, _ = await sockets.operator(outsider)
        for frame in (
            {"type": "watch", "dialog": dialog_id},
            {"type": "resume", "dialog": dialog_id, "after": 0},
            {"type": "message", "dialog": dialog_id, "client_id": "x-1", "text": "Hijack"},
        ):
            await console.send_json_to(frame)
            error = await console.receive_json_from()
            assert (error["type"], error["code"]) == ("error", "forbidden"), frame
        await sockets.silent(console)
    # Nothing was stored and nobody heard anything.
    texts = await database_sync_to_async(
        lambda: list(Message.objects.filter(dialog_id=dialog_id).values_list("text", flat=True))
    )()
    assert texts == ["Private question"]
    await sockets.silent(widget)


async def test_colleague_without_flags_cannot_watch_or_write_an_active_dialog(
    sockets, make_operator, site, alice
):
    eve = await database_sync_to_async(make_operator)(username="eve", sites=[site])
    widget, _ = await sockets.visitor(site)
    dialog_id = (await visitor_writes(sockets, widget, "Hello", "v-1"))["dialog"]
    await database_sync_to_async(lifecycle.connect_operator)(operator=alice, dialog_id=dialog_id)
    console, _ = await sockets.operator(eve)
    for frame in (
        {"type": "watch", "dialog": dialog_id},
        {"type": "resume", "dialog": dialog_id, "after": 0},
        {"type": "message", "dialog": dialog_id, "client_id": "e-1", "text": "Me too"},
    ):
        await console.send_json_to(frame)
        error = await console.receive_json_from()
        assert (error["type"], error["code"]) == ("error", "forbidden"), frame
    assert not await database_sync_to_async(
        Participant.objects.filter(dialog_id=dialog_id, operator=eve).exists
    )()


async def test_watcher_without_rights_stops_hearing_a_dialog_a_colleague_took(
    sockets, make_operator, site, alice
):
    eve = await database_sync_to_async(make_operator)(username="eve", sites=[site])
    widget, _ = await sockets.visitor(site)
    dialog_id = (await visitor_writes(sockets, widget, "Hello", "v-1"))["dialog"]
    console, _ = await sockets.operator(eve)
    await console.send_json_to({"type": "watch", "dialog": dialog_id})  # new: everyone's
    assert (await console.receive_json_from())["type"] == "watching"

    await database_sync_to_async(lifecycle.connect_operator)(operator=alice, dialog_id=dialog_id)
    got = await sockets.expect(console, "message", "dialog", "row", "row")
    assert got["dialog"][0]["dialog"]["operators"] == [{"id": alice.id, "name": "Alice"}]
    assert [row["tab"] for row in got["row"]] == [None, None]

    # Alice's conversation is now hers: Eve (no can_see_others) hears only that the row moved.
    await database_sync_to_async(posting.post_operator_message)(
        operator=alice, dialog_id=dialog_id, client_id="o-1", text="Private answer"
    )
    row = await console.receive_json_from()
    assert (row["type"], row["tab"], row["html"]) == ("row", None, None)
    await sockets.silent(console)


async def test_operator_who_is_not_connected_cannot_write(sockets, site, alice):
    widget, _ = await sockets.visitor(site)
    dialog_id = (await visitor_writes(sockets, widget, "Hello", "v-1"))["dialog"]
    console, _ = await sockets.operator(alice)
    assert await widget.receive_json_from() == {"type": "presence", "operators_online": True}
    await console.send_json_to(
        {"type": "message", "dialog": dialog_id, "client_id": "o-1", "text": "Hi"}
    )
    error = await console.receive_json_from()
    assert error == {
        "type": "error",
        "code": "not_connected",
        "detail": error["detail"],
        "client_id": "o-1",
    }
    await sockets.silent(widget)
