"""Ending abandoned dialogs beside everything else that happens at the same moment, with
real concurrency on PostgreSQL: two beat runs, the visitor coming back, an operator
joining. A dialog is ended once, and never one its visitor or an operator just took up."""

import threading
import time
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from chat.dialogs import autoclose, lifecycle
from chat.errors import ChatError
from chat.messaging import posting
from chat.models import Dialog, Message, Visitor
from chat.realtime import events
from chat.visitors import sessions, sessions_postgres

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks: PostgreSQL only"),
]

LINE = "The dialog was closed automatically after 30 minutes without messages"
LONG_AGO = timedelta(minutes=45)
WAIT = 30  # seconds; only ever reached when something hangs


@pytest.fixture(autouse=True)
def quiet_layer(monkeypatch):
    monkeypatch.setattr(events, "publish", lambda *sends: None)


def abandoned(site, operator=None) -> tuple[Dialog, str]:
    """A dialog due to end: the visitor wrote (an operator answered), closed his widget
    45 minutes ago, nobody wrote since. Returns it and the visitor's token."""
    session = sessions.start_visitor_session(site=site, token=None, ip=None, user_agent="")
    message, _ = posting.post_visitor_message(
        visitor_id=session.visitor.id, visit_id=session.visit.id, client_id="v1", text="Hello?"
    )
    dialog = message.dialog
    if operator is not None:
        lifecycle.connect_operator(operator=operator, dialog_id=dialog.id)
        posting.post_operator_message(
            operator=operator, dialog_id=dialog.id, client_id="o1", text="Hi"
        )
    sessions.end_visitor_session(visitor_id=session.visitor.id, visit_id=session.visit.id)
    past = timezone.now() - LONG_AGO
    Visitor.objects.filter(pk=session.visitor.id).update(last_seen_at=past)
    Message.objects.filter(dialog=dialog).update(created_at=past)
    Dialog.objects.filter(pk=dialog.pk).update(last_message_at=past)
    return dialog, session.visitor.token


def in_thread(fn, *args, **kwargs):
    """Run fn on its own thread and database connection; returns (thread, outcome) where
    outcome gets "result" or "error" once it is done."""
    outcome = {}

    def run():
        try:
            outcome["result"] = fn(*args, **kwargs)
        except Exception as error:  # the test looks at it
            outcome["error"] = error
        finally:
            connection.close()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread, outcome


def finished(thread) -> bool:
    thread.join(timeout=WAIT)
    return not thread.is_alive()


def auto_lines(dialog) -> int:
    return Message.objects.filter(dialog=dialog, text=LINE).count()


# --- two runs ------------------------------------------------------------------------------


def test_a_run_skips_the_dialogs_another_run_is_ending(site, alice, monkeypatch):
    dialogs = [abandoned(site, alice)[0] for _ in range(3)]
    note = autoclose.closing_note
    holding, go = threading.Event(), threading.Event()

    def held_note(dialog):
        holding.set()  # run A holds every row lock now
        assert go.wait(timeout=WAIT)
        return note(dialog)

    monkeypatch.setattr(autoclose, "closing_note", held_note)
    first, first_outcome = in_thread(autoclose.close_abandoned_dialogs)
    assert holding.wait(timeout=WAIT)
    monkeypatch.setattr(autoclose, "closing_note", note)
    second, second_outcome = in_thread(autoclose.close_abandoned_dialogs)
    assert finished(second)  # it did not wait for run A's locks
    go.set()
    assert finished(first)

    assert second_outcome == {"result": []}
    assert first_outcome == {"result": [d.id for d in dialogs]}
    for dialog in dialogs:
        assert auto_lines(dialog) == 1
        assert Dialog.objects.get(pk=dialog.pk).status == Dialog.Status.CLOSED


def test_runs_started_together_end_each_dialog_once(site, alice):
    dialogs = [abandoned(site, alice)[0] for _ in range(6)]
    start = threading.Barrier(4)

    def run():
        start.wait(timeout=WAIT)
        return autoclose.close_abandoned_dialogs()

    runs = [in_thread(run) for _ in range(4)]
    assert all(finished(thread) for thread, _ in runs)
    closed = [dialog_id for _, outcome in runs for dialog_id in outcome["result"]]
    assert sorted(closed) == [d.id for d in dialogs]  # each by exactly one run
    for dialog in dialogs:
        assert auto_lines(dialog) == 1


# --- the visitor comes back ----------------------------------------------------------------


