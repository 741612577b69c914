"""Read state (the visitor sees "Read") and who is here (colleagues viewing a dialog)."""

import pytest
from channels.db import database_sync_to_async
from django.db import connection
from django.test.utils import CaptureQueriesContext

from chat.console import selectors
from chat.dialogs import lifecycle
from chat.errors import AccessDenied
from chat.messaging import posting, reading
from chat.models import Dialog
from chat.visitors import sessions

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def bob(make_operator, site):
    """A colleague on the same site who may read colleagues' dialogs."""
    return make_operator(username="bob", display_name="Bob", sites=[site], can_see_others=True)


@pytest.fixture
def dave(make_operator, make_site):
    """Another account altogether."""
    return make_operator(username="dave", display_name="Dave", sites=[make_site()])


async def visitor_writes(sockets, widget, text, client_id):
    await widget.send_json_to({"type": "message", "client_id": client_id, "text": text})
    got = await sockets.expect(widget, "ack", "message")
    return got["ack"][0]


async def watch(console, dialog_id):
    await console.send_json_to({"type": "watch", "dialog": dialog_id})
    assert await console.receive_json_from() == {"type": "watching", "dialog": dialog_id}


async def dialog_row(dialog_id):
    return await database_sync_to_async(Dialog.objects.get)(pk=dialog_id)


# --- read state ---------------------------------------------------------------------------


async def test_an_operator_reading_shows_read_to_the_visitor_and_clears_the_badge(
    sockets, site, alice, bob
):
    alice_console, _ = await sockets.operator(alice)
    bob_console, _ = await sockets.operator(bob)
    widget, _ = await sockets.visitor(site)
    first = await visitor_writes(sockets, widget, "Hello?", "v-1")
    second = await visitor_writes(sockets, widget, "Anyone there?", "v-2")
    dialog_id = first["dialog"]
    assert (await dialog_row(dialog_id)).unread_count == 2
    for console in (alice_console, bob_console):
        await sockets.expect(console, "row", "row")
    await watch(alice_console, dialog_id)

    await alice_console.send_json_to({"type": "read", "dialog": dialog_id, "up_to": second["id"]})
    got = await sockets.expect(alice_console, "read", "row")
    assert got["read"][0] == {"type": "read", "dialog": dialog_id, "up_to": second["id"]}
    # The visitor learns that his messages were read.
    assert await widget.receive_json_from() == {"type": "read", "up_to": second["id"]}
    # Every console's row loses its unread badge live.
    bob_row = await bob_console.receive_json_from()
    assert bob_row["type"] == "row" and bob_row["dialog"] == dialog_id
    assert 'class="badge"' not in bob_row["html"]
    assert 'class="badge"' in (await database_sync_to_async(dialog_row_html)(dialog_id, 2))
    stored = await dialog_row(dialog_id)
    assert (stored.read_up_to, stored.unread_count) == (second["id"], 0)

    # Reading again, or an older message, changes nothing and tells nobody.
    await alice_console.send_json_to({"type": "read", "dialog": dialog_id, "up_to": first["id"]})
    assert (await alice_console.receive_json_from())["up_to"] == second["id"]
    await sockets.silent(widget, bob_console, alice_console)

    # A reconnecting widget learns it from hello.
    _, hello = await sockets.visitor(site, token=(await visitor_token(dialog_id)))
    assert hello["dialog"]["read_up_to"] == second["id"]


def dialog_row_html(dialog_id, unread):
    """The row as it looked with unread messages (proves the badge markup is right)."""
    from chat.messaging import payloads

    dialog = Dialog.objects.select_related("site", "visitor").get(pk=dialog_id)
    dialog.unread_count = unread
    return payloads.dialog_row_html(dialog)


@database_sync_to_async
def visitor_token(dialog_id):
    return Dialog.objects.select_related("visitor").get(pk=dialog_id).visitor.token


