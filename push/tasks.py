"""Web Push tasks: one fan-out task per occasion, one send task per device (retried with
backoff while the push service fails; a subscription the browser dropped is deleted)."""

from celery import shared_task

from push import services


def _fan_out(pushes) -> int:
    for subscription_id, data in pushes:
        send_push.delay(subscription_id, data)
    return len(pushes)


@shared_task(ignore_result=True)
def push_new_dialog(dialog_id: int) -> int:
    return _fan_out(services.new_dialog_pushes(dialog_id))


@shared_task(ignore_result=True)
def push_offers(dialog_ids: list[int]) -> int:
    return _fan_out(services.offer_pushes(dialog_ids))


@shared_task(ignore_result=True)
def push_visitor_message(message_id: int) -> int:
    return _fan_out(services.message_pushes(message_id))


@shared_task(
    ignore_result=True,
    autoretry_for=(services.TransientPushError,),
    retry_backoff=5,
    retry_backoff_max=600,
    retry_jitter=True,
    max_retries=5,
)
def send_push(subscription_id: int, data: dict) -> str:
    return services.send(subscription_id, data)
