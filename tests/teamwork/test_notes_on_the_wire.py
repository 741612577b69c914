"""A note never reaches the visitor: not his socket, not his resume, not his hello, not
the widget's page. Operators that have the dialog open get it live; a mentioned colleague
gets a toast; a console catches up after a reconnect."""

import pytest
from channels.db import database_sync_to_async
from django.test import Client
from teamwork_cast import start_dialog

from chat.dialogs import lifecycle
from teamwork import notes
from teamwork.models import Note

pytestmark = pytest.mark.django_db(transaction=True)

SECRET = "internal: refund approved by finance"


async def visitor_and_console(sockets, site, alice):
    dialog_id, session = await database_sync_to_async(start_dialog)(site, alice)
    widget, hello = await sockets.visitor(site, token=session.visitor.token)
    console, _ = await sockets.operator(alice)
    await sockets.expect(widget, "presence")  # Alice's console opened: the site is online
    await console.send_json_to({"type": "watch", "dialog": dialog_id})
    await sockets.expect(console, "watching")
    return dialog_id, session, widget, console


async def test_a_note_goes_to_consoles_and_never_to_the_visitor(sockets, site, alice):
    dialog_id, session, widget, console = await visitor_and_console(sockets, site, alice)
    await console.send_json_to(
        {"type": "note", "dialog": dialog_id, "client_id": "n1", "text": SECRET}
    )
    got = await sockets.expect(console, "noted", "note")
    note_id = got["noted"][0]["note"]
    assert got["noted"][0] == {
        "type": "noted",
        "dialog": dialog_id,
        "note": note_id,
        "client_id": "n1",
    }
    live = got["note"][0]
    assert live["dialog"] == dialog_id and live["note"] == note_id
    assert SECRET in live["html"] and 'class="msg msg-note"' in live["html"]
    assert "visitor does not see it" in live["html"]
    await sockets.silent(widget)

    # The visitor's resume and his next hello (a reload) know nothing of it.
    await widget.send_json_to({"type": "resume", "after": 0})
    frames = []
    while not frames or frames[-1]["type"] != "resumed":
        frames.append(await widget.receive_json_from())
    assert SECRET not in repr(frames)
    again, hello = await sockets.visitor(site, token=session.visitor.token)
    assert SECRET not in repr(hello)
    await sockets.silent(widget, again)
    # The widget's page neither.
    page = await database_sync_to_async(Client().get)(f"/widget/{site.widget_key}/")
    assert page.status_code == 200 and SECRET not in page.content.decode()


async def test_a_note_on_an_ended_dialog_reaches_no_widget(sockets, site, alice):
    dialog_id, session, widget, console = await visitor_and_console(sockets, site, alice)
    await database_sync_to_async(lifecycle.end_dialog)(operator=alice, dialog_id=dialog_id)
    await sockets.frames(widget, 2)  # the line and the dialog's state
    await console.send_json_to(
        {"type": "note", "dialog": dialog_id, "client_id": "n2", "text": SECRET}
    )
    frames = await sockets.frames(console, 6)  # the end's line, state, row; noted, note
    assert {"noted", "note"} <= {f["type"] for f in frames}
    await sockets.silent(widget)


async def test_a_colleague_without_the_dialog_open_hears_nothing(sockets, site, alice, bob):
    dialog_id, session, widget, console = await visitor_and_console(sockets, site, alice)
    bob_console, _ = await sockets.operator(bob)
    await database_sync_to_async(notes.add_note)(
        operator=alice, dialog_id=dialog_id, text="nothing for Bob"
    )
    await sockets.expect(console, "note")
    await sockets.silent(bob_console, widget)


