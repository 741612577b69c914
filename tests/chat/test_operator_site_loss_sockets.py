"""A site taken from an operator who keeps others (chat/console/withdrawal.py): his open
console sockets stop hearing it at once, without closing. They leave the site's groups,
drop the dialog of that site they had open, tell the page (`sites_changed`, console.js
resyncs its lists), and refuse his frames about that site's dialogs; he leaves the dialogs
of that site he was in. A site given to him is heard at once the same way.

"Heard nothing" is proven by an event on the lost site followed by one on a kept site: the
next frame must be the kept site's."""

import pytest
from channels.db import database_sync_to_async
from django.contrib.auth import get_user_model
from django.forms.models import model_to_dict
from django.test import Client
from django.urls import reverse

from chat.console import withdrawal
from chat.dialogs import lifecycle
from chat.models import Dialog, Participant

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def kept(make_site, site):
    """A second site of the same account: Alice keeps it."""
    return make_site(account=site.account)


@pytest.fixture
def alice(make_operator, site, kept):
    """On both sites; `site` is the one taken from her."""
    return make_operator(username="alice", display_name="Alice", sites=[site, kept])


async def new_dialog(sockets, site, console, text="Hello"):
    """A visitor of the site writes: a new dialog, whose row the console hears."""
    widget, _hello = await sockets.visitor(site)
    await widget.send_json_to({"type": "message", "client_id": "v-1", "text": text})
    ack = (await sockets.expect(widget, "ack", "message"))["ack"][0]
    row = await console.receive_json_from()
    assert (row["type"], row["dialog"]) == ("row", ack["dialog"])
    return widget, ack["dialog"]


async def visitor_writes(sockets, widget, text, client_id):
    await widget.send_json_to({"type": "message", "client_id": client_id, "text": text})
    await sockets.expect(widget, "ack", "message")


async def assert_hears_only_the_kept_site(sockets, console, lost_widget, kept_widget, kept_id):
    """The lost site's visitor types and writes, then the kept site's visitor writes: the
    console's next frame is the kept site's row."""
    await lost_widget.send_json_to({"type": "typing", "typing": True, "text": "are you th"})
    await visitor_writes(sockets, lost_widget, "Anyone?", "v-2")
    await visitor_writes(sockets, kept_widget, "Still here", "v-3")
    frame = await console.receive_json_from(timeout=5)
    assert (frame["type"], frame["dialog"]) == ("row", kept_id), frame
    assert "Still here" in frame["html"]
    await sockets.silent(console)


