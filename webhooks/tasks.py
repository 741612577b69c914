"""Delivery of events: thin; webhooks.delivery does the work and makes duplicates harmless."""

from celery import shared_task

from webhooks import delivery


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True, max_retries=None)
def deliver_event(self, delivery_id: int) -> None:
    countdown = delivery.run(delivery_id, eager=self.request.is_eager)
    if countdown is not None:
        raise self.retry(countdown=countdown, max_retries=None)


@shared_task
def requeue_stale_deliveries() -> int:
    """Beat: queued deliveries whose task was lost are queued again."""
    return len(delivery.requeue_stale())
