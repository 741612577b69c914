"""Periodic chat tasks (Celery beat). Thin and idempotent: each calls one service."""

from celery import shared_task

from chat.console import presence
from chat.dialogs import autoclose, lifecycle, offers


@shared_task(ignore_result=True)
def detect_missed_dialogs() -> int:
    return len(lifecycle.mark_missed())


@shared_task(ignore_result=True)
def refresh_presence() -> int:
    return len(presence.refresh())


@shared_task(ignore_result=True)
def offer_waiting_dialogs() -> int:
    return len(offers.offer_waiting_dialogs())


@shared_task(ignore_result=True)
def close_abandoned_dialogs() -> int:
    return len(autoclose.close_abandoned_dialogs())