@pytest.mark.parametrize(
    "frame_of",
    [
        pytest.param(lambda own, other: {"dialog": own, "up_to": "7"}, id="up_to-not-int"),
        pytest.param(lambda own, other: {"dialog": own, "up_to": True}, id="up_to-bool"),
        pytest.param(lambda own, other: {"dialog": own}, id="up_to-missing"),
        pytest.param(lambda own, other: {"dialog": "x", "up_to": 1}, id="dialog-not-int"),
        pytest.param(lambda own, other: {"dialog": other[0], "up_to": other[1]}, id="foreign"),
        pytest.param(lambda own, other: {"dialog": own, "up_to": other[1]}, id="other-message"),
        pytest.param(lambda own, other: {"dialog": own, "up_to": 10**12}, id="no-such-message"),
    ],
)
async def test_bad_read_frames_get_an_error_and_change_nothing(
    sockets, site, alice, make_site, frame_of
):
    console, _ = await sockets.operator(alice)
    widget, _ = await sockets.visitor(site)
    mine = await visitor_writes(sockets, widget, "Hello?", "v-1")
    elsewhere = await database_sync_to_async(make_site)()
    other_widget, _ = await sockets.visitor(elsewhere)
    foreign = await visitor_writes(sockets, other_widget, "Not yours", "f-1")
    await sockets.expect(console, "row")
    await watch(console, mine["dialog"])

    frame = frame_of(mine["dialog"], (foreign["dialog"], foreign["id"]))
    await console.send_json_to({"type": "read", **frame})
    error = await console.receive_json_from()
    assert error["type"] == "error"
    assert error["code"] == "invalid"
    for dialog_id in (mine["dialog"], foreign["dialog"]):
        stored = await dialog_row(dialog_id)
        assert (stored.read_up_to, stored.unread_count) == (0, 1)
    await sockets.silent(widget, other_widget, console)
    # The socket goes on: a good frame still works.
    await console.send_json_to({"type": "read", "dialog": mine["dialog"], "up_to": mine["id"]})
    assert await console.receive_json_from() == {
        "type": "read",
        "dialog": mine["dialog"],
        "up_to": mine["id"],
    }


async def test_reading_needs_the_dialog_open_in_the_tab(sockets, site, alice):
    console, _ = await sockets.operator(alice)
    widget, _ = await sockets.visitor(site)
    mine = await visitor_writes(sockets, widget, "Hello?", "v-1")
    await sockets.expect(console, "row")
    await console.send_json_to({"type": "read", "dialog": mine["dialog"], "up_to": mine["id"]})
    error = await console.receive_json_from()
    assert (error["type"], error["code"]) == ("error", "invalid")
    assert (await dialog_row(mine["dialog"])).unread_count == 1
    await sockets.silent(widget)


@pytest.mark.parametrize("messages", [1, 5])
def test_marking_read_costs_a_fixed_number_of_queries(site, alice, messages):
    session = sessions.start_visitor_session(site=site, token=None, ip=None, user_agent="")
    for n in range(messages):
        last, _ = posting.post_visitor_message(
            visitor_id=session.visitor.id, visit_id=None, client_id=f"c{n}", text="hi"
        )
    site_ids = selectors.site_ids_of(alice)
    with CaptureQueriesContext(connection) as captured:
        reading.mark_read(
            operator=alice, dialog_id=last.dialog_id, up_to=last.id, site_ids=site_ids
        )
    # Transaction control (BEGIN/COMMIT on SQLite, savepoints) differs per database.
    control = ("BEGIN", "COMMIT", "SAVEPOINT", "RELEASE")
    statements = [q["sql"] for q in captured if not q["sql"].startswith(control)]
    # lock, operators, the message, the update (its row event's tags and messenger channel
    # are cached: tags/row_cache.py, messengers/row_cache.py)
    assert len(statements) == 4, statements
    assert Dialog.objects.get(pk=last.dialog_id).read_up_to == last.id


# --- who is here --------------------------------------------------------------------------


