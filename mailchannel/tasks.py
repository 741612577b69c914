"""Thin tasks: outbound.attempt, inbound.process and imap.poll_once do the work."""

import logging

from celery import shared_task
from django.core.cache import cache

from chat.messaging.ratelimit import RateLimited
from mailchannel import imap, inbound, outbound

logger = logging.getLogger(__name__)


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True, max_retries=None)
def send_mail(self, delivery_id: int) -> None:
    delay = outbound.attempt(delivery_id)
    if delay is not None and not self.request.is_eager:
        raise self.retry(countdown=delay, max_retries=None)


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True, max_retries=20)
def process_mail(self, mail_id: int) -> None:
    try:
        inbound.process(mail_id)
    except RateLimited as limited:
        if not self.request.is_eager:
            raise self.retry(countdown=limited.retry_after) from None


@shared_task
def poll_mailbox() -> None:
    """Beat: new replies from the IMAP mailbox (one poller at a time), then the mails and
    deliveries whose task was lost."""
    if imap.configured() and cache.add("mailchannel:polling", 1, timeout=300):
        try:
            imap.poll_once(on_stored=lambda pk: process_mail.delay(pk))
        except Exception:  # noqa: BLE001 - logged; the next beat tries again
            logger.exception("IMAP poll failed")
        finally:
            cache.delete("mailchannel:polling")
    for mail_id in inbound.unprocessed():
        process_mail.delay(mail_id)
    for delivery_id in outbound.overdue():
        send_mail.delay(delivery_id)
