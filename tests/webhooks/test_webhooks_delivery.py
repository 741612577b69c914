"""Events reach a real local receiver signed the documented way; a failing receiver is
retried with backoff and Retry-After; Retry sends the same event id again."""

import json
import time
from datetime import timedelta

import pytest
from django.utils import timezone

from chat.dialogs import lifecycle
from chat.messaging import posting
from chat.outbound import signing
from leads import services as leads_services
from satisfaction import services as satisfaction_services
from webhooks import delivery, services
from webhooks.models import Delivery

pytestmark = pytest.mark.django_db


def bodies(receiver) -> list[dict]:
    return [json.loads(body) for _headers, body in receiver.requests]


def test_a_conversation_sends_every_event_signed(
    receiver, make_endpoint, start_dialog, alice, django_capture_on_commit_callbacks
):
    endpoint = make_endpoint(receiver.url)
    with django_capture_on_commit_callbacks(execute=True):
        session, dialog = start_dialog()
        posting.post_operator_message(
            operator=alice, dialog_id=dialog.id, client_id="o1", text="Yes, until 6 pm."
        )
        leads_services.introduce_visitor(
            visitor_id=session.visitor.id,
            ip="203.0.113.5",
            contact={"name": "Olga", "email": "olga@example.com", "phone": ""},
        )
        lifecycle.end_dialog(operator=alice, dialog_id=dialog.id)
    with django_capture_on_commit_callbacks(execute=True):
        satisfaction_services.rate_dialog(
            visitor_id=session.visitor.id, dialog_id=dialog.id, score=5, comment="Thanks!"
        )

    received = bodies(receiver)
    names = [body["event"] for body in received]
    assert names[:2] == ["dialog.started", "message.created"]
    assert {"message.created", "lead.created", "dialog.ended", "rating.created"} <= set(names)
    operator_text = [
        b["message"]
        for b in received
        if b["event"] == "message.created" and b["message"]["operator"]
    ]
    assert operator_text[0]["text"] == "Yes, until 6 pm."
    assert operator_text[0]["operator"]["name"] == alice.name
    rating = next(b for b in received if b["event"] == "rating.created")
    assert rating["rating"]["score"] == 5 and rating["dialog"]["id"] == dialog.id
    lead = next(b for b in received if b["event"] == "lead.created")
    assert lead["lead"]["email"] == "olga@example.com"
    for headers, body in receiver.requests:  # every request verifies with the secret
        assert signing.verify(headers, body, endpoint.secret, now=time.time())
        assert headers["idempotency-key"] == headers["webhook-id"] == json.loads(body)["id"]
        assert not signing.verify(headers, body + b" ", endpoint.secret, now=time.time())
    assert set(Delivery.objects.values_list("status", flat=True)) == {"sent"}


def test_an_endpoint_gets_only_its_events_and_a_paused_one_nothing(
    receiver, make_endpoint, start_dialog, make_account, django_capture_on_commit_callbacks
):
    make_endpoint(receiver.url, names=["dialog.ended"])
    make_endpoint(receiver.url, is_active=False)
    make_endpoint(receiver.url, account=make_account())  # another account's
    with django_capture_on_commit_callbacks(execute=True):
        start_dialog()
    assert receiver.requests == []


def test_a_failing_receiver_is_retried_until_it_accepts(
    receiver, make_endpoint, site, settings, django_capture_on_commit_callbacks
):
    """500, then 429 with Retry-After, then 200: three attempts of one event id."""
    endpoint = make_endpoint(receiver.url)
    receiver.replies = [(500, {}), (429, {"Retry-After": "7"})]
    with django_capture_on_commit_callbacks(execute=True):
        row = services.send_test_event(account_id=site.account_id, endpoint_id=endpoint.pk)
    row.refresh_from_db()
    assert (row.status, row.attempts, row.last_status_code) == ("sent", 3, 200)
    ids = {headers["webhook-id"] for headers, _body in receiver.requests}
    assert ids == {str(row.event_id)} and len(receiver.requests) == 3


