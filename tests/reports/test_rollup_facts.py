"""reports.facts: each closed dialog's facts are its messages' walk, saved; rebuilding is
idempotent; the hook and the beat task keep them fresh; the page reads settled facts
instead of the messages."""

import datetime

import pytest
from report_dataset import CURRENT, at, dialog, say
from test_figures import page_summary

from chat import hooks
from chat.dialogs.lifecycle import close_locked_dialog
from chat.models import Dialog, Message
from reports import facts, metrics
from reports.models import DialogFacts
from reports.tasks import refresh_report_facts

pytestmark = pytest.mark.django_db


def raw_walk(dialog_id) -> metrics.DialogWalk:
    """The page's own rule over the dialog's messages, as it ran before facts existed."""
    rows = (
        Message.objects.filter(dialog_id=dialog_id)
        .exclude(author_kind=Message.Author.SYSTEM)
        .order_by("dialog_id", "id")
        .values_list("dialog_id", "author_kind", "operator_id", "created_at")
    )
    return metrics.walk_messages(rows).get(dialog_id) or metrics.DialogWalk()


def saved_walk(dialog_id) -> metrics.DialogWalk:
    row = DialogFacts.objects.get(dialog_id=dialog_id)
    return facts.walk_of(row.first_response, row.first_responder, row.replies, row.sent)


def snapshot():
    return list(
        DialogFacts.objects.order_by("dialog_id").values_list(
            "dialog_id", "closed_at", "last_message_at", *facts.FACT_FIELDS
        )
    )


def test_the_facts_of_every_closed_dialog_are_its_messages_walk(month):
    assert facts.rebuild() == 8  # D1 D2 D3 D6 D8, the old one, and the two foreign ones
    closed = Dialog.objects.filter(status=Dialog.Status.CLOSED)
    assert set(DialogFacts.objects.values_list("dialog_id", flat=True)) == set(
        closed.values_list("id", flat=True)
    )
    for dialog_id in closed.values_list("id", flat=True):
        assert saved_walk(dialog_id) == raw_walk(dialog_id)
    # D1 by hand: first response 30 s by Alice, replies 60 s (Alice) and 120 s (Bob).
    d1 = saved_walk(month["d1"].id)
    assert (d1.first_response, d1.first_responder) == (
        30,
        month["d1"].messages.filter(author_kind="operator").first().operator_id,
    )
    assert [seconds for _op, seconds in d1.replies] == [60, 120]
    assert sum(d1.sent.values()) == 3
    # Open dialogs (D4 missed, D5 active, D9 new) have none: the page walks them.
    assert not DialogFacts.objects.filter(dialog__status__in=Dialog.OPEN_STATUSES).exists()


def test_rebuilding_twice_gives_the_same_rows(month):
    facts.rebuild()
    first = snapshot()
    assert facts.rebuild() == len(first)
    assert snapshot() == first
    assert facts.refresh_stale() == 0  # nothing is stale after a rebuild


def test_the_command_rebuilds_from_a_day_on(month):
    from django.core.management import call_command

    call_command("rebuild_report_facts", "--since", "2026-03-18")
    # D1 D2 D3 D6 D8 and the two foreign ones (24 March); not the old one (10 March).
    assert DialogFacts.objects.count() == 8 - 1
    assert not DialogFacts.objects.filter(dialog=month["old"]).exists()
    call_command("rebuild_report_facts")
    assert DialogFacts.objects.count() == 8


def test_the_command_refuses_a_bad_day(db):
    from django.core.management import CommandError, call_command

    with pytest.raises(CommandError, match="--since"):
        call_command("rebuild_report_facts", "--since", "yesterday")


def test_a_dialog_that_ends_gets_its_facts_on_commit(
    site, alice, django_capture_on_commit_callbacks
):
    d = dialog(site, at(23, 10))
    say(d, at(23, 10))
    say(d, at(23, 10, 0, 45), alice)
    assert hooks.dialog_ended.receivers  # reports listens
    with django_capture_on_commit_callbacks(execute=True):
        close_locked_dialog(Dialog.objects.get(pk=d.pk), note="Ended")
    d.refresh_from_db()
    row = DialogFacts.objects.get(dialog=d)
    assert (row.closed_at, row.last_message_at) == (d.closed_at, d.last_message_at)
    assert saved_walk(d.id) == raw_walk(d.id)
    assert row.first_response == 45 and row.sent == [[alice.id, 1]]
    settled = Dialog.objects.annotate(s=facts.settled()).get(pk=d.pk).s
    assert settled is True


def test_the_beat_task_writes_what_the_hook_missed(month, monkeypatch):
    """Closed dialogs without facts (history from before them) or with stale ones (closed
    again later) get theirs, the latest first, a limited number a run."""
    facts.refresh([month["d2"].id])
    DialogFacts.objects.filter(dialog=month["d2"]).update(
        closed_at=month["d2"].closed_at - datetime.timedelta(days=9), sent=[]
    )
    closed = list(
        Dialog.objects.filter(status=Dialog.Status.CLOSED)
        .order_by("-id")
        .values_list("id", flat=True)
    )
    monkeypatch.setattr(facts, "PER_RUN", 3)
    assert refresh_report_facts() == 3
    assert set(DialogFacts.objects.values_list("dialog_id", flat=True)) >= set(closed[:3])
    monkeypatch.setattr(facts, "PER_RUN", 100)
    assert refresh_report_facts() == len(closed) - 3
    for dialog_id in closed:
        assert saved_walk(dialog_id) == raw_walk(dialog_id)
    assert refresh_report_facts() == 0  # idempotent


def test_a_dialog_open_again_loses_its_facts(month):
    facts.rebuild()
    Dialog.objects.filter(pk=month["d1"].pk).update(status=Dialog.Status.ACTIVE)
    assert facts.refresh([month["d1"].id]) == 0
    assert not DialogFacts.objects.filter(dialog=month["d1"]).exists()


def test_settled_facts_are_read_instead_of_the_messages(client, alice, month):
    """The control of test_rollup_figures' stale case: facts that still match their dialog
    are what the page shows (so the fresh case there really read them)."""
    facts.rebuild()
    DialogFacts.objects.update(sent=[])
    client.force_login(alice.user)
    figures = page_summary(client.get("/console/reports/", CURRENT).content.decode())
    # Only the open D5's message is walked now (6 with the messages of D1 D2 D3).
    assert figures["messages"][0] == "1"


def test_refresh_costs_the_same_queries_for_one_dialog_or_many(
    site, alice, django_assert_num_queries
):
    ids = []
    for n in range(30):
        d = dialog(site, at(23, 10) + datetime.timedelta(minutes=n), closed=at(24, 10))
        say(d, d.created_at)
        say(d, d.created_at + datetime.timedelta(seconds=n), alice)
        ids.append(d.id)
    for batch in (ids[:1], ids):
        # the dialogs, stale facts of open ones deleted, the messages, one upsert, the
        # stored days of theirs forgotten
        with django_assert_num_queries(5):
            facts.refresh(batch)
    assert DialogFacts.objects.count() == 30
