"""Missed dialogs: the visitor left before anyone answered. Detected by a Celery task."""

from datetime import timedelta

import pytest
from channels.db import database_sync_to_async
from django.utils import timezone

from chat import tasks
from chat.dialogs import lifecycle
from chat.messaging import posting
from chat.models import Dialog, Visitor
from chat.visitors import sessions

GRACE = timedelta(minutes=2)


def visitor_wrote(site, text="Hello?", *, gone_for=None):
    """A visitor writes a first message; with gone_for his widget is closed since then."""
    session = sessions.start_visitor_session(site=site, token=None, ip=None, user_agent="")
    message, _ = posting.post_visitor_message(
        visitor_id=session.visitor.id, visit_id=session.visit.id, client_id="c1", text=text
    )
    if gone_for is not None:
        sessions.end_visitor_session(visitor_id=session.visitor.id, visit_id=session.visit.id)
        Visitor.objects.filter(pk=session.visitor.id).update(last_seen_at=timezone.now() - gone_for)
    return Dialog.objects.get(pk=message.dialog_id), session


@pytest.mark.django_db
def test_a_new_dialog_whose_visitor_left_becomes_missed(site):
    dialog, _ = visitor_wrote(site, gone_for=GRACE + timedelta(seconds=5))
    assert tasks.detect_missed_dialogs() == 1
    dialog.refresh_from_db()
    assert dialog.status == "missed"
    assert dialog.missed_at is not None


@pytest.mark.django_db
def test_detection_is_idempotent(site, django_capture_on_commit_callbacks):
    visitor_wrote(site, gone_for=GRACE + timedelta(seconds=5))
    assert lifecycle.mark_missed() != []
    with django_capture_on_commit_callbacks() as callbacks:
        assert lifecycle.mark_missed() == []
    assert callbacks == []  # nothing published twice


@pytest.mark.django_db
@pytest.mark.parametrize(
    "gone_for",
    [None, GRACE - timedelta(seconds=10)],
    ids=["widget still open", "within the grace period (a page navigation)"],
)
def test_a_visitor_who_is_still_here_is_not_missed(site, gone_for):
    dialog, _ = visitor_wrote(site, gone_for=gone_for)
    assert lifecycle.mark_missed() == []
    dialog.refresh_from_db()
    assert dialog.status == "new"


@pytest.mark.django_db
def test_a_dialog_an_operator_answered_is_not_missed(site, alice):
    dialog, _ = visitor_wrote(site)
    lifecycle.connect_operator(operator=alice, dialog_id=dialog.id)
    posting.post_operator_message(operator=alice, dialog_id=dialog.id, client_id="a", text="Hi")
    lifecycle.leave_dialog(operator=alice, dialog_id=dialog.id)  # back to "new"
    Visitor.objects.filter(pk=dialog.visitor_id).update(
        open_sockets=0, last_seen_at=timezone.now() - GRACE * 2
    )
    assert lifecycle.mark_missed() == []


@pytest.mark.django_db
def test_a_visitor_writing_again_makes_a_missed_dialog_new(site):
    dialog, session = visitor_wrote(site, gone_for=GRACE * 2)
    lifecycle.mark_missed()
    posting.post_visitor_message(
        visitor_id=session.visitor.id, visit_id=session.visit.id, client_id="c2", text="Back!"
    )
    dialog.refresh_from_db()
    assert dialog.status == "new"


@pytest.mark.django_db
def test_missed_detection_runs_on_the_beat_schedule(settings):
    schedule = settings.CELERY_BEAT_SCHEDULE["detect-missed-dialogs"]
    assert schedule["task"] == "chat.tasks.detect_missed_dialogs"
    assert schedule["schedule"] <= 60


@pytest.mark.django_db(transaction=True)
async def test_the_row_moves_from_mine_to_missed_live(sockets, site, alice):
    console, _ = await sockets.operator(alice)
    dialog, _ = await database_sync_to_async(visitor_wrote)(site, gone_for=GRACE * 2)
    row = await console.receive_json_from()
    assert (row["type"], row["tab"]) == ("row", "mine")

    await database_sync_to_async(tasks.detect_missed_dialogs.apply)()
    row = await console.receive_json_from()
    assert (row["type"], row["dialog"], row["tab"]) == ("row", dialog.id, "missed")
    assert "missed" in row["html"]
