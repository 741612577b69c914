"""Every change of endpoints and deliveries: one function each. Deliveries are queued to
Celery (webhooks.tasks); a change of an endpoint drops the cached listeners."""

import logging

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from webhooks import events, payloads, selectors, subscriptions
from webhooks.models import Delivery, Endpoint

logger = logging.getLogger(__name__)


def enqueue(delivery_id: int) -> None:
    from webhooks.tasks import deliver_event  # tasks import delivery, which imports services

    try:
        deliver_event.delay(delivery_id)
    except Exception:  # the broker is down: the row stays queued; beat or Retry sends it
        logger.exception("could not queue webhook delivery %s", delivery_id)


def _owners(body: dict) -> dict:
    """The dialog and the visitor whose data the body holds (kept for erasure)."""
    dialog = body.get("dialog") or {}
    lead = body.get("lead") or {}
    return {
        "dialog_id": dialog.get("id") or lead.get("dialog_id"),
        "visitor_id": (dialog.get("visitor") or {}).get("id") or lead.get("visitor_id"),
    }


def _queue(endpoints, body: dict) -> list[Delivery]:
    owners = _owners(body)
    rows = [
        Delivery(
            endpoint=endpoint, event=body["event"], event_id=body["id"], payload=body, **owners
        )
        for endpoint in endpoints
    ]
    with transaction.atomic():
        for row in rows:  # one INSERT each: ids are needed on every database
            row.save()
    for row in rows:
        transaction.on_commit(lambda pk=row.pk: enqueue(pk))
    return rows


def emit(account_id: int, body: dict) -> list[Delivery]:
    """The event to each of the account's active endpoints subscribed to it."""
    return _queue(selectors.listening_endpoints(account_id, body["event"]), body)


def send_test_event(*, account_id: int, endpoint_id) -> Delivery:
    endpoint = selectors.endpoint_of_account(account_id, endpoint_id)
    return _queue([endpoint], payloads.test_event(events.TEST, endpoint))[0]


def retry_delivery(*, account_id: int, delivery_id) -> Delivery:
    """Send the same event (same id) again now, whatever its state: a new round of retries."""
    delivery = selectors.delivery_of_account(account_id, delivery_id)
    Delivery.objects.filter(pk=delivery.pk).update(
        status=Delivery.Status.QUEUED,
        next_attempt_at=None,
        retries=0,
        retrying_since=None,
        updated_at=timezone.now(),
    )
    transaction.on_commit(lambda: enqueue(delivery.pk))
    delivery.refresh_from_db()
    return delivery


def save_endpoint(endpoint: Endpoint) -> Endpoint:
    endpoint.save()
    transaction.on_commit(subscriptions.forget)
    subscriptions.forget()
    return endpoint


def delete_endpoint(*, account_id: int, endpoint_id) -> None:
    selectors.endpoint_of_account(account_id, endpoint_id).delete()
    transaction.on_commit(subscriptions.forget)
    subscriptions.forget()


def forget_visitors(*, visitor_ids, dialog_ids) -> None:
    """A visitor's personal data is erased: so are the deliveries that carry it (their
    receivers got them already; the log keeps no copy)."""
    Delivery.objects.filter(Q(visitor_id__in=visitor_ids) | Q(dialog_id__in=dialog_ids)).delete()
