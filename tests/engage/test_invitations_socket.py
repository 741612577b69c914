"""The widget's invitation frames over a real socket (docs/protocol.md, "invitations"):
`invitation_shown` re-checked and recorded, `invitation_closed`, and the answer that opens
a dialog with the invitation as its first, operator-side message."""

import pytest
from channels.db import database_sync_to_async

from chat.models import Message
from engage import invitations
from engage.rule_models import InvitationEvent

pytestmark = pytest.mark.django_db(transaction=True)


@database_sync_to_async
def events():
    return list(InvitationEvent.objects.order_by("id").values_list("rule_id", "kind"))


@database_sync_to_async
def transcript(dialog_id):
    return list(
        Message.objects.filter(dialog_id=dialog_id)
        .order_by("id")
        .values_list("author_kind", "operator__display_name", "text")
    )


async def shown(widget, rule_id):
    await widget.send_json_to({"type": "invitation_shown", "rule": rule_id})
    return await widget.receive_json_from()


@pytest.fixture
def rules(site, make_rule, make_site, alice):
    return {
        "delivery": make_rule(
            site, name="delivery", operator=alice, text="Hi! I'm {operator_name}. Delivery?"
        ),
        "paused": make_rule(site, name="paused", paused=True),
        "foreign": make_rule(make_site(), name="another site's"),
        "visitor": make_rule(site, name="once per visitor", frequency="visitor"),
    }


async def test_shown_once_per_visit_then_refused_and_other_sites_or_paused_rules_never(
    sockets, site, rules
):
    widget, hello = await sockets.visitor(site)
    assert {r["id"] for r in hello["invitations"]["rules"]} == {
        rules["delivery"].id,
        rules["visitor"].id,
    }
    delivery = rules["delivery"].id
    assert await shown(widget, delivery) == {
        "type": "invitation_shown",
        "rule": delivery,
        "shown": True,
    }
    assert (await shown(widget, delivery))["shown"] is False  # once per visit
    assert (await shown(widget, rules["paused"].id))["shown"] is False
    assert (await shown(widget, rules["foreign"].id))["shown"] is False
    assert (await shown(widget, 10**9))["shown"] is False
    assert await events() == [(delivery, "shown")]


async def test_bad_frames_get_an_error_naming_the_frame(sockets, site, rules):
    widget, _ = await sockets.visitor(site)
    for bad in ("1", None, True, -3, 1.5, [1]):
        await widget.send_json_to({"type": "invitation_shown", "rule": bad})
        error = await widget.receive_json_from()
        assert (error["type"], error["code"], error["frame"]) == (
            "error",
            "invalid",
            "invitation_shown",
        )
    await widget.send_json_to({"type": "invitation_closed"})
    assert (await widget.receive_json_from())["frame"] == "invitation_closed"
    assert await events() == []


async def test_closing_ends_invitations_for_the_visit(sockets, site, rules):
    widget, hello = await sockets.visitor(site)
    delivery, other = rules["delivery"].id, rules["visitor"].id
    assert (await shown(widget, delivery))["shown"] is True
    await widget.send_json_to({"type": "invitation_closed", "rule": delivery})
    await widget.send_json_to({"type": "invitation_closed", "rule": other})  # never shown
    assert (await shown(widget, other))["shown"] is False
    assert await events() == [(delivery, "shown"), (delivery, "closed")]
    visitor_id = (await database_sync_to_async(InvitationEvent.objects.first)()).visitor_id
    assert await database_sync_to_async(invitations.closed_recently)(visitor_id, 5) is True

    _again, hello = await sockets.visitor(site, token=hello["visitor"]["token"])
    assert hello["invitations"]["closed_this_visit"] is True


async def test_the_answer_opens_the_dialog_with_the_invitation_first(sockets, site, rules):
    widget, hello = await sockets.visitor(site)
    delivery = rules["delivery"].id
    assert (await shown(widget, delivery))["shown"] is True
    await widget.send_json_to(
        {"type": "message", "client_id": "c1", "text": "To Kazan?", "invitation": delivery}
    )
    frames = await sockets.expect(widget, "message", "message", "ack")
    opening, answer = (f["message"] for f in frames["message"])
    assert opening["author"] == {"kind": "operator", "name": "Alice"}
    assert opening["text"] == "Hi! I'm Alice. Delivery?"
    assert answer["author"] == {"kind": "visitor"} and opening["id"] < answer["id"]
    dialog = frames["ack"][0]["dialog"]
    assert await transcript(dialog) == [
        ("operator", "Alice", "Hi! I'm Alice. Delivery?"),
        ("visitor", None, "To Kazan?"),
    ]
    assert await events() == [(delivery, "shown"), (delivery, "answered")]

    # The next message is in the same dialog: no second opening.
    await widget.send_json_to(
        {"type": "message", "client_id": "c2", "text": "Tomorrow?", "invitation": delivery}
    )
    await sockets.expect(widget, "message", "ack")
    assert len(await transcript(dialog)) == 3


async def test_an_invitation_never_shown_to_him_opens_nothing(sockets, site, rules):
    widget, _ = await sockets.visitor(site)
    await widget.send_json_to(
        {"type": "message", "client_id": "c1", "text": "Hello", "invitation": rules["delivery"].id}
    )
    frames = await sockets.expect(widget, "message", "ack")
    assert await transcript(frames["ack"][0]["dialog"]) == [("visitor", None, "Hello")]
    assert await events() == []