async def test_a_mention_alerts_the_colleague_who_may_read_the_dialog(
    sockets, site, alice, make_operator
):
    lead = await database_sync_to_async(make_operator)(
        username="olga", display_name="Olga Smirnova", sites=[site], can_see_others=True
    )
    dialog_id, session, widget, console = await visitor_and_console(sockets, site, alice)
    olga_console, _ = await sockets.operator(lead)
    await console.send_json_to(
        {"type": "note", "dialog": dialog_id, "client_id": "m1", "text": "@olga can we refund?"}
    )
    await sockets.expect(console, "noted", "note")
    toast = await olga_console.receive_json_from()
    assert toast["type"] == "mention" and toast["dialog"] == dialog_id
    assert "Alice mentioned you in a note in dialog #1" in toast["html"]
    assert "can we refund?" in toast["html"]
    await sockets.silent(widget)


async def test_a_mentioned_colleague_who_may_not_read_the_dialog_is_not_alerted(
    sockets, site, alice, bob
):
    dialog_id, session, widget, console = await visitor_and_console(sockets, site, alice)
    bob_console, _ = await sockets.operator(bob)  # no can_see_others: Alice's dialog is hers
    await console.send_json_to(
        {"type": "note", "dialog": dialog_id, "client_id": "m2", "text": "@bob look"}
    )
    await sockets.expect(console, "noted", "note")
    await sockets.silent(bob_console)
    note = await database_sync_to_async(Note.objects.get)()
    assert await database_sync_to_async(lambda: [op.id for op in note.mentions.all()])() == [bob.id]


async def test_a_reconnecting_console_catches_up_on_notes(sockets, site, alice):
    dialog_id, session, widget, console = await visitor_and_console(sockets, site, alice)
    first, _ = await database_sync_to_async(notes.add_note)(
        operator=alice, dialog_id=dialog_id, text="one"
    )
    await database_sync_to_async(notes.add_note)(operator=alice, dialog_id=dialog_id, text="two")
    await sockets.frames(console, 2)
    await console.send_json_to({"type": "notes", "dialog": dialog_id, "after": first.id})
    answer = await console.receive_json_from()
    assert answer["type"] == "notes" and answer["dialog"] == dialog_id
    assert [n["id"] for n in answer["notes"]] == [first.id + 1]
    assert "two" in answer["notes"][0]["html"]


@pytest.mark.parametrize(
    "frame, code",
    [
        ({"type": "note", "dialog": "x", "client_id": "c", "text": "t"}, "invalid"),
        ({"type": "note", "dialog": "D", "client_id": "", "text": "t"}, "invalid"),
        ({"type": "note", "dialog": "D", "client_id": "c", "text": ""}, "empty"),
        ({"type": "note", "dialog": "D", "client_id": "c", "text": ["t"]}, "invalid"),
        ({"type": "note", "dialog": 424242, "client_id": "c", "text": "t"}, "not_found"),
        ({"type": "notes", "dialog": "D", "after": -1}, "invalid"),
    ],
)
async def test_bad_note_frames_get_an_error_and_the_socket_stays(sockets, site, alice, frame, code):
    dialog_id, _session = await database_sync_to_async(start_dialog)(site, alice)
    console, _ = await sockets.operator(alice)
    await console.send_json_to({**frame, "dialog": dialog_id} if frame["dialog"] == "D" else frame)
    error = await console.receive_json_from()
    assert error["type"] == "error" and error["code"] == code
    assert error["frame"] == frame["type"]
    await console.send_json_to({"type": "here", "dialog": 1})  # still answers
    assert (await console.receive_json_from())["type"] == "error"


async def test_another_accounts_operator_cannot_note_or_read_notes(sockets, site, alice, stranger):
    dialog_id, session, widget, console = await visitor_and_console(sockets, site, alice)
    await database_sync_to_async(notes.add_note)(operator=alice, dialog_id=dialog_id, text="x")
    await sockets.expect(console, "note")
    theirs, _ = await sockets.operator(stranger)
    await theirs.send_json_to({"type": "note", "dialog": dialog_id, "client_id": "s", "text": "x"})
    assert (await theirs.receive_json_from())["code"] == "forbidden"
    await theirs.send_json_to({"type": "notes", "dialog": dialog_id, "after": 0})
    assert (await theirs.receive_json_from())["code"] == "forbidden"
    await sockets.silent(console, widget)
