"""Sending one delivery: one sender at a time (a lease taken by a conditional UPDATE), one
signed POST (chat.outbound.signing), the result recorded by the lease holder only, and the
next attempt scheduled with crm's backoff and the receiver's Retry-After
(chat.outbound.retry). At least once: the event id travels in webhook-id and
Idempotency-Key on every attempt, so a receiver drops repeats."""

import logging
import time
import uuid
from datetime import timedelta

import requests
from django.conf import settings
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from chat.outbound import retry, signing
from webhooks import addresses, services
from webhooks.models import Delivery

logger = logging.getLogger(__name__)

SENT, RETRY, FAILED = "sent", "retry", "failed"


def claim(delivery_id: int, *, respect_schedule: bool = True) -> uuid.UUID | None:
    """The lease token if this sender took the delivery (queued, due, nobody holding it)."""
    now = timezone.now()
    token = uuid.uuid4()
    rows = Delivery.objects.filter(pk=delivery_id, status=Delivery.Status.QUEUED).filter(
        Q(lease_until__isnull=True) | Q(lease_until__lte=now)
    )
    if respect_schedule:
        rows = rows.filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
    lease_until = now + timedelta(seconds=settings.WEBHOOKS_HTTP_TIMEOUT_SECONDS * 2 + 30)
    return token if rows.update(lease_until=lease_until, lease_token=token) else None


def post(delivery: Delivery) -> tuple[int | None, str, float | None]:
    """One signed POST: (status code or None, error or "", Retry-After seconds).
    addresses.RefusedUrl if the endpoint's address may not be called (any more)."""
    url = addresses.check(delivery.endpoint.url)
    body = signing.encode_body(delivery.payload)
    msg_id = str(delivery.event_id)
    timestamp = str(int(time.time()))
    headers = signing.signed_headers([delivery.endpoint.secret], msg_id, timestamp, body)
    headers["User-Agent"] = "livechat-webhooks/1"
    try:
        response = requests.post(
            url,
            data=body,
            headers=headers,
            timeout=settings.WEBHOOKS_HTTP_TIMEOUT_SECONDS,
            allow_redirects=False,
        )
    except requests.Timeout:
        return None, _("The receiver did not answer in time."), None
    except requests.RequestException:
        return None, _("Could not reach the receiver."), None
    code = response.status_code
    if 200 <= code < 300:
        return code, "", None
    reason = f"HTTP {code} {response.reason or ''}".strip()
    return code, reason, retry.retry_after_seconds(response.headers.get("Retry-After"))


def attempt(delivery: Delivery, token: uuid.UUID) -> tuple[str, float | None]:
    """(outcome, seconds until the next attempt when it is retried)."""
    try:
        code, reason, retry_after = post(delivery)
    except addresses.RefusedUrl as refused:
        code, reason, retry_after = None, str(refused), None
        outcome = FAILED
    else:
        if not reason:
            outcome = SENT
        elif code is None or retry.is_temporary(code):
            outcome = RETRY
        else:
            outcome = FAILED  # another 4xx: only someone fixing the receiver helps
    countdown = None
    if outcome == RETRY:
        countdown = retry.next_delay(
            delivery.retries,
            retry_after,
            base=settings.WEBHOOKS_RETRY_BASE_SECONDS,
            cap=settings.WEBHOOKS_RETRY_CAP_SECONDS,
        )
        if not retry.within_limits(
            countdown,
            retries=delivery.retries,
            retrying_since=delivery.retrying_since,
            max_retries=settings.WEBHOOKS_RETRY_MAX,
            window_seconds=settings.WEBHOOKS_RETRY_WINDOW_SECONDS,
        ):
            outcome, countdown = FAILED, None
            reason = retry.gave_up_reason(delivery.attempts + 1, reason)
    _record(delivery, token, outcome, code, reason, countdown)
    return outcome, countdown


def _record(delivery, token, outcome, code, reason, countdown) -> None:
    now = timezone.now()
    fields = {
        "attempts": F("attempts") + 1,
        "last_status_code": code,
        "last_error": reason[:1000],
        "updated_at": now,
        "lease_until": None,
        "lease_token": None,
        "retrying_since": delivery.retrying_since or now,
    }
    if outcome == SENT:
        fields.update(status=Delivery.Status.SENT, sent_at=now, next_attempt_at=None)
    elif outcome == RETRY:
        due = now + timedelta(seconds=countdown)
        fields.update(next_attempt_at=due, retries=F("retries") + 1)
    else:
        fields.update(status=Delivery.Status.FAILED, next_attempt_at=None)
    if not Delivery.objects.filter(pk=delivery.pk, lease_token=token).update(**fields):
        logger.warning("webhook delivery %s: lease lost during the attempt", delivery.pk)


def run(delivery_id: int, *, eager: bool = False) -> float | None:
    """What webhooks.tasks.deliver_event does; the seconds until the next attempt if any.
    A copy that finds the delivery held, not due, sent or failed does nothing."""
    token = claim(delivery_id, respect_schedule=not eager)
    if token is None:
        return None
    delivery = Delivery.objects.select_related("endpoint").get(pk=delivery_id)
    _outcome, countdown = attempt(delivery, token)
    return countdown


def requeue_stale(*, now=None) -> list[int]:
    """Queued deliveries overdue by the margin that nobody holds lost their task: due now
    again (so the next beat tick waits the margin before another copy), then queued."""
    now = now or timezone.now()
    overdue = now - timedelta(seconds=settings.WEBHOOKS_REQUEUE_MARGIN_SECONDS)
    rows = Delivery.objects.filter(status=Delivery.Status.QUEUED)
    rows = rows.filter(Q(lease_until__isnull=True) | Q(lease_until__lte=now))
    rows = rows.filter(
        Q(next_attempt_at__lte=overdue) | Q(next_attempt_at__isnull=True, updated_at__lte=overdue)
    )
    ids = list(rows.order_by("id").values_list("id", flat=True)[:500])
    Delivery.objects.filter(pk__in=ids).update(next_attempt_at=now, updated_at=now)
    for delivery_id in ids:
        services.enqueue(delivery_id)
    return ids
