"""The export of an ended dialog waits for the visitor's rating (docs/crm.md, "The
rating"): sent once he rates, with his rating, exactly once; or, unrated, once the wait has
passed. Celery is not eager here: the tasks queued are recorded and run by the test, as a
worker would run them (each one twice, as a redelivered task may be)."""

import datetime
import json

import pytest
from django.utils import timezone

from chat.dialogs import lifecycle
from config.celery import app
from crm import delivery, services, tasks
from crm.models import Export
from satisfaction import services as ratings
from satisfaction.models import RatingSettings

pytestmark = pytest.mark.django_db
WAIT = 600


@pytest.fixture
def queued(monkeypatch, settings):
    """Celery as with a worker: every task queued is recorded as (export id, countdown)."""
    app.conf.task_always_eager = False  # the conftest's eager_celery puts it back
    settings.CRM_RATING_WAIT_SECONDS = WAIT
    calls = []
    monkeypatch.setattr(
        tasks.deliver_export,
        "apply_async",
        lambda args, kwargs=None, countdown=None, **_: calls.append((args[0], countdown)),
    )
    return calls


@pytest.fixture
def crm(httpserver, make_integration):
    httpserver.expect_request("/hook").respond_with_json({"id": "crm-1"})
    integration = make_integration(
        "webhook",
        settings={"url": httpserver.url_for("/hook"), "secret": "s3cret-s3cret-s3cret"},
        export_ended_dialogs=True,
    )
    return integration


def run_queued(calls):
    """What the worker does with every task queued so far, each delivered twice."""
    for export_id, _countdown in list(calls):
        for _ in range(2):
            delivery.run(export_id, task_id=f"task-{export_id}")


def bodies(httpserver) -> list[dict]:
    return [json.loads(request.get_data()) for request, _response in httpserver.log]


def end(alice, dialog, capture):
    with capture(execute=True):
        lifecycle.end_dialog(operator=alice, dialog_id=dialog.id)
    return Export.objects.get()


def test_a_dialog_rated_after_its_end_reaches_the_crm_with_its_rating_once(
    alice, dialog, crm, queued, httpserver, django_capture_on_commit_callbacks
):
    export = end(alice, dialog, django_capture_on_commit_callbacks)
    assert export.status == "queued" and export.next_attempt_at > timezone.now()
    assert queued == [(export.id, WAIT)]  # the worker looks when the wait is over
    run_queued(queued)  # early: not due yet
    assert httpserver.log == []

    with django_capture_on_commit_callbacks(execute=True):
        ratings.rate_dialog(
            visitor_id=dialog.visitor_id, dialog_id=dialog.id, score=5, comment="Great"
        )
    assert queued[-1] == (export.id, None)  # now
    run_queued(queued)
    [body] = bodies(httpserver)
    assert body["event"] == "dialog.exported"
    assert body["dialog"]["rating"]["score"] == 5
    assert body["dialog"]["rating"]["comment"] == "Great"

    # A change of rating afterwards, and the countdown's task arriving: nothing more.
    with django_capture_on_commit_callbacks(execute=True):
        ratings.rate_dialog(visitor_id=dialog.visitor_id, dialog_id=dialog.id, score=4)
    run_queued(queued)
    assert len(httpserver.log) == 1
    export.refresh_from_db()
    assert (export.status, export.attempts, Export.objects.count()) == ("sent", 1, 1)


def test_unrated_it_goes_once_the_wait_has_passed(
    alice, dialog, crm, queued, httpserver, django_capture_on_commit_callbacks, monkeypatch
):
    export = end(alice, dialog, django_capture_on_commit_callbacks)
    run_queued(queued)
    assert httpserver.log == []
    later = timezone.now() + datetime.timedelta(seconds=WAIT + 1)
    monkeypatch.setattr(timezone, "now", lambda: later)  # the countdown's task is due
    run_queued(queued)
    [body] = bodies(httpserver)
    assert body["dialog"]["rating"] is None
    export.refresh_from_db()
    assert export.status == "sent"


def test_a_site_that_asks_for_no_rating_does_not_wait(
    alice, dialog, crm, queued, httpserver, django_capture_on_commit_callbacks
):
    RatingSettings.objects.create(site=dialog.site, scale="off")
    export = end(alice, dialog, django_capture_on_commit_callbacks)
    assert export.next_attempt_at is None and queued == [(export.id, None)]
    run_queued(queued)
    assert len(httpserver.log) == 1


def test_send_to_crm_while_it_waits_sends_now_and_once(
    alice, dialog, crm, queued, httpserver, django_capture_on_commit_callbacks
):
    export = end(alice, dialog, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        [again] = services.queue_dialog_export(operator=alice, dialog_id=dialog.id)
    assert again.pk == export.pk
    run_queued(queued)
    assert len(httpserver.log) == 1
    # The rating after it was sent does not send it again.
    with django_capture_on_commit_callbacks(execute=True):
        ratings.rate_dialog(visitor_id=dialog.visitor_id, dialog_id=dialog.id, score=1)
    run_queued(queued)
    assert len(httpserver.log) == 1 and Export.objects.count() == 1


def test_with_tasks_run_eagerly_there_is_no_wait(
    alice, dialog, crm, httpserver, settings, django_capture_on_commit_callbacks
):
    settings.CRM_RATING_WAIT_SECONDS = WAIT  # no worker to wait with: sent at the end
    export = end(alice, dialog, django_capture_on_commit_callbacks)
    export.refresh_from_db()
    assert export.status == "sent" and len(httpserver.log) == 1


def test_the_dialogs_export_panel_says_it_waits_for_the_rating(
    client, alice, dialog, crm, queued, django_capture_on_commit_callbacks
):
    export = end(alice, dialog, django_capture_on_commit_callbacks)
    assert export.waits_for_rating
    client.force_login(alice.user)
    html = client.get(f"/console/dialogs/{dialog.id}/").content.decode()
    assert "Waits for the visitor's rating until" in html
    Export.objects.filter(pk=export.pk).update(next_attempt_at=timezone.now())
    export.refresh_from_db()
    assert not export.waits_for_rating
    assert Export.objects.waiting_for_rating().count() == 0
