"""Leads reach the console live: the new row on the Leads page of the site's operators
only, and a visitor who introduces himself shows with his name in the open dialog."""

import pytest
from channels.db import database_sync_to_async
from django.test import Client

from chat.models import Dialog, Message, Visitor
from leads.models import Lead

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def carol(make_operator, make_site, site):
    """Same account, another site."""
    return make_operator(username="carol", sites=[make_site(account=site.account)])


@pytest.fixture
def mallory(make_operator, make_site):
    """Another account."""
    return make_operator(username="mallory", sites=[make_site()])


def post(site, token, kind, **fields):
    return Client().post(
        f"/widget/{site.widget_key}/{kind}/",
        data=fields,
        content_type="application/json",
        headers={"X-Visitor-Token": token},
    )


async def test_a_new_lead_reaches_the_operators_of_its_site_only(
    sockets, site, alice, carol, mallory
):
    console, _ = await sockets.operator(alice)
    others = [(await sockets.operator(op))[0] for op in (carol, mallory)]
    widget, hello = await sockets.visitor(site)

    response = await database_sync_to_async(post)(
        site,
        hello["visitor"]["token"],
        "lead",
        name="Ivan <b>",
        email="ivan@example.com",
        message="Call me",
    )

    assert response.status_code == 200
    lead = await database_sync_to_async(Lead.objects.get)()
    frame = await console.receive_json_from()
    assert set(frame) == {"type", "lead", "site", "source", "html"}  # what leads.js reads
    assert {k: frame[k] for k in ("type", "lead", "site", "source")} == {
        "type": "lead",
        "lead": lead.id,
        "site": site.id,
        "source": "offline_form",
    }
    assert f'data-lead="{lead.id}"' in frame["html"]
    assert "Ivan &lt;b&gt;" in frame["html"]  # escaped, rendered once by the server
    await sockets.silent(*others)


async def test_introducing_updates_the_open_dialog_live(sockets, site, alice):
    widget, hello = await sockets.visitor(site)
    await widget.send_json_to({"type": "message", "client_id": "v-1", "text": "Hi"})
    dialog_id = (await sockets.expect(widget, "ack", "message"))["ack"][0]["dialog"]
    console, _ = await sockets.operator(alice)
    await console.send_json_to({"type": "watch", "dialog": dialog_id})
    assert await console.receive_json_from() == {"type": "watching", "dialog": dialog_id}

    response = await database_sync_to_async(post)(
        site, hello["visitor"]["token"], "introduce", name="Ivan", email="ivan@example.com"
    )

    assert response.status_code == 200
    frames = await sockets.expect(console, "message", "row", "visitor", "lead")
    note = frames["message"][0]
    assert note["message"]["author"] == {"kind": "system"}
    assert note["message"]["text"] == "The visitor introduced themselves: Ivan, ivan@example.com"
    assert frames["row"][0]["dialog"] == dialog_id
    assert "Ivan" in frames["row"][0]["html"]  # the row shows his name now
    visitor = frames["visitor"][0]
    assert (visitor["dialog"], visitor["name"], visitor["email"]) == (
        dialog_id,
        "Ivan",
        "ivan@example.com",
    )
    assert ">I<" in visitor["avatar_html"]  # his initial instead of the animal
    lead = await database_sync_to_async(Lead.objects.get)()
    assert (lead.source, lead.dialog_id) == ("introduce", dialog_id)
    # The visitor sees the same line in his widget, and his name on the next hello.
    seen = await sockets.expect(widget, "presence", "message")  # Alice's console came online
    assert seen["message"][0]["message"]["text"] == note["message"]["text"]
    _again, hello_again = await sockets.visitor(site, token=hello["visitor"]["token"])
    assert hello_again["visitor"]["name"] == "Ivan"


async def test_introducing_after_the_dialog_ended_links_the_last_dialog(sockets, site, alice):
    widget, hello = await sockets.visitor(site)
    await widget.send_json_to({"type": "message", "client_id": "v-1", "text": "Hi"})
    dialog_id = (await sockets.expect(widget, "ack", "message"))["ack"][0]["dialog"]
    closed = Dialog.objects.filter(pk=dialog_id)
    await database_sync_to_async(closed.update)(status="closed")

    response = await database_sync_to_async(post)(
        site, hello["visitor"]["token"], "introduce", phone="+7 912 345-67-89"
    )

    assert response.status_code == 200
    lead = await database_sync_to_async(Lead.objects.get)()
    assert (lead.dialog_id, lead.phone) == (dialog_id, "+79123456789")
    visitor = await database_sync_to_async(Visitor.objects.get)()
    assert visitor.phone == "+79123456789"
    assert await database_sync_to_async(
        Message.objects.filter(dialog_id=dialog_id, author_kind="system").exists
    )()


async def test_an_offline_lead_renames_the_visitors_open_dialog_row(sockets, site, alice):
    widget, hello = await sockets.visitor(site)
    await widget.send_json_to({"type": "message", "client_id": "v-1", "text": "Hi"})
    dialog_id = (await sockets.expect(widget, "ack", "message"))["ack"][0]["dialog"]
    console, _ = await sockets.operator(alice)

    response = await database_sync_to_async(post)(
        site, hello["visitor"]["token"], "lead", name="Olga", phone="89123456789", message="?"
    )

    assert response.status_code == 200
    frames = await sockets.expect(console, "row", "lead")
    assert frames["row"][0]["dialog"] == dialog_id
    assert "Olga" in frames["row"][0]["html"]
    lead = await database_sync_to_async(Lead.objects.get)()
    assert lead.dialog_id == dialog_id
