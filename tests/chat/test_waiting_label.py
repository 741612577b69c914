""" "waiting N min" on a console row: only while the visitor's last message is unanswered
(payloads.waiting_since_of; console.js ticks the minutes from the row's data-waiting)."""

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from chat.dialogs import autoclose, lifecycle
from chat.messaging import payloads, posting
from chat.models import Dialog, Message, Visitor
from chat.visitors import sessions

pytestmark = pytest.mark.django_db


def waiting(dialog_id):
    """The row's data-waiting (a Unix time), or None."""
    dialog = Dialog.objects.select_related("site", "visitor").get(pk=dialog_id)
    found = re.search(r'data-waiting="(\d+)"', payloads.dialog_row_html(dialog))
    return int(found.group(1)) if found else None


def on_the_page(operator, dialog_id):
    """data-waiting of the dialog's row on the operator's Mine page, or None."""
    client = Client()
    client.force_login(operator.user)
    page = client.get("/console/").content.decode()
    row = re.search(rf'<li class="row [^>]*data-dialog="{dialog_id}"[^>]*>', page)
    assert row, "the row is in Mine"
    found = re.search(r'data-waiting="(\d+)"', row.group(0))
    return int(found.group(1)) if found else None


def at(message) -> int:
    return int(message.created_at.timestamp())


def test_waiting_shows_only_while_the_visitors_last_message_is_unanswered(site, alice):
    session = sessions.start_visitor_session(site=site, token=None, ip=None, user_agent="")

    def visitor_writes(client_id):
        return posting.post_visitor_message(
            visitor_id=session.visitor.id, visit_id=session.visit.id, client_id=client_id,
            text="Hello?",
        )[0]  # fmt: skip

    first = visitor_writes("v1")
    dialog_id = first.dialog_id
    assert waiting(dialog_id) == on_the_page(alice, dialog_id) == at(first)

    lifecycle.connect_operator(operator=alice, dialog_id=dialog_id)  # "Alice joined": no answer
    assert waiting(dialog_id) == on_the_page(alice, dialog_id) == at(first)

    posting.post_operator_message(operator=alice, dialog_id=dialog_id, client_id="o1", text="Hi")
    assert waiting(dialog_id) is None
    assert on_the_page(alice, dialog_id) is None

    again = visitor_writes("v2")
    visitor_writes("v3")
    assert waiting(dialog_id) == on_the_page(alice, dialog_id) == at(again)  # the oldest one

    lifecycle.leave_dialog(operator=alice, dialog_id=dialog_id)  # new again, still unanswered
    assert waiting(dialog_id) == on_the_page(alice, dialog_id) == at(again)

    sessions.end_visitor_session(visitor_id=session.visitor.id, visit_id=session.visit.id)
    past = timezone.now() - timedelta(minutes=31)
    Visitor.objects.filter(pk=session.visitor.id).update(last_seen_at=past)
    Message.objects.filter(dialog_id=dialog_id).update(created_at=past)
    Dialog.objects.filter(pk=dialog_id).update(last_message_at=past)
    assert autoclose.close_abandoned_dialogs() == [dialog_id]
    assert waiting(dialog_id) is None  # ended: it waits for nobody


def test_a_row_whose_last_message_is_an_operators_never_shows_waiting(site, alice):
    """The label follows the last message, not a stored waiting time that disagrees with
    it (rows written before, imported, or by a writer that forgot to clear it)."""
    session = sessions.start_visitor_session(site=site, token=None, ip=None, user_agent="")
    message, _ = posting.post_visitor_message(
        visitor_id=session.visitor.id, visit_id=session.visit.id, client_id="v1", text="Hi"
    )
    lifecycle.connect_operator(operator=alice, dialog_id=message.dialog_id)
    posting.post_operator_message(
        operator=alice, dialog_id=message.dialog_id, client_id="o1", text="Hello!"
    )
    Dialog.objects.filter(pk=message.dialog_id).update(waiting_since=message.created_at)
    assert waiting(message.dialog_id) is None
    assert on_the_page(alice, message.dialog_id) is None


def test_an_unanswered_row_without_a_stored_waiting_time_counts_from_the_last_message(site, alice):
    session = sessions.start_visitor_session(site=site, token=None, ip=None, user_agent="")
    message, _ = posting.post_visitor_message(
        visitor_id=session.visitor.id, visit_id=session.visit.id, client_id="v1", text="Hi"
    )
    Dialog.objects.filter(pk=message.dialog_id).update(waiting_since=None)
    assert waiting(message.dialog_id) == on_the_page(alice, message.dialog_id) == at(message)
