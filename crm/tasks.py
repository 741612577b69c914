"""Delivery of exports: thin; crm.delivery does the work and makes duplicates harmless."""

from celery import shared_task

from crm import delivery


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True, max_retries=None)
def deliver_export(self, export_id: int) -> str | None:
    step = delivery.run(export_id, task_id=self.request.id or "", eager=self.request.is_eager)
    if step.retry_in is not None:
        raise self.retry(countdown=step.retry_in, max_retries=None)
    return step.outcome


@shared_task
def requeue_stale_exports() -> int:
    """Beat: queued exports whose task was lost are queued again (crm.delivery)."""
    return len(delivery.requeue_stale())
