"""When an export is tried again: requeueing marks what it queued, permanent errors stop at
once, 408/429/5xx wait (as long as Retry-After asks), and a round of retries ends after
about a day."""

from datetime import timedelta

import pytest
from django.utils import timezone

from crm.models import Export
from crm.tasks import deliver_export, requeue_stale_exports

pytestmark = pytest.mark.django_db


@pytest.fixture
def webhook(httpserver, make_integration):
    return make_integration(
        "webhook", settings={"url": httpserver.url_for("/hook"), "secret": "s3cret"}
    )


@pytest.fixture
def queued_tasks(monkeypatch):
    """deliver_export.delay() calls, not run."""
    seen = []
    monkeypatch.setattr(deliver_export, "delay", lambda export_id: seen.append(export_id))
    return seen


def test_beat_does_not_queue_an_export_again_every_minute(webhook, dialog, queued_tasks):
    long_ago = timezone.now() - timedelta(hours=2)
    lost = Export.objects.create(integration=webhook, dialog=dialog, updated_at=long_ago)

    for _minute in range(3):  # a worker is down while beat runs
        requeue_stale_exports.delay()

    assert queued_tasks == [lost.id]


def test_an_export_being_sent_is_not_queued_again(webhook, dialog, queued_tasks):
    long_ago = timezone.now() - timedelta(hours=2)
    Export.objects.create(
        integration=webhook,
        dialog=dialog,
        updated_at=long_ago,
        lease_until=timezone.now() + timedelta(seconds=60),
    )

    requeue_stale_exports.delay()

    assert queued_tasks == []


def test_a_copy_of_the_task_does_nothing_while_another_sends(httpserver, webhook, dialog):
    httpserver.expect_request("/hook").respond_with_json({})
    export = Export.objects.create(
        integration=webhook,
        dialog=dialog,
        lease_until=timezone.now() + timedelta(seconds=60),
        lease_holder="another-task",
    )

    assert deliver_export.delay(export.id).result is None

    assert httpserver.log == []
    export.refresh_from_db()
    assert (export.status, export.attempts) == (Export.Status.QUEUED, 0)


def test_a_lease_left_by_a_dead_worker_expires(httpserver, webhook, dialog):
    httpserver.expect_request("/hook").respond_with_json({"id": "late"})
    export = Export.objects.create(
        integration=webhook,
        dialog=dialog,
        lease_until=timezone.now() - timedelta(seconds=1),
        lease_holder="a-dead-task",
    )

    assert deliver_export.delay(export.id).result == "sent"

    export.refresh_from_db()
    assert (export.status, export.remote_id, export.lease_until) == ("sent", "late", None)


def test_exports_of_one_dialog_are_sent_one_at_a_time(httpserver, webhook, dialog, make_lead):
    """They share one CRM lead: two at once could each make it."""
    httpserver.expect_request("/hook").respond_with_json({})
    sending = Export.objects.create(
        integration=webhook,
        dialog=dialog,
        lead=make_lead(dialog=dialog),
        lease_until=timezone.now() + timedelta(seconds=60),
        lease_holder="another-task",
    )
    waiting = Export.objects.create(integration=webhook, dialog=dialog)

    assert deliver_export.delay(waiting.id).result is None
    assert httpserver.log == []

    Export.objects.filter(pk=sending.pk).update(lease_until=None)  # that attempt ended
    assert deliver_export.delay(waiting.id).result == "sent"


@pytest.mark.parametrize("status", [400, 401, 403, 404, 409, 422])
def test_a_permanent_error_stops_at_once(status, httpserver, webhook, dialog, countdowns):
    httpserver.expect_request("/hook").respond_with_json({"detail": "no"}, status=status)
    export = Export.objects.create(integration=webhook, dialog=dialog)

    deliver_export.delay(export.id)

    export.refresh_from_db()
    assert (export.status, export.attempts, countdowns) == (Export.Status.FAILED, 1, [])
    assert export.last_error == f"HTTP {status}: no"


