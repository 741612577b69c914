"""Typing preview: the visitor's draft reaches the operators connected to his dialog, and
only them, when the site shows it (Site.typing_preview); docs/protocol.md, typing."""

import asyncio
import threading

import pytest
from channels.db import database_sync_to_async
from django.db.backends import utils as db_utils

from chat.dialogs import lifecycle
from chat.models import Message, Site
from engage.visitors_live import live
from tests.chat.test_read_state_and_viewers import visitor_writes

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def bob(make_operator, site):
    """A colleague who may read colleagues' dialogs, without connecting to them."""
    return make_operator(username="bob", display_name="Bob", sites=[site], can_see_others=True)


async def drain(communicator, timeout=0.3):
    """Every frame the socket gets until it is quiet."""
    frames = []
    while not await communicator.receive_nothing(timeout=timeout):
        frames.append(await communicator.receive_json_from())
    return frames


def typing_of(frames):
    return [frame for frame in frames if frame["type"] == "typing"]


async def watch(console, dialog_id):
    """Open the dialog on the console: wait for its "watching" answer (however slow the
    machine), then let what else it heard go."""
    await console.send_json_to({"type": "watch", "dialog": dialog_id})
    while await console.receive_json_from(timeout=5) != {"type": "watching", "dialog": dialog_id}:
        pass
    await drain(console)


async def a_dialog_with_alice_connected(sockets, site, alice, bob):
    """The visitor wrote, Alice connected and has the dialog open, Bob only reads it."""
    alice_console, _ = await sockets.operator(alice)
    bob_console, _ = await sockets.operator(bob)
    widget, hello = await sockets.visitor(site)
    dialog_id = (await visitor_writes(sockets, widget, "Hello?", "v-1"))["dialog"]
    await database_sync_to_async(lifecycle.connect_operator)(operator=alice, dialog_id=dialog_id)
    await sockets.expect(widget, "message", "dialog")
    await watch(alice_console, dialog_id)
    await watch(bob_console, dialog_id)
    await drain(alice_console)
    return widget, hello, dialog_id, alice_console, bob_console


async def test_connected_operator_sees_the_draft_a_colleague_who_only_reads_does_not(
    sockets, site, alice, bob
):
    widget, hello, dialog_id, alice_console, bob_console = await a_dialog_with_alice_connected(
        sockets, site, alice, bob
    )
    assert hello["site"] == {"typing_preview": True}  # the default: the widget may send it

    # This socket learned that Alice connected from the dialog event (not from hello).
    await widget.send_json_to({"type": "typing", "typing": True, "text": "Where is my <b>"})
    alice_hears = await alice_console.receive_json_from()
    assert alice_hears == {
        "type": "typing",
        "dialog": dialog_id,
        "author": {"kind": "visitor"},
        "typing": True,
        "text": "Where is my <b>",
    }
    bob_hears = await bob_console.receive_json_from()
    assert bob_hears == {
        "type": "typing",
        "dialog": dialog_id,
        "author": {"kind": "visitor"},
        "typing": True,
    }
    await sockets.silent(widget, alice_console, bob_console)

    # A second tab of the visitor opened after Alice connected: hello tells who is in.
    tab2, _ = await sockets.visitor(site, token=hello["visitor"]["token"])
    await tab2.send_json_to({"type": "typing", "typing": True, "text": "Where is my order"})
    assert (await alice_console.receive_json_from())["text"] == "Where is my order"
    assert "text" not in await bob_console.receive_json_from()

    # Stopping carries no text, whatever the client sends.
    await widget.send_json_to({"type": "typing", "typing": False, "text": "Where is"})
    stopped = await alice_console.receive_json_from()
    assert (stopped["typing"], "text" in stopped) == (False, False)
    await bob_console.receive_json_from()

    # Alice leaves: from then on she hears only that he types.
    await database_sync_to_async(lifecycle.leave_dialog)(operator=alice, dialog_id=dialog_id)
    await drain(widget)
    await drain(tab2)
    await drain(alice_console)
    await drain(bob_console)
    await widget.send_json_to({"type": "typing", "typing": True, "text": "Hello??"})
    for console in (alice_console, bob_console):
        heard = typing_of(await drain(console))
        assert heard == [
            {"type": "typing", "dialog": dialog_id, "author": {"kind": "visitor"}, "typing": True}
        ]


