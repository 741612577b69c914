"""Webhooks the messengers call, and the transcript's Retry. Thin: each stores what came
(inbound.store) before it answers, then leaves the work to a task."""

import json

from django.db import transaction
from django.http import HttpResponse, HttpResponseForbidden, JsonResponse
from django.shortcuts import get_object_or_404
from django.utils.crypto import constant_time_compare
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from chat.views.decorators import operator_required
from messengers import inbound, outbound, tasks
from messengers.models import Bot, Kind

MAX_BODY_BYTES = 1024 * 1024


def _json(request) -> dict | None:
    if len(request.body) > MAX_BODY_BYTES:
        return None
    try:
        body = json.loads(request.body)
    except (ValueError, UnicodeDecodeError):
        return None
    return body if isinstance(body, dict) else None


def _stored(bot: Bot, event_id: str, payload: dict) -> None:
    """Stored and committed before the answer; processed once committed."""
    with transaction.atomic():
        update = inbound.store(bot, event_id, payload)
        if update is not None:
            transaction.on_commit(lambda: tasks.process_update.delay(update.pk))


@csrf_exempt
@require_POST
def telegram_webhook(request, bot_id):
    bot = get_object_or_404(Bot, pk=bot_id, kind=Kind.TELEGRAM)
    secret = request.headers.get("X-Telegram-Bot-Api-Secret-Token", "")
    if not constant_time_compare(secret, bot.webhook_secret):
        return HttpResponseForbidden("Wrong secret token.")
    update = _json(request)
    if update is None or not isinstance(update.get("update_id"), int):
        return JsonResponse({"detail": "Not a Telegram update."}, status=400)
    _stored(bot, str(update["update_id"]), update)
    return HttpResponse("")


@csrf_exempt
@require_POST
def vk_callback(request, bot_id):
    """VK's Callback API: "ok" once stored; the confirmation string for `confirmation`."""
    bot = get_object_or_404(Bot, pk=bot_id, kind=Kind.VK)
    event = _json(request)
    if event is None or str(event.get("group_id")) != bot.external_id:
        return HttpResponse("bad request", status=400, content_type="text/plain")
    if not constant_time_compare(str(event.get("secret", "")), bot.webhook_secret):
        return HttpResponseForbidden("wrong secret", content_type="text/plain")
    if event.get("type") == "confirmation":
        return HttpResponse(bot.confirmation, content_type="text/plain")
    event_id = event.get("event_id")
    if not isinstance(event_id, str) or not event_id:
        return HttpResponse("bad request", status=400, content_type="text/plain")
    _stored(bot, event_id, event)
    return HttpResponse("ok", content_type="text/plain")


@require_POST
@operator_required
def retry(request, pk):
    delivery = outbound.retry(operator=request.operator, delivery_id=pk)
    return JsonResponse({"delivery": delivery.pk, "status": delivery.status})
