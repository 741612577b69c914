"""Beat task of retention: thin; retention.services does the work."""

from celery import shared_task

from retention import services


@shared_task
def apply_retention() -> int:
    """Apply every account's retention policy (idempotent: what is gone stays gone)."""
    return services.apply_all()
