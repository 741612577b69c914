"""Thin tasks: inbound.process and outbound.attempt do the work."""

from celery import shared_task

from chat.messaging.ratelimit import RateLimited
from messengers import inbound, outbound


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True, max_retries=None)
def deliver(self, delivery_id: int) -> None:
    delay = outbound.attempt(delivery_id)
    if delay is not None and not self.request.is_eager:
        raise self.retry(countdown=delay, max_retries=None)


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True, max_retries=20)
def process_update(self, update_id: int) -> None:
    try:
        inbound.process(update_id)
    except RateLimited as limited:
        if not self.request.is_eager:
            raise self.retry(countdown=limited.retry_after) from None


@shared_task
def requeue_lost() -> None:
    """Beat: updates not processed and deliveries not attempted because a task was lost."""
    for update_id in inbound.unprocessed():
        process_update.delay(update_id)
    for delivery_id in outbound.overdue():
        deliver.delay(delivery_id)
