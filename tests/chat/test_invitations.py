"""Invite operator: an online colleague gets a live invitation, accepts or declines."""

import pytest
from channels.db import database_sync_to_async
from django.test import Client

from chat.console import selectors
from chat.dialogs import invitations, lifecycle
from chat.errors import ChatError
from chat.messaging import posting
from chat.models import Invitation
from chat.visitors import sessions
from operators import services as presence

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def bob(make_operator, site):
    """No access flags: he joins colleagues' dialogs only when invited."""
    return make_operator(username="bob", display_name="Bob", sites=[site])


def dialog_with(site, operator):
    session = sessions.start_visitor_session(site=site, token=None, ip=None, user_agent="")
    message, _ = posting.post_visitor_message(
        visitor_id=session.visitor.id, visit_id=session.visit.id, client_id="v1", text="Help"
    )
    lifecycle.connect_operator(operator=operator, dialog_id=message.dialog_id)
    return message.dialog_id


def invite(operator, dialog_id, invitee):
    return invitations.invite_operator(
        operator=operator, dialog_id=dialog_id, invitee_id=invitee.id
    )


async def invitation_reaches(sockets, alice, bob, site):
    alice_console, _ = await sockets.operator(alice)
    bob_console, _ = await sockets.operator(bob)
    dialog_id = await database_sync_to_async(dialog_with)(site, alice)
    await sockets.frames(alice_console, 3)  # rows of the new dialog, its system message
    await sockets.frames(bob_console, 3)
    invitation = await database_sync_to_async(invite)(alice, dialog_id, bob)
    frame = await bob_console.receive_json_from()
    assert frame["type"] == "invitation"
    assert frame["invitation"] == invitation.id
    assert "Alice invites you" in frame["html"]
    return alice_console, bob_console, dialog_id, invitation


async def test_accepted_invitation_connects_the_colleague(sockets, site, alice, bob):
    alice_console, bob_console, dialog_id, invitation = await invitation_reaches(
        sockets, alice, bob, site
    )
    await bob_console.send_json_to(
        {"type": "answer_invitation", "invitation": invitation.id, "accept": True}
    )
    frames = await sockets.frames(bob_console, 4)
    answered = [f for f in frames if f["type"] == "invitation_answered"]
    assert answered == [
        {
            "type": "invitation_answered",
            "invitation": invitation.id,
            "dialog": dialog_id,
            "status": "accepted",
        }
    ]
    operators = await database_sync_to_async(selectors.active_operators)(dialog_id)
    assert {op.name for op in operators} == {"Alice", "Bob"}
    heard = await sockets.frames(alice_console, 3)
    notices = [f["text"] for f in heard if f["type"] == "notice"]
    assert notices == ["Bob accepted your invitation to dialog #1"]


async def test_declined_invitation_tells_the_inviter(sockets, site, alice, bob):
    alice_console, bob_console, dialog_id, invitation = await invitation_reaches(
        sockets, alice, bob, site
    )
    await bob_console.send_json_to(
        {"type": "answer_invitation", "invitation": invitation.id, "accept": False}
    )
    got = await sockets.expect(bob_console, "invitation_answered", "invitation_closed")
    assert got["invitation_answered"][0]["status"] == "declined"
    assert await alice_console.receive_json_from() == {
        "type": "notice",
        "text": "Bob declined your invitation to dialog #1",
    }
    operators = await database_sync_to_async(selectors.active_operators)(dialog_id)
    assert [op.name for op in operators] == ["Alice"]


async def test_an_invitation_is_answered_once_and_only_by_the_invitee(sockets, site, alice, bob):
    alice_console, bob_console, _dialog_id, invitation = await invitation_reaches(
        sockets, alice, bob, site
    )
    await alice_console.send_json_to(
        {"type": "answer_invitation", "invitation": invitation.id, "accept": True}
    )
    assert (await alice_console.receive_json_from())["code"] == "not_found"
    await bob_console.send_json_to(
        {"type": "answer_invitation", "invitation": "1; drop", "accept": True}
    )
    assert (await bob_console.receive_json_from())["code"] == "invalid"
    await bob_console.send_json_to(
        {"type": "answer_invitation", "invitation": invitation.id, "accept": False}
    )
    await sockets.expect(bob_console, "invitation_answered", "invitation_closed")
    await bob_console.send_json_to(
        {"type": "answer_invitation", "invitation": invitation.id, "accept": True}
    )
    assert (await bob_console.receive_json_from())["code"] == "answered"


def test_only_online_colleagues_of_the_site_can_be_invited(site, alice, bob, make_operator):
    dialog_id = dialog_with(site, alice)
    with pytest.raises(ChatError, match="not online"):
        invite(alice, dialog_id, bob)  # no console open, never seen
    services_online(bob)
    assert invite(alice, dialog_id, bob).status == Invitation.Status.PENDING
    assert invite(alice, dialog_id, bob).id == Invitation.objects.get().id  # once

    elsewhere = make_operator(account=site.account)
    services_online(elsewhere)
    with pytest.raises(ChatError):
        invite(alice, dialog_id, elsewhere)


def test_only_an_operator_in_the_dialog_can_invite(site, alice, bob, make_operator):
    dialog_id = dialog_with(site, alice)
    services_online(alice)
    watcher = make_operator(sites=[site], can_see_others=True)  # sees the dialog, not in it
    with pytest.raises(ChatError) as refused:
        invite(watcher, dialog_id, alice)
    assert refused.value.code == "not_connected"
    # Bob may not read a colleague's active dialog: a plain refusal, as for any stranger.
    with pytest.raises(ChatError) as refused:
        invite(bob, dialog_id, alice)
    assert refused.value.code == "forbidden"
    outsider = make_operator()
    with pytest.raises(ChatError) as refused:
        invite(outsider, dialog_id, alice)
    assert refused.value.code == "forbidden"


def test_the_invite_menu_lists_online_colleagues(site, alice, bob, make_operator):
    dialog_id = dialog_with(site, alice)
    services_online(bob)
    make_operator(sites=[site], display_name="Offline Olga")
    client = Client()
    client.force_login(alice.user)
    page = client.get(f"/console/dialogs/{dialog_id}/").content.decode()
    invite_menu = page.split('id="invite-menu"')[1].split("</details>")[0]
    assert 'class="menu-item invite-choice">Bob<' in invite_menu
    # (Transfer dialog lists her, marked offline: a transfer to her is refused with why.)
    assert "Offline Olga" not in invite_menu
    response = client.post(f"/console/dialogs/{dialog_id}/invite/", {"invitee": bob.id})
    assert response.status_code == 302
    assert Invitation.objects.get().invitee == bob


def services_online(operator):
    presence.console_socket_opened(operator_id=operator.id)


async def test_inviting_over_the_socket_keeps_the_page(sockets, site, alice, bob):
    alice_console, _ = await sockets.operator(alice)
    bob_console, _ = await sockets.operator(bob)
    dialog_id = await database_sync_to_async(dialog_with)(site, alice)
    await sockets.frames(alice_console, 3)
    await sockets.frames(bob_console, 3)

    await alice_console.send_json_to({"type": "invite", "dialog": dialog_id, "invitee": "x"})
    assert (await alice_console.receive_json_from())["code"] == "invalid"
    await alice_console.send_json_to({"type": "invite", "dialog": dialog_id, "invitee": bob.id})
    assert await alice_console.receive_json_from() == {
        "type": "notice",
        "text": "Invitation sent to Bob. You will see the answer here.",
    }
    assert (await bob_console.receive_json_from())["type"] == "invitation"
