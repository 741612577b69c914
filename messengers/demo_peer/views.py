"""The FAKE Bot API and VK API (fake.py) served by the product itself for `make run`'s demo
Telegram channel, under /demo/telegram-api/ and /demo/vk-api/, only when
MESSENGERS_DEMO_PEER is on (the embedded setup). Never the real services."""

import json

from django.conf import settings
from django.http import Http404, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt

from messengers.demo_peer import fake
from messengers.models import Bot, Kind


def _enabled():
    if not settings.MESSENGERS_DEMO_PEER:
        raise Http404()


def _known(token: str) -> None:
    """A demo bot of the database is a bot of the fake (its state is this process's)."""
    if token in fake.peer.telegram_bots:
        return
    bot = Bot.objects.filter(is_demo=True, kind=Kind.TELEGRAM, token=token).first()
    if bot is not None:
        fake.peer.add_telegram_bot(token, bot.name, int(bot.external_id))


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
    _known(token)
    if kind == "file":
        status, content = fake.peer.telegram_file(token, rest)
        return HttpResponse(content, status=status, content_type="application/octet-stream")
    params, files = _params(request)
    status, body = fake.peer.telegram(token, rest, params, files)
    return JsonResponse(body, status=status)


@csrf_exempt
def vk_api(request, method):
    _enabled()
    params, _files = _params(request)
    status, body = fake.peer.vk(method, params)
    return HttpResponse(json.dumps(body), status=status, content_type="application/json")