async def test_colleagues_viewing_a_dialog_see_each_other_and_who_types(
    sockets, site, alice, bob, dave
):
    alice_console, _ = await sockets.operator(alice)
    alice_tab2, _ = await sockets.operator(alice)
    bob_console, _ = await sockets.operator(bob)
    dave_console, _ = await sockets.operator(dave)
    widget, _ = await sockets.visitor(site)
    dialog_id = (await visitor_writes(sockets, widget, "Hello?", "v-1"))["dialog"]
    for console in (alice_console, alice_tab2, bob_console):
        await sockets.expect(console, "row")

    await watch(alice_console, dialog_id)
    await watch(alice_tab2, dialog_id)  # her own second tab is not a colleague
    await sockets.silent(alice_console, alice_tab2)

    # Bob opens it: Alice's tabs hear he is here, and he learns Alice is (from both tabs).
    await watch(bob_console, dialog_id)
    for tab in (alice_console, alice_tab2):
        heard = await tab.receive_json_from()
        assert heard["type"] == "viewer" and heard["dialog"] == dialog_id
        assert (heard["operator"], heard["state"]) == ({"id": bob.id, "name": "Bob"}, "viewing")
    answers = await sockets.frames(bob_console, 2)
    assert {a["operator"]["name"] for a in answers} == {"Alice"}
    assert {a["state"] for a in answers} == {"viewing"}
    assert len({a["tab"] for a in answers}) == 2

    # Dave (another account) cannot watch it, so he neither sees nor appears.
    await dave_console.send_json_to({"type": "watch", "dialog": dialog_id})
    assert (await dave_console.receive_json_from())["type"] == "error"
    await sockets.silent(alice_console, alice_tab2, bob_console, dave_console)

    # Bob's typing reaches Alice's page as "Bob is typing…" (and the visitor).
    await bob_console.send_json_to({"type": "typing", "dialog": dialog_id, "typing": True})
    typing = await alice_console.receive_json_from()
    assert (typing["type"], typing["author"]["name"], typing["typing"]) == ("typing", "Bob", True)
    await alice_tab2.receive_json_from()
    assert (await widget.receive_json_from())["type"] == "typing"

    # A heartbeat says he is still here; closing his tab says he left.
    await bob_console.send_json_to({"type": "here", "dialog": dialog_id})
    assert (await alice_console.receive_json_from())["state"] == "viewing"
    await alice_tab2.receive_json_from()
    await bob_console.disconnect()
    for tab in (alice_console, alice_tab2):
        left = await tab.receive_json_from()
        assert (left["type"], left["operator"]["id"], left["state"]) == ("viewer", bob.id, "left")
    await sockets.silent(alice_console, alice_tab2, dave_console)


async def test_opening_another_dialog_leaves_the_first(sockets, site, alice, bob):
    alice_console, _ = await sockets.operator(alice)
    bob_console, _ = await sockets.operator(bob)
    first_widget, _ = await sockets.visitor(site)
    first = (await visitor_writes(sockets, first_widget, "One", "v-1"))["dialog"]
    second_widget, _ = await sockets.visitor(site)
    second = (await visitor_writes(sockets, second_widget, "Two", "v-2"))["dialog"]
    for console in (alice_console, bob_console):
        await sockets.expect(console, "row", "row")
    await watch(alice_console, first)
    await watch(bob_console, first)
    assert (await alice_console.receive_json_from())["state"] == "viewing"
    assert (await bob_console.receive_json_from())["state"] == "viewing"

    await watch(bob_console, second)
    left = await alice_console.receive_json_from()
    assert (left["dialog"], left["operator"]["id"], left["state"]) == (first, bob.id, "left")
    await sockets.silent(alice_console, bob_console)


def test_only_operators_who_may_see_the_dialog_can_mark_it_read(site, alice, make_operator, dave):
    """The service's own check (the socket also demands a watched dialog)."""
    session = sessions.start_visitor_session(site=site, token=None, ip=None, user_agent="")
    message, _ = posting.post_visitor_message(
        visitor_id=session.visitor.id, visit_id=None, client_id="c1", text="hi"
    )
    lifecycle.connect_operator(operator=alice, dialog_id=message.dialog_id)
    # A colleague of the site who may not read others' dialogs, and another account.
    shy = make_operator(username="shy", sites=[site], can_see_others=False)
    for outsider in (shy, dave):
        with pytest.raises(AccessDenied):
            reading.mark_read(
                operator=outsider,
                dialog_id=message.dialog_id,
                up_to=message.id,
                site_ids=selectors.site_ids_of(outsider),
            )
    dialog = Dialog.objects.get(pk=message.dialog_id)
    assert (dialog.read_up_to, dialog.unread_count) == (0, 1)
