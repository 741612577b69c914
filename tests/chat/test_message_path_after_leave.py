"""After an operator leaves, the message path (the hand-written SQL on PostgreSQL and the
ORM path elsewhere) no longer counts him as connected."""

import pytest

from chat.dialogs import lifecycle
from chat.errors import ChatError
from chat.messaging import posting
from chat.models import Message
from chat.realtime import events
from chat.visitors import sessions

pytestmark = pytest.mark.django_db


def dialog_left_by(site, leaver, stayer):
    session = sessions.start_visitor_session(site=site, token=None, ip=None, user_agent="")
    first, _ = posting.post_visitor_message(
        visitor_id=session.visitor.id, visit_id=session.visit.id, client_id="v1", text="Hi"
    )
    for operator in (leaver, stayer):
        lifecycle.connect_operator(operator=operator, dialog_id=first.dialog_id)
    lifecycle.leave_dialog(operator=leaver, dialog_id=first.dialog_id)
    return session, first.dialog_id


@pytest.fixture
def bob(make_operator, site):
    return make_operator(
        username="bob", display_name="Bob", sites=[site], can_see_others=True,
        can_join_others=True,
    )  # fmt: skip


def test_an_operator_who_left_cannot_write(site, alice, bob):
    alice.can_see_others = True  # she may still read the dialog Bob answers
    alice.save(update_fields=["can_see_others"])
    _session, dialog_id = dialog_left_by(site, alice, bob)

    with pytest.raises(ChatError) as refused:
        posting.post_operator_message(
            operator=alice, dialog_id=dialog_id, client_id="a1", text="Still here?",
            site_ids={site.id},
        )  # fmt: skip
    assert refused.value.code == "not_connected"
    assert not Message.objects.filter(client_id="a1").exists()


def test_a_visitor_message_row_names_only_the_operators_still_connected(
    site, alice, bob, monkeypatch, django_capture_on_commit_callbacks
):
    session, dialog_id = dialog_left_by(site, alice, bob)
    sent = []
    monkeypatch.setattr(events, "publish", lambda *sends: sent.extend(sends))

    with django_capture_on_commit_callbacks(execute=True):
        posting.post_visitor_message(
            visitor_id=session.visitor.id, visit_id=session.visit.id, client_id="v2",
            text="Anyone?",
        )  # fmt: skip

    rows = [event for _group, event in sent if event["type"] == "chat.row"]
    assert [row["operators"] for row in rows] == [[bob.id]]
    assert rows[0]["dialog"] == dialog_id