@pytest.mark.parametrize("status", [408, 429, 500, 502, 503, 504])
def test_a_temporary_error_is_retried(status, httpserver, webhook, dialog, countdowns):
    httpserver.expect_oneshot_request("/hook").respond_with_data("", status=status)
    httpserver.expect_oneshot_request("/hook").respond_with_json({})
    export = Export.objects.create(integration=webhook, dialog=dialog)

    deliver_export.delay(export.id)

    export.refresh_from_db()
    assert (export.status, export.attempts, len(countdowns)) == (Export.Status.SENT, 2, 1)


def test_retry_after_as_an_http_date_is_honoured(settings, httpserver, webhook, dialog, countdowns):
    settings.CRM_RETRY_BASE_SECONDS = 1
    when = timezone.now() + timedelta(seconds=120)
    httpserver.expect_oneshot_request("/hook").respond_with_data(
        "", status=503, headers={"Retry-After": when.strftime("%a, %d %b %Y %H:%M:%S GMT")}
    )
    httpserver.expect_oneshot_request("/hook").respond_with_json({})
    export = Export.objects.create(integration=webhook, dialog=dialog)

    deliver_export.delay(export.id)

    assert len(countdowns) == 1
    assert 110 <= countdowns[0] <= 121


def test_retries_give_up_a_day_after_the_first_failure(
    settings, httpserver, webhook, dialog, countdowns
):
    settings.CRM_RETRY_MAX = 100
    settings.CRM_RETRY_WINDOW_SECONDS = 86400
    httpserver.expect_request("/hook").respond_with_data("", status=503)
    almost_a_day = timezone.now() - timedelta(hours=23, minutes=59)
    export = Export.objects.create(
        integration=webhook, dialog=dialog, retrying_since=almost_a_day, attempts=30, retries=30
    )

    deliver_export.delay(export.id)

    export.refresh_from_db()
    assert export.status == Export.Status.FAILED
    assert countdowns == []
    assert export.last_error == "Gave up after 31 attempts. HTTP 503 SERVICE UNAVAILABLE"


def test_the_default_schedule_spreads_retries_over_about_a_day(settings):
    import config.settings as defaults
    from crm.delivery import backoff_seconds

    for name in ("RETRY_MAX", "RETRY_BASE_SECONDS", "RETRY_CAP_SECONDS", "HTTP_TIMEOUT_SECONDS"):
        setattr(settings, f"CRM_{name}", getattr(defaults, f"CRM_{name}"))
    assert settings.CRM_HTTP_TIMEOUT_SECONDS == 25
    # Even with every jitter at its lowest, the retries reach the end of the day's window.
    shortest = sum(0.5 * backoff_ceiling(settings, n) for n in range(settings.CRM_RETRY_MAX))
    assert shortest >= defaults.CRM_RETRY_WINDOW_SECONDS == 86400
    assert all(backoff_seconds(n) <= 3600 for n in range(60))
    assert 15 <= backoff_seconds(0) <= 30


def backoff_ceiling(settings, retries):
    return min(settings.CRM_RETRY_CAP_SECONDS, settings.CRM_RETRY_BASE_SECONDS * 2**retries)


def test_an_unexpected_error_leaves_the_export_to_beat(monkeypatch, webhook, dialog, queued_tasks):
    def broken(export):
        raise RuntimeError("a bug")

    monkeypatch.setattr("crm.payloads.build", broken)
    export = Export.objects.create(integration=webhook, dialog=dialog)

    with pytest.raises(RuntimeError):
        deliver_export.apply(args=[export.id], throw=True)

    export.refresh_from_db()
    assert (export.status, export.lease_until, export.attempts) == ("queued", None, 0)
    Export.objects.filter(pk=export.pk).update(updated_at=timezone.now() - timedelta(hours=1))
    requeue_stale_exports.delay()
    assert queued_tasks == [export.id]
