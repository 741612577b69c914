"""client_id is the visitor's own: another visitor who happens to pick the same one (two
widgets with the same counter, a custom client) has his message stored, not taken for a
resend of someone else's."""

import pytest

from chat.messaging import posting
from chat.models import Message
from chat.visitors import sessions

pytestmark = pytest.mark.django_db


def new_session(site):
    return sessions.start_visitor_session(site=site, token=None, ip=None, user_agent="")


def says(session, client_id, text):
    return posting.post_visitor_message(
        visitor_id=session.visitor.id, visit_id=session.visit.id, client_id=client_id, text=text
    )


@pytest.mark.parametrize("first_message", [True, False], ids=["first message", "in a dialog"])
def test_two_visitors_with_the_same_client_id_both_get_their_message_stored(site, first_message):
    anna, boris = new_session(site), new_session(site)
    if not first_message:
        says(anna, "hello", "Hello")
        says(boris, "hello", "Hi")

    anna_message, anna_created = says(anna, "c-1", "Where is my order?")
    boris_message, boris_created = says(boris, "c-1", "Do you ship to Kazan?")

    assert anna_created and boris_created
    assert boris_message.id != anna_message.id
    assert boris_message.dialog.visitor_id == boris.visitor.id
    assert Message.objects.get(dialog__visitor=boris.visitor, client_id="c-1").text == (
        "Do you ship to Kazan?"
    )
    # A true resend of Boris's own stays one message.
    again, created = says(boris, "c-1", "Do you ship to Kazan?")
    assert (again.id, created) == (boris_message.id, False)
