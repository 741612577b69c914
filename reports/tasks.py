"""Beat tasks of reports: thin; reports.facts does the work."""

from celery import shared_task

from reports import facts


@shared_task
def refresh_report_facts() -> int:
    """Facts of the closed dialogs that have none or stale ones (a hook that failed, a
    dialog closed by a path that sends none, history from before the facts existed), the
    latest first; idempotent."""
    return facts.refresh_stale(limit=facts.PER_RUN)