def test_retry_after_and_backoff_set_the_next_attempt(receiver, make_endpoint, site, settings):
    """Step by step as a worker does it (not eager): the schedule honours Retry-After."""
    settings.WEBHOOKS_RETRY_BASE_SECONDS = 1
    endpoint = make_endpoint(receiver.url)
    row = Delivery.objects.create(endpoint=endpoint, event="webhook.test", payload={"id": "x"})
    receiver.replies = [(503, {"Retry-After": "120"}), (500, {})]

    before = timezone.now()
    assert delivery.run(row.pk) >= 120
    row.refresh_from_db()
    assert row.status == "queued" and row.last_status_code == 503
    assert row.next_attempt_at >= before + timedelta(seconds=120)
    assert delivery.run(row.pk) is None  # not due yet: a copy of the task does nothing
    assert len(receiver.requests) == 1

    Delivery.objects.filter(pk=row.pk).update(next_attempt_at=timezone.now())
    assert 0 < delivery.run(row.pk) <= 2  # base 1 s * 2**1, times 0.5..1
    row.refresh_from_db()
    assert (row.attempts, row.retries, row.last_error) == (2, 2, "HTTP 500 Internal Server Error")


def test_a_client_error_fails_at_once_and_retry_sends_the_same_event(
    receiver, make_endpoint, site, django_capture_on_commit_callbacks
):
    endpoint = make_endpoint(receiver.url)
    receiver.replies = [(410, {})]
    with django_capture_on_commit_callbacks(execute=True):
        row = services.send_test_event(account_id=site.account_id, endpoint_id=endpoint.pk)
    row.refresh_from_db()
    assert (row.status, row.attempts, row.last_error) == ("failed", 1, "HTTP 410 Gone")

    with django_capture_on_commit_callbacks(execute=True):
        services.retry_delivery(account_id=site.account_id, delivery_id=row.pk)
    row.refresh_from_db()
    assert (row.status, row.attempts) == ("sent", 2)
    first, second = (headers["webhook-id"] for headers, _ in receiver.requests)
    assert first == second == str(row.event_id)


def test_giving_up_after_the_retries(
    receiver, make_endpoint, site, django_capture_on_commit_callbacks
):
    endpoint = make_endpoint(receiver.url)
    receiver.replies = [(500, {})] * 10
    with django_capture_on_commit_callbacks(execute=True):
        row = services.send_test_event(account_id=site.account_id, endpoint_id=endpoint.pk)
    row.refresh_from_db()
    assert row.status == "failed" and row.attempts == 4
    assert row.last_error.startswith("Gave up after 4 attempts.")


def test_erasing_a_visitor_deletes_the_deliveries_that_carry_his_data(
    receiver, make_endpoint, start_dialog, django_capture_on_commit_callbacks
):
    from chat.visitors import erasure

    make_endpoint(receiver.url)
    with django_capture_on_commit_callbacks(execute=True):
        session, _dialog = start_dialog()
        other, _ = start_dialog("Another visitor")
    assert Delivery.objects.filter(visitor_id=session.visitor.id).exists()
    erasure.erase_visitors([session.visitor.id])
    assert not Delivery.objects.filter(visitor_id=session.visitor.id).exists()
    assert Delivery.objects.filter(visitor_id=other.visitor.id).exists()


def test_beat_queues_again_a_delivery_whose_task_was_lost(receiver, make_endpoint):
    endpoint = make_endpoint(receiver.url)
    long_ago = timezone.now() - timedelta(hours=1)
    lost = Delivery.objects.create(
        endpoint=endpoint, event="webhook.test", payload={"id": "x"}, updated_at=long_ago
    )
    fresh = Delivery.objects.create(endpoint=endpoint, event="webhook.test", payload={"id": "y"})
    assert delivery.requeue_stale() == [lost.pk]
    lost.refresh_from_db()
    fresh.refresh_from_db()
    assert (lost.status, fresh.status) == ("sent", "queued")
