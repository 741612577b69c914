"""The installable console: manifest, service worker and offline page. Public, no session."""

import json

from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.urls import reverse
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

from chat.console import pwa


@require_GET
@cache_control(no_cache=True)
def manifest(request):
    return JsonResponse(
        pwa.manifest(),
        content_type="application/manifest+json",
        json_dumps_params={"ensure_ascii": False},
    )


@require_GET
@cache_control(no_cache=True)
def service_worker(request):
    """Served under /console/, so the worker's scope is the console without any header."""
    config = {
        "cache": f"console-shell-{pwa.shell_version()}",
        "shell": pwa.shell_urls(),
        "offline": reverse("console:offline"),
        "console": reverse("console:mine"),  # Web Push: a click without a url opens it
        "icon": static(pwa.ICONS[0][0]),
    }
    source = render_to_string(pwa.WORKER_TEMPLATE, {"config": json.dumps(config)})
    return HttpResponse(source, content_type="text/javascript; charset=utf-8")


@require_GET
@cache_control(no_cache=True)
def offline(request):
    """The page the worker shows when the console cannot be reached: every language, the
    browser shows the operator's (static/chat/offline.js)."""
    return render(request, pwa.OFFLINE_TEMPLATE, {"languages": settings.LANGUAGES})
