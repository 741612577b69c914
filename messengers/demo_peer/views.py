"""The FAKE Bot API and VK API (fake.py) served by the product itself for `make run`'s demo
Telegram channel, under /demo/telegram-api/ and /demo/vk-api/, only when
MESSENGERS_DEMO_PEER is on (the embedded setup). Never the real services."""

import contextlib
import json
import threading
import time

import requests
from django.conf import settings
from django.http import Http404, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt

from messengers import demo, linking
from messengers.demo_peer import fake
from messengers.models import Bot, Kind


def _enabled():
    if not settings.MESSENGERS_DEMO_PEER:
        raise Http404()


def _demo_bot(token: str) -> Bot | None:
    """A demo bot of the database is a bot of the fake (its state is this process's)."""
    bot = Bot.objects.filter(is_demo=True, kind=Kind.TELEGRAM, token=token).first()
    if bot is not None and token not in fake.peer.telegram_bots:
        fake.peer.add_telegram_bot(token, bot.name, int(bot.external_id))
    return bot


def _user_answers(url: str, secret: str, chat_id: str) -> None:
    """The demo user answers the operator, through the bot's webhook, as Telegram would."""
    update_id = int(time.time() * 1000)
    update = demo.update_from_user(update_id, demo.USER_ANSWER)
    update["message"]["chat"]["id"] = int(chat_id) if chat_id.isdigit() else chat_id
    with contextlib.suppress(requests.RequestException):  # a demo: nothing to tell
        requests.post(url, json=update, timeout=5,
                      headers={"X-Telegram-Bot-Api-Secret-Token": secret})  # fmt: skip


def _params(request) -> tuple[dict, dict]:
    if request.content_type == "application/json":
        return fake.json_params(request.body), {}
    params = {**request.GET.dict(), **request.POST.dict()}
    files = {name: (f.name, f.read()) for name, f in request.FILES.items()}
    return params, files


@csrf_exempt
def telegram_api(request, path):
    _enabled()
    route = fake.parse_telegram_path(path)
    if route is None:
        raise Http404()
    kind, token, rest = route
    bot = _demo_bot(token)
    if kind == "file":
        status, content = fake.peer.telegram_file(token, rest)
        return HttpResponse(content, status=status, content_type="application/octet-stream")
    params, files = _params(request)
    status, body = fake.peer.telegram(token, rest, params, files)
    if bot is not None and rest == "sendMessage" and status == 200:
        url = request.build_absolute_uri(linking.webhook_path(bot))
        args = (url, bot.webhook_secret, str(params.get("chat_id", "")))
        threading.Thread(target=_user_answers, args=args, daemon=True).start()
    return JsonResponse(body, status=status)


@csrf_exempt
def vk_api(request, method):
    _enabled()
    params, _files = _params(request)
    status, body = fake.peer.vk(method, params)
    return HttpResponse(json.dumps(body), status=status, content_type="application/json")
