"""Beat tasks of reports: thin; reports.facts does the work."""

from celery import shared_task
from django.utils import timezone

from reports import facts


@shared_task
def refresh_report_facts() -> int:
    """Facts of the dialogs closed lately that have none or stale ones (a hook that
    failed, a dialog closed by a path that sends none); idempotent."""
    return facts.refresh_stale(closed_since=timezone.now() - facts.LOOKBACK)