def test_a_visitor_coming_back_during_a_run_keeps_his_dialog(site, alice, monkeypatch):
    """His widget opens while the run looks at his dialog: the run leaves it alone."""
    dialog, token = abandoned(site, alice)
    continue_session = sessions_postgres.continue_session
    reconnecting, go = threading.Event(), threading.Event()

    def held(*args, **kwargs):
        # His socket is counted and his row locked until start_visitor_session commits.
        continued = continue_session(*args, **kwargs)
        reconnecting.set()
        assert go.wait(timeout=WAIT)
        return continued

    monkeypatch.setattr(sessions_postgres, "continue_session", held)
    back, back_outcome = in_thread(
        sessions.start_visitor_session, site=site, token=token, ip=None, user_agent=""
    )
    assert reconnecting.wait(timeout=WAIT)
    run, run_outcome = in_thread(autoclose.close_abandoned_dialogs)
    assert finished(run)  # it did not wait for the visitor
    go.set()
    assert finished(back)

    assert run_outcome == {"result": []}
    assert back_outcome["result"].dialog.id == dialog.id
    assert autoclose.close_abandoned_dialogs() == []  # his widget is open now
    assert Dialog.objects.get(pk=dialog.pk).is_open
    assert auto_lines(dialog) == 0


def busy(site, count=40_000):
    """Open dialogs whose visitors are online: the run reads past them all before it
    locks a due one, which leaves room for someone else to commit in between."""
    visitor, dialog = Visitor._meta.db_table, Dialog._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {visitor} (site_id, token, animal, name, email, phone, visits_count,"
            " open_sockets, first_seen_at, last_seen_at)"
            " SELECT %s, 'busy-' || g, 'fox', '', '', '', 1, 1, now(), now()"
            " FROM generate_series(1, %s) g",
            [site.id, count],
        )
        cursor.execute(
            f"INSERT INTO {dialog} (account_id, site_id, visitor_id, number, status, created_at,"
            " last_message_at, last_message_text, last_message_author, unread_count, read_up_to)"
            f" SELECT %s, %s, id, 1000000 + id, 'new', now(), now(), '', '', 0, 0 FROM {visitor}"
            " WHERE site_id = %s AND token LIKE 'busy-%%'",
            [site.account_id, site.id, site.id],
        )


# The other side starts this long after the run: some rounds it commits before the run
# reads, some while it reads, some after it locked.
STAGGER = [step / 4000 for step in range(40)]  # 0 to 9.75 ms


def race(first, second, delay):
    """Run both at once, `second` `delay` seconds later; returns both outcomes."""

    def later():
        time.sleep(delay)
        return second()

    (one, one_outcome), (two, two_outcome) = in_thread(first), in_thread(later)
    assert finished(one) and finished(two)
    return one_outcome, two_outcome


def test_a_visitor_coming_back_as_a_run_starts(site, alice):
    """Whoever wins, the widget is never handed a dialog that then ends, nor told he has
    none while it stays open."""
    busy(site)
    for delay in STAGGER[::3]:  # the visitor's row lock is also proven step by step above
        dialog, token = abandoned(site, alice)
        run_outcome, back_outcome = race(
            autoclose.close_abandoned_dialogs,
            lambda token=token: sessions.start_visitor_session(
                site=site, token=token, ip=None, user_agent=""
            ),
            delay,
        )
        session = back_outcome["result"]
        dialog.refresh_from_db()
        if run_outcome["result"] == [dialog.id]:
            assert session.dialog is None
            assert dialog.status == Dialog.Status.CLOSED and auto_lines(dialog) == 1
        else:
            assert run_outcome["result"] == []
            assert session.dialog.id == dialog.id
            assert dialog.is_open and auto_lines(dialog) == 0
            Dialog.objects.filter(pk=dialog.pk).update(status=Dialog.Status.CLOSED)  # next round
        sessions.end_visitor_session(visitor_id=session.visitor.id, visit_id=session.visit.id)


# --- an operator joins ---------------------------------------------------------------------


def test_an_operator_joining_as_a_run_starts(site, make_operator):
    """Connect to dialog at the same moment: either it had ended (he is told so) or he is
    in it and it stays open; never "Bob joined the dialog" and then the automatic end.
    (Joining changes no column the run filters on but the status, so only reading the
    rule again under the lock sees the new line.)"""
    bob = make_operator(sites=[site], display_name="Bob", can_join_others=True)
    busy(site)
    for delay in STAGGER:
        dialog, _token = abandoned(site)  # new: nobody in it
        run_outcome, join_outcome = race(
            autoclose.close_abandoned_dialogs,
            lambda dialog=dialog: lifecycle.connect_operator(operator=bob, dialog_id=dialog.id),
            delay,
        )
        dialog.refresh_from_db()
        if run_outcome["result"] == [dialog.id]:
            assert isinstance(join_outcome["error"], ChatError)
            assert join_outcome["error"].code == "dialog_closed"
            assert dialog.status == Dialog.Status.CLOSED
            assert dialog.messages.last().text == LINE
        else:
            assert run_outcome["result"] == []
            assert "error" not in join_outcome
            assert dialog.status == Dialog.Status.ACTIVE and auto_lines(dialog) == 0
            lifecycle.end_dialog(operator=bob, dialog_id=dialog.id)  # next round
