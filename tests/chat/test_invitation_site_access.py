"""An invitation is no key to a site: the invitee must still work on the dialog's site when
he accepts."""

import pytest

from chat.console import selectors
from chat.dialogs import invitations, lifecycle
from chat.errors import AccessDenied
from chat.messaging import posting
from chat.models import Invitation
from chat.visitors import sessions
from operators import services as presence

pytestmark = pytest.mark.django_db(transaction=True)


def test_an_invitee_taken_off_the_site_cannot_accept(site, alice, make_operator):
    bob = make_operator(username="bob", display_name="Bob", sites=[site])
    presence.console_socket_opened(operator_id=bob.id)
    session = sessions.start_visitor_session(site=site, token=None, ip=None, user_agent="")
    message, _ = posting.post_visitor_message(
        visitor_id=session.visitor.id, visit_id=session.visit.id, client_id="v1", text="Help"
    )
    lifecycle.connect_operator(operator=alice, dialog_id=message.dialog_id)
    invitation = invitations.invite_operator(
        operator=alice, dialog_id=message.dialog_id, invitee_id=bob.id
    )
    site.operators.remove(bob)  # the admin moved him to another shop meanwhile

    with pytest.raises(AccessDenied):
        invitations.answer_invitation(operator=bob, invitation_id=invitation.id, accept=True)

    assert [op.id for op in selectors.active_operators(message.dialog_id)] == [alice.id]
    assert Invitation.objects.get().status == Invitation.Status.PENDING