def take_in_the_site_admin(site, operator):
    """As an administrator does: the site's page, the operator moved out of "Chosen
    operators", Save."""
    root = get_user_model().objects.create_superuser("root", "root@example.com", "pw-123456")
    browser = Client()
    browser.force_login(root)
    fields = [
        "account",
        "name",
        "domains",
        "widget_key",
        "widget_color",
        "widget_title",
        "greeting",
        "language",
        "alert_repeat_seconds",
        "offer_after_seconds",
        "typing_preview",
        "auto_close_minutes",
    ]
    data = {k: ("" if v is None else v) for k, v in model_to_dict(site, fields=fields).items()}
    if not data["typing_preview"]:
        del data["typing_preview"]
    data["operators"] = [op.pk for op in site.operators.all() if op.pk != operator.pk]
    response = browser.post(reverse("admin:chat_site_change", args=[site.pk]), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    assert not site.operators.filter(pk=operator.pk).exists()


async def test_a_site_taken_in_the_admin_is_no_longer_heard(sockets, site, kept, alice):
    """The regression: before, her open console kept the lost site's rows, dialog and
    typing until she reloaded."""
    console, _hello = await sockets.operator(alice)
    lost_widget, lost_id = await new_dialog(sockets, site, console)
    kept_widget, kept_id = await new_dialog(sockets, kept, console)
    await console.send_json_to({"type": "watch", "dialog": lost_id})
    assert (await console.receive_json_from())["type"] == "watching"

    await database_sync_to_async(take_in_the_site_admin)(site, alice)

    assert await console.receive_json_from(timeout=5) == {
        "type": "sites_changed",
        "lost": [site.id],
        "gained": [],
        "dialog": lost_id,
    }
    # Nobody else serves the lost site: its visitor sees the chat go offline.
    assert await lost_widget.receive_json_from() == {"type": "presence", "operators_online": False}
    await assert_hears_only_the_kept_site(sockets, console, lost_widget, kept_widget, kept_id)
    # Her lists, resynced, no longer hold the lost site's dialog.
    await console.send_json_to({"type": "sync", "tab": "mine", "shown": {}, "mine": []})
    synced = await console.receive_json_from()
    assert synced["members"]["mine"] == [kept_id]


async def test_the_service_moves_every_socket_of_his_and_refuses_his_answers(
    sockets, site, kept, alice, make_operator
):
    """remove_operator_from_site, as a command or the shell would call it: both his tabs
    follow; the dialog he was in goes back to New for his colleagues, the visitor sees him
    leave, and an answer into it is refused with an error frame."""
    bob = await database_sync_to_async(make_operator)(username="bob", sites=[site])
    first, _hello = await sockets.operator(alice)
    lost_widget, lost_id = await new_dialog(sockets, site, first)
    second, _hello = await sockets.operator(alice)
    bobs, _hello = await sockets.operator(bob)
    await database_sync_to_async(lifecycle.connect_operator)(operator=alice, dialog_id=lost_id)
    await sockets.expect(lost_widget, "message", "dialog")
    for console in (first, second, bobs):
        await sockets.expect(console, "row", "row")
    await first.send_json_to({"type": "watch", "dialog": lost_id})
    assert (await first.receive_json_from())["type"] == "watching"

    await database_sync_to_async(withdrawal.remove_operator_from_site)(alice, site)

    # The visitor sees her leave; the dialog is New again, in Bob's Mine.
    got = await sockets.expect(lost_widget, "message", "dialog")
    assert got["dialog"][0]["dialog"]["status"] == "new"
    assert "Alice" in got["message"][0]["message"]["text"]
    bobs_row = (await sockets.expect(bobs, "row", "row"))["row"][-1]
    assert (bobs_row["dialog"], bobs_row["tab"]) == (lost_id, "mine")
    # Her tabs heard the leave (still on the site then), then the change.
    first_frames = await sockets.expect(first, "message", "dialog", "row", "row", "sites_changed")
    assert first_frames["sites_changed"][0]["dialog"] == lost_id
    second_frames = await sockets.expect(second, "row", "row", "sites_changed")
    assert second_frames["sites_changed"][0] == {
        "type": "sites_changed",
        "lost": [site.id],
        "gained": [],
        "dialog": None,
    }
    assert await database_sync_to_async(
        lambda: not Participant.objects.connected().filter(operator=alice).exists()
    )()

    answer = {"type": "message", "dialog": lost_id, "client_id": "a-1", "text": "x"}
    await first.send_json_to(answer)
    error = await first.receive_json_from()
    assert (error["type"], error["code"], error["client_id"]) == ("error", "forbidden", "a-1")
    await first.send_json_to({"type": "watch", "dialog": lost_id})
    assert (await first.receive_json_from())["code"] == "forbidden"

    kept_widget, kept_id = await new_dialog(sockets, kept, second)
    assert (await first.receive_json_from())["dialog"] == kept_id
    await assert_hears_only_the_kept_site(sockets, second, lost_widget, kept_widget, kept_id)
    assert (
        await database_sync_to_async(lambda: Dialog.objects.get(pk=lost_id).status)()
        == Dialog.Status.NEW
    )


async def test_a_site_given_is_heard_without_reconnecting(sockets, make_site, site, alice):
    other = await database_sync_to_async(make_site)(account=site.account)
    console, _hello = await sockets.operator(alice)

    await database_sync_to_async(withdrawal.add_operator_to_site)(alice, other)

    assert await console.receive_json_from(timeout=5) == {
        "type": "sites_changed",
        "lost": [],
        "gained": [other.id],
        "dialog": None,
    }
    await new_dialog(sockets, other, console)


async def test_set_operator_sites_takes_and_gives(sockets, make_site, site, kept, alice):
    other = await database_sync_to_async(make_site)(account=site.account)
    console, _hello = await sockets.operator(alice)

    await database_sync_to_async(withdrawal.set_operator_sites)(alice, [kept, other])

    frame = await console.receive_json_from(timeout=5)
    assert (frame["lost"], frame["gained"]) == ([site.id], [other.id])
    lost_widget, _hello = await sockets.visitor(site)
    await visitor_writes(sockets, lost_widget, "Hi", "v-1")
    await new_dialog(sockets, other, console)
    await sockets.silent(console)


async def test_a_deleted_site_is_left_by_its_operators_sockets(sockets, site, kept, alice):
    console, _hello = await sockets.operator(alice)
    kept_widget, kept_id = await new_dialog(sockets, kept, console)
    site_id = site.id

    await database_sync_to_async(withdrawal.delete_site)(site)

    frame = await console.receive_json_from(timeout=5)
    assert (frame["type"], frame["lost"], frame["gained"]) == ("sites_changed", [site_id], [])
    await visitor_writes(sockets, kept_widget, "Still here", "v-3")
    assert (await console.receive_json_from())["dialog"] == kept_id