async def test_with_the_setting_off_nobody_gets_the_text_and_hello_says_so(
    sockets, site, alice, bob
):
    await database_sync_to_async(Site.objects.filter(pk=site.pk).update)(typing_preview=False)
    widget, hello, dialog_id, alice_console, bob_console = await a_dialog_with_alice_connected(
        sockets, site, alice, bob
    )
    assert hello["site"] == {"typing_preview": False}
    await widget.send_json_to({"type": "typing", "typing": True, "text": "my card number is"})
    for console in (alice_console, bob_console):
        assert await console.receive_json_from() == {
            "type": "typing",
            "dialog": dialog_id,
            "author": {"kind": "visitor"},
            "typing": True,
        }
    await sockets.silent(widget, alice_console, bob_console)


async def test_an_overlong_draft_is_cut_to_1000_characters(sockets, site, alice, bob):
    widget, _, _, alice_console, bob_console = await a_dialog_with_alice_connected(
        sockets, site, alice, bob
    )
    await widget.send_json_to({"type": "typing", "typing": True, "text": "ж" * 1000 + "z" * 900})
    heard = await alice_console.receive_json_from()
    assert heard["text"] == "ж" * 1000
    assert "text" not in await bob_console.receive_json_from()
    await sockets.silent(widget)  # cut, not refused


@pytest.mark.parametrize("text", [42, ["a"], {"text": "a"}, True])
async def test_a_draft_that_is_not_text_gets_an_error_and_the_socket_goes_on(
    sockets, site, alice, bob, text
):
    widget, _, dialog_id, alice_console, bob_console = await a_dialog_with_alice_connected(
        sockets, site, alice, bob
    )
    await widget.send_json_to({"type": "typing", "typing": True, "text": text})
    error = await widget.receive_json_from()
    assert (error["type"], error["code"]) == ("error", "invalid")
    assert "text" in error["detail"]
    await sockets.silent(alice_console, bob_console)

    # The socket goes on: the next message is stored and reaches Alice.
    ack = await visitor_writes(sockets, widget, "Still there?", "v-2")
    texts = await database_sync_to_async(
        lambda: list(Message.objects.filter(dialog_id=dialog_id).values_list("text", flat=True))
    )()
    assert texts[-1] == "Still there?"
    frames = await drain(alice_console)
    assert ack["id"] in [f["message"]["id"] for f in frames if f["type"] == "message"]


@pytest.fixture
def queries(monkeypatch):
    """SQL run by ANY thread: the consumers query from the chat.realtime.db_threads pool, which the
    test thread's connection (django_assert_num_queries) never sees."""
    seen = []
    lock = threading.Lock()
    for name in ("execute", "executemany"):
        original = getattr(db_utils.CursorWrapper, name)

        def counted(self, sql, *args, _original=original, **kwargs):
            with lock:
                seen.append(sql)
            return _original(self, sql, *args, **kwargs)

        monkeypatch.setattr(db_utils.CursorWrapper, name, counted)
    return seen


async def test_typing_frames_run_no_query_on_either_socket(sockets, site, alice, bob, queries):
    widget, _, dialog_id, alice_console, bob_console = await a_dialog_with_alice_connected(
        sockets, site, alice, bob
    )
    # engage's Visitors rows of the dialog's change are flushed within a second (coalesced,
    # engage/visitors_live.py) and read the visit: let that pass before counting.
    await asyncio.sleep(0.1)
    for _ in range(200):
        if live.idle():
            break
        await asyncio.sleep(0.05)
    queries.clear()  # django_assert_num_queries(0), counted on every thread
    # Visitor -> consoles (VisitorConsumer.on_typing, OperatorConsumer.chat_typing).
    for n in range(3):
        await widget.send_json_to({"type": "typing", "typing": True, "text": f"draft {n}"})
        assert (await alice_console.receive_json_from())["text"] == f"draft {n}"
        assert "text" not in await bob_console.receive_json_from()
    # Console -> visitor and colleague (OperatorConsumer.on_typing, both chat_typing).
    await alice_console.send_json_to({"type": "typing", "dialog": dialog_id, "typing": True})
    heard = await widget.receive_json_from()
    assert heard == {
        "type": "typing",
        "author": {"kind": "operator", "id": alice.id, "name": "Alice"},
        "typing": True,
    }
    assert (await bob_console.receive_json_from())["author"]["id"] == alice.id
    await sockets.silent(widget, alice_console, bob_console)
    assert queries == []


def test_the_site_admin_shows_the_setting(client, site, make_user):
    admin = make_user(username="root")
    admin.is_staff = admin.is_superuser = True
    admin.save()
    client.force_login(admin)
    page = client.get(f"/admin/chat/site/{site.pk}/change/").content.decode()
    assert 'name="typing_preview"' in page
    assert "show what the visitor is typing" in page.lower()
