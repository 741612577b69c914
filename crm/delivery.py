"""Sending an export: one sender at a time (a lease taken by an atomic UPDATE), one attempt
through its connector, its result recorded by the lease holder only, and the next attempt
scheduled (docs/crm.md "Delivery guarantee")."""

import logging
import time
import uuid
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from chat.outbound import retry
from crm import payloads, selectors, services
from crm.connectors import ConnectorError, Http, Progress, TemporaryError, connector_for
from crm.models import Export, Integration

logger = logging.getLogger(__name__)

SENT, RETRY, FAILED = "sent", "retry", "failed"
CLAIMED, BUSY, SIBLING_BUSY, NOT_DUE, GONE = "claimed", "busy", "sibling", "not_due", "gone"
# The clock of the worker that set a due time may run a little ahead of this one's.
DUE_TOLERANCE = timedelta(seconds=1)


@dataclass
class Claim:
    state: str
    token: uuid.UUID | None = None
    wait: float = 0.0  # BUSY: seconds until the holder's lease ends
    holder: str = ""  # BUSY: the task that holds it


@dataclass
class Step:
    outcome: str | None
    retry_in: float | None = None


def backoff_seconds(retries: int) -> float:
    """Exponential backoff with jitter: min(cap, base * 2**retries), times 0.5 to 1."""
    return retry.backoff_seconds(
        retries, base=settings.CRM_RETRY_BASE_SECONDS, cap=settings.CRM_RETRY_CAP_SECONDS
    )


@transaction.atomic
def claim(export_id: int, *, respect_schedule: bool = True, holder: str = "") -> Claim:
    """Take the export for one attempt if it is queued, due and nobody holds it. A single
    conditional UPDATE: of two workers racing for it, exactly one gets the row. Exports of
    one dialog to one integration share their CRM lead, so they are sent one at a time:
    the group's first row is locked while the others' leases are checked."""
    now = timezone.now()
    token = uuid.uuid4()
    sibling_lease = _sibling_lease(export_id, now)
    if sibling_lease is not None:
        return Claim(SIBLING_BUSY, wait=(sibling_lease - now).total_seconds())
    rows = Export.objects.filter(pk=export_id, status=Export.Status.QUEUED).filter(
        Q(lease_until__isnull=True) | Q(lease_until__lte=now)
    )
    if respect_schedule:
        rows = rows.filter(
            Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now + DUE_TOLERANCE)
        )
    lease_until = now + timedelta(seconds=settings.CRM_LEASE_SECONDS)
    claimed = rows.update(
        lease_until=lease_until, lease_token=token, lease_holder=holder, requeued_at=None
    )
    if claimed:
        return Claim(CLAIMED, token)
    row = (
        Export.objects.filter(pk=export_id).values("status", "lease_until", "lease_holder").first()
    )
    if row is None or row["status"] != Export.Status.QUEUED:
        return Claim(GONE)
    if row["lease_until"] and row["lease_until"] > now:
        wait = (row["lease_until"] - now).total_seconds()
        return Claim(BUSY, wait=wait, holder=row["lease_holder"])
    return Claim(NOT_DUE)


def _sibling_lease(export_id: int, now):
    """The end of a lease another export of the same dialog and integration holds."""
    export = Export.objects.filter(pk=export_id).values("integration_id", "dialog_id").first()
    if export is None or export["dialog_id"] is None:
        return None
    group = Export.objects.filter(
        integration_id=export["integration_id"], dialog_id=export["dialog_id"]
    )
    list(group.select_for_update().order_by("id").values_list("id", flat=True)[:1])
    held = group.exclude(pk=export_id).filter(lease_until__gt=now)
    return held.order_by("-lease_until").values_list("lease_until", flat=True).first()


def run(export_id: int, *, task_id: str = "", eager: bool = False) -> Step:
    """What crm.tasks.deliver_export does. A task finding the export held under its own
    id is its own redelivery after its worker was lost (acks late): it comes back when
    that lease ends, as does one waiting for another export of its dialog. Any other copy
    finding it held, not due, sent or failed ends quietly: the holder schedules what
    follows (and beat covers a holder whose task is lost)."""
    taken = claim(export_id, respect_schedule=not eager, holder=task_id)
    if taken.state == BUSY and not eager and task_id and taken.holder == task_id:
        return Step(None, retry_in=taken.wait + 1)
    if taken.state == SIBLING_BUSY and not eager:  # looks again soon: attempts are short
        return Step(None, retry_in=min(taken.wait + 1, settings.CRM_RETRY_BASE_SECONDS))
    if taken.state != CLAIMED:
        return Step(None)
    export = selectors.export_for_delivery(export_id)
    if export is None:
        return Step(None)
    return attempt(export, taken.token)


