"""Delivery of exports: thin and idempotent; crm.services does the work."""

import random

from celery import shared_task
from django.conf import settings

from crm import selectors, services
from crm.models import Export


def backoff_seconds(retries: int) -> float:
    """Exponential backoff with jitter: min(cap, base * 2**retries), times 0.5 to 1."""
    ceiling = min(settings.CRM_RETRY_CAP_SECONDS, settings.CRM_RETRY_BASE_SECONDS * 2**retries)
    return ceiling * random.uniform(0.5, 1.0)


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True, max_retries=None)
def deliver_export(self, export_id: int) -> str | None:
    export = selectors.export_for_delivery(export_id)
    if export is None or export.status != Export.Status.QUEUED:
        return None  # deleted, delivered, or given up: nothing to send twice
    max_retries = settings.CRM_RETRY_MAX
    outcome = services.attempt_delivery(export, may_retry=self.request.retries < max_retries)
    if outcome == services.RETRY:
        raise self.retry(countdown=backoff_seconds(self.request.retries), max_retries=max_retries)
    return outcome


@shared_task
def requeue_stale_exports() -> int:
    """Beat: exports still queued long after any retry would have run lost their task (a
    broker restarted without persistence, a purged queue): queue them again."""
    export_ids = selectors.stale_queued_exports()
    for export_id in export_ids:
        deliver_export.delay(export_id)
    return len(export_ids)
