"""The delivery task: retries with growing, jittered countdowns on network errors and 5xx,
none on 4xx, giving up after CRM_RETRY_MAX, and never sending a delivered export again."""

import json
import socket

import pytest

from crm import services
from crm.models import Export
from crm.tasks import deliver_export

pytestmark = pytest.mark.django_db


@pytest.fixture
def webhook(httpserver, make_integration):
    return make_integration(
        "webhook", settings={"url": httpserver.url_for("/hook"), "secret": "s3cret"}
    )


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_5xx_is_retried_with_growing_jittered_countdowns_then_gives_up(
    settings, httpserver, webhook, dialog, countdowns
):
    settings.CRM_RETRY_MAX = 3
    settings.CRM_RETRY_BASE_SECONDS = 5
    settings.CRM_RETRY_CAP_SECONDS = 600
    httpserver.expect_request("/hook").respond_with_json({"detail": "maintenance"}, status=503)
    export = Export.objects.create(integration=webhook, dialog=dialog)

    deliver_export.delay(export.id)

    assert len(httpserver.log) == 4  # the first attempt and three retries
    assert len(countdowns) == 3
    for retry, countdown in enumerate(countdowns):
        ceiling = 5 * 2**retry
        assert ceiling * 0.5 <= countdown <= ceiling
    export.refresh_from_db()
    assert export.status == Export.Status.FAILED
    assert export.attempts == 4
    assert export.last_status_code == 503
    assert export.last_error == "Gave up after 4 attempts. HTTP 503: maintenance"


def test_countdown_stops_growing_at_the_cap(settings, httpserver, webhook, dialog, countdowns):
    settings.CRM_RETRY_MAX = 3
    settings.CRM_RETRY_BASE_SECONDS = 100
    settings.CRM_RETRY_CAP_SECONDS = 150
    httpserver.expect_request("/hook").respond_with_data("", status=500)
    export = Export.objects.create(integration=webhook, dialog=dialog)

    deliver_export.delay(export.id)

    low, high = countdowns[0], countdowns[1:]
    assert 50 <= low <= 100
    assert all(75 <= countdown <= 150 for countdown in high)


def test_network_error_is_retried_and_the_last_error_shown(
    settings, make_integration, dialog, countdowns
):
    settings.CRM_RETRY_MAX = 2
    integration = make_integration(
        "webhook", settings={"url": f"http://127.0.0.1:{closed_port()}/x", "secret": "s"}
    )
    export = Export.objects.create(integration=integration, dialog=dialog)

    deliver_export.delay(export.id)

    assert len(countdowns) == 2
    export.refresh_from_db()
    assert export.status == Export.Status.FAILED
    assert export.attempts == 3
    assert export.last_status_code is None
    assert export.last_error == (
        "Gave up after 3 attempts. Network error: could not reach 127.0.0.1."
    )


def test_a_retry_that_succeeds_ends_sent(httpserver, webhook, dialog, countdowns):
    httpserver.expect_oneshot_request("/hook").respond_with_data("busy", status=502)
    httpserver.expect_oneshot_request("/hook").respond_with_json({"id": 7})
    export = Export.objects.create(integration=webhook, dialog=dialog)

    deliver_export.delay(export.id)

    assert len(countdowns) == 1
    export.refresh_from_db()
    assert (export.status, export.attempts, export.remote_id) == (Export.Status.SENT, 2, "7")
    assert export.last_error == ""
    keys = {request.headers["Idempotency-Key"] for request, _ in httpserver.log}
    assert keys == {str(export.idempotency_key)}


def test_4xx_fails_at_once(httpserver, webhook, dialog, countdowns):
    httpserver.expect_request("/hook").respond_with_json({"detail": "bad signature"}, status=401)
    export = Export.objects.create(integration=webhook, dialog=dialog)

    deliver_export.delay(export.id)

    assert len(httpserver.log) == 1
    assert countdowns == []
    export.refresh_from_db()
    assert (export.status, export.attempts) == (Export.Status.FAILED, 1)
    assert export.last_error == "HTTP 401: bad signature"


def test_retry_sends_the_same_idempotency_key_again(
    httpserver, webhook, dialog, alice, django_capture_on_commit_callbacks
):
    httpserver.expect_oneshot_request("/hook").respond_with_data("no", status=400)
    httpserver.expect_oneshot_request("/hook").respond_with_json({"id": "r2"})
    export = Export.objects.create(integration=webhook, dialog=dialog)
    deliver_export.delay(export.id)
    export.refresh_from_db()
    assert export.status == Export.Status.FAILED

    with django_capture_on_commit_callbacks(execute=True):
        services.retry_export(operator=alice, export_id=export.id)

    export.refresh_from_db()
    assert (export.status, export.attempts) == (Export.Status.SENT, 2)
    first, second = (request for request, _ in httpserver.log)
    assert first.headers["Idempotency-Key"] == second.headers["Idempotency-Key"]
    assert json.loads(first.get_data())["id"] == json.loads(second.get_data())["id"]
    assert Export.objects.count() == 1


def test_a_delivered_export_is_never_sent_again(httpserver, webhook, dialog, alice):
    httpserver.expect_request("/hook").respond_with_json({})
    export = Export.objects.create(integration=webhook, dialog=dialog)
    deliver_export.delay(export.id)
    assert len(httpserver.log) == 1

    deliver_export.delay(export.id)  # a redelivered task (acks late, worker lost)
    with pytest.raises(services.CrmError):
        services.retry_export(operator=alice, export_id=export.id)

    assert len(httpserver.log) == 1
    export.refresh_from_db()
    assert (export.status, export.attempts) == (Export.Status.SENT, 1)


def test_a_deleted_export_is_skipped_quietly(httpserver):
    assert deliver_export.delay(987654).result is None
    assert httpserver.log == []


def test_the_task_acks_late_and_requeues_if_the_worker_dies():
    assert deliver_export.acks_late is True
    assert deliver_export.reject_on_worker_lost is True


def test_exports_whose_task_was_lost_are_queued_again(settings, httpserver, webhook, dialog):
    from datetime import timedelta

    from django.utils import timezone

    from crm.tasks import requeue_stale_exports

    settings.CRM_RETRY_CAP_SECONDS = 600
    httpserver.expect_request("/hook").respond_with_json({})
    long_ago = timezone.now() - timedelta(seconds=600 + 121)
    lost = Export.objects.create(integration=webhook, dialog=dialog, updated_at=long_ago)
    waiting = Export.objects.create(integration=webhook, dialog=dialog)  # its retry is due
    failed = Export.objects.create(
        integration=webhook, dialog=dialog, status="failed", updated_at=long_ago
    )

    assert requeue_stale_exports.delay().result == 1

    assert len(httpserver.log) == 1
    assert Export.objects.get(pk=lost.pk).status == Export.Status.SENT
    assert Export.objects.get(pk=waiting.pk).status == Export.Status.QUEUED
    assert Export.objects.get(pk=failed.pk).status == Export.Status.FAILED