def attempt_delivery(export: Export) -> str | None:
    """One attempt now, whatever the schedule (the console's tests and tools)."""
    taken = claim(export.pk, respect_schedule=False)
    if taken.state != CLAIMED:
        return None
    return attempt(export, taken.token).outcome


def attempt(export: Export, token: uuid.UUID) -> Step:
    """One attempt by the lease holder: the connector asks the CRM what this export already
    made there and makes only what is missing."""
    key, own_key, remote_id = selectors.crm_lead_of(export)
    progress = Progress(
        key=key,
        own_key=own_key,
        remote_id=remote_id,
        remote_contact_id=export.remote_contact_id,
        setup=dict(export.integration.remote_setup or {}),
    )
    lease = settings.CRM_LEASE_SECONDS
    deadline = time.monotonic() + lease - min(5.0, lease * 0.1)
    http = None
    retry_after = None
    try:
        connector = connector_for(export.integration)
        http = Http(connector, timeout=settings.CRM_HTTP_TIMEOUT_SECONDS, deadline=deadline)
        connector.deliver(payloads.build(export), http, progress)
    except ConnectorError as error:
        outcome, reason = FAILED, str(error)
    except TemporaryError as error:
        outcome, reason, retry_after = RETRY, str(error), error.retry_after
    except Exception:
        # A bug, not the CRM: logged by Celery; beat sends the export again later.
        Export.objects.filter(pk=export.pk, lease_token=token).update(
            lease_until=None, lease_token=None, lease_holder=""
        )
        raise
    else:
        outcome, reason = SENT, ""
    countdown = None
    if outcome == RETRY:
        countdown = max(backoff_seconds(export.retries), retry_after or 0)
        if not retry.within_limits(
            countdown,
            retries=export.retries,
            retrying_since=export.retrying_since,
            max_retries=settings.CRM_RETRY_MAX,
            window_seconds=settings.CRM_RETRY_WINDOW_SECONDS,
        ):
            outcome, countdown = FAILED, None
            reason = retry.gave_up_reason(export.attempts + 1, reason)
    recorded = _record(export, token, outcome, http, progress, reason, countdown)
    if not recorded:
        logger.warning("CRM export %s: lease lost during the attempt", export.pk)
        return Step(None)
    return Step(outcome, countdown)


@transaction.atomic
def _record(export, token, outcome, http, progress, reason, countdown) -> bool:
    now = timezone.now()
    status = {SENT: Export.Status.SENT, FAILED: Export.Status.FAILED}.get(
        outcome, Export.Status.QUEUED
    )
    fields = {
        "attempts": F("attempts") + 1,
        "status": status,
        "last_status_code": http.last_status if http else None,
        "last_response": http.last_excerpt if http else "",
        "last_error": reason[:1000],
        "updated_at": now,
        "lease_until": None,
        "lease_token": None,
        "lease_holder": "",
        "remote_id": progress.remote_id[:100],
        "remote_contact_id": progress.remote_contact_id[:100],
        "retrying_since": Coalesce(F("retrying_since"), Value(now)),
    }
    if outcome == SENT:
        fields.update(sent_at=now, next_attempt_at=None)
    elif outcome == RETRY:
        fields.update(next_attempt_at=now + timedelta(seconds=countdown), retries=F("retries") + 1)
    else:
        fields.update(next_attempt_at=None)
    recorded = Export.objects.filter(pk=export.pk, lease_token=token).update(**fields)
    if progress.setup != (export.integration.remote_setup or {}):
        Integration.objects.filter(pk=export.integration_id).update(remote_setup=progress.setup)
    services.publish_panel(export.dialog_id)
    return bool(recorded)


def requeue_stale(*, now=None) -> list[int]:
    """Exports whose attempt is overdue by the margin and that nobody holds lost their task
    (a broker restarted without persistence, a purged queue): marked and queued once more.
    A mark holds for CRM_RETRY_CAP_SECONDS, so a worker that is down does not find a copy
    per beat tick waiting for it (and copies it does find do nothing: see claim)."""
    now = now or timezone.now()
    with transaction.atomic():
        ids = selectors.stale_queued_exports(now=now, for_update=True)
        Export.objects.filter(pk__in=ids).update(requeued_at=now)
    for export_id in ids:
        services.enqueue(export_id)
    return ids
