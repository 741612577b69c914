"""Dialogs that start outside business hours are quiet (chat/dialogs/availability.py,
Dialog.outside_hours): no new-dialog alert (row flags, Web Push), no offer, no missed mark,
no automatic end; operators online may still answer them."""

from datetime import timedelta

import pytest
from django.utils import timezone

from chat.dialogs import autoclose, availability, lifecycle, offers
from chat.messaging import payloads
from chat.models import Dialog
from push import receivers as push_receivers
from tests.chat.test_missed import visitor_wrote
from tests.engage.hours_factory import always_closed, always_open, hours

pytestmark = pytest.mark.django_db

LONG_AGO = timedelta(hours=3)


def aged(dialog):
    past = timezone.now() - LONG_AGO
    Dialog.objects.filter(pk=dialog.pk).update(
        created_at=past, waiting_since=past, last_message_at=past
    )
    dialog.messages.update(created_at=past)
    dialog.refresh_from_db()
    return dialog


def row(dialog):
    return payloads.dialog_row_html(
        Dialog.objects.select_related("site", "visitor").get(pk=dialog.pk)
    )


def test_a_site_without_hours_is_open_and_its_dialogs_are_not_quiet(site):
    assert availability.site_is_open(site.id)
    dialog, _ = visitor_wrote(site)
    assert dialog.outside_hours is False


def test_a_dialog_opened_while_closed_is_marked_and_one_opened_while_open_is_not(make_site):
    closed, open_ = make_site(), make_site()
    always_closed(closed)
    always_open(open_)
    assert visitor_wrote(closed)[0].outside_hours is True
    assert visitor_wrote(open_)[0].outside_hours is False


def test_hours_switched_off_mean_always_open(site):
    hours(site, enabled=False)  # no ranges, but not in use
    assert visitor_wrote(site)[0].outside_hours is False


def test_a_quiet_row_raises_no_alert_and_says_why(site, alice):
    always_closed(site)
    dialog, _ = visitor_wrote(site)
    html = row(dialog)
    assert "data-quiet" in html
    assert "data-unopened" not in html and "data-alert-every" not in html
    assert "outside hours" in html


def test_a_quiet_dialog_is_never_offered(make_site, alice):
    quiet_site = make_site(operators=[alice], offer_after_seconds=60)
    loud_site = make_site(operators=[alice], offer_after_seconds=60)
    always_closed(quiet_site)
    quiet = aged(visitor_wrote(quiet_site)[0])
    loud = aged(visitor_wrote(loud_site)[0])
    offered = offers.offer_waiting_dialogs()
    assert [d.id for d in offered] == [loud.id]
    quiet.refresh_from_db()
    assert quiet.offered_at is None


def test_a_quiet_dialog_is_never_marked_missed(make_site):
    quiet_site, loud_site = make_site(), make_site()
    always_closed(quiet_site)
    quiet, _ = visitor_wrote(quiet_site, gone_for=LONG_AGO)
    loud, _ = visitor_wrote(loud_site, gone_for=LONG_AGO)
    assert lifecycle.mark_missed() == [loud.id]
    quiet.refresh_from_db()
    assert quiet.status == Dialog.Status.NEW


def test_a_quiet_new_dialog_waits_in_mine_instead_of_ending_by_itself(make_site):
    quiet_site, loud_site = make_site(auto_close_minutes=5), make_site(auto_close_minutes=5)
    always_closed(quiet_site)
    quiet, _ = visitor_wrote(quiet_site, gone_for=LONG_AGO)
    loud, _ = visitor_wrote(loud_site, gone_for=LONG_AGO)
    aged(quiet), aged(loud)
    due = set(autoclose.due_dialogs(timezone.now()).values_list("id", flat=True))
    assert due == {loud.id}


def test_web_push_of_a_new_dialog_skips_quiet_ones(site, monkeypatch):
    queued = []
    monkeypatch.setattr(push_receivers.services, "enabled", lambda: True)
    monkeypatch.setattr(push_receivers.tasks.push_new_dialog, "delay", queued.append)
    always_closed(site)
    quiet, _ = visitor_wrote(site)
    push_receivers.dialog_opened(dialog=quiet)
    loud = Dialog(id=quiet.id + 1000, outside_hours=False)
    push_receivers.dialog_opened(dialog=loud)
    assert queued == [loud.id]


def test_an_operator_may_still_answer_a_quiet_dialog(site, alice):
    from chat.messaging import posting

    always_closed(site)
    dialog, _ = visitor_wrote(site)
    lifecycle.connect_operator(operator=alice, dialog_id=dialog.id)
    message, _ = posting.post_operator_message(
        operator=alice, dialog_id=dialog.id, client_id="o1", text="We are closed, but here I am."
    )
    dialog.refresh_from_db()
    assert dialog.status == Dialog.Status.ACTIVE and message.id
    assert "data-quiet" not in row(dialog)  # answered: an ordinary dialog from now on


def test_the_hours_check_costs_no_query_once_cached(site, django_assert_num_queries):
    always_closed(site)
    assert availability.site_is_open(site.id) is False  # loads and caches
    with django_assert_num_queries(0):
        assert availability.site_is_open(site.id) is False


def test_a_site_without_hours_costs_one_query_then_none(site, django_assert_num_queries):
    with django_assert_num_queries(1):
        assert availability.site_is_open(site.id)
    with django_assert_num_queries(0):
        assert availability.site_is_open(site.id)
