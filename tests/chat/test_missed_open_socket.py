"""A visitor whose widget has stayed open for a long time is still here: his dialog is not
missed, however long ago his socket opened."""

from datetime import timedelta

import pytest
from django.utils import timezone

from chat.dialogs import lifecycle
from chat.messaging import posting
from chat.models import Dialog, Visitor
from chat.visitors import sessions


@pytest.mark.django_db
def test_a_visitor_with_a_socket_open_for_an_hour_is_not_missed(site):
    session = sessions.start_visitor_session(site=site, token=None, ip=None, user_agent="")
    message, _ = posting.post_visitor_message(
        visitor_id=session.visitor.id, visit_id=session.visit.id, client_id="c1", text="Hi?"
    )
    # last_seen_at moves when a socket opens or closes; this one opened an hour ago.
    Visitor.objects.filter(pk=session.visitor.id).update(
        last_seen_at=timezone.now() - timedelta(hours=1)
    )

    assert lifecycle.mark_missed() == []
    assert Dialog.objects.get(pk=message.dialog_id).status == Dialog.Status.NEW

    sessions.end_visitor_session(visitor_id=session.visitor.id, visit_id=session.visit.id)
    assert lifecycle.mark_missed(now=timezone.now() + timedelta(hours=1)) == [message.dialog_id]
