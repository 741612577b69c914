"""The console's "Notifications on this device" (static/push/console-push.js): store or drop
this browser's push subscription. POST, CSRF-protected, the operator's own only."""

import json

from django.http import JsonResponse
from django.views.decorators.http import require_POST

from chat.views.decorators import operator_required
from push import services


def _body(request):
    try:
        return json.loads(request.body or b"null")
    except (ValueError, UnicodeDecodeError):
        return None


@require_POST
@operator_required
def subscribe(request):
    if not services.enabled():
        return JsonResponse({"error": "Web Push is not configured."}, status=404)
    try:
        subscription = services.subscribe(
            request.operator, _body(request), request.headers.get("User-Agent", "")
        )
    except services.InvalidSubscription as error:
        return JsonResponse({"error": str(error)}, status=400)
    return JsonResponse({"subscribed": True, "id": subscription.id}, status=201)


@require_POST
@operator_required
def unsubscribe(request):
    data = _body(request)
    endpoint = data.get("endpoint") if isinstance(data, dict) else None
    deleted = services.unsubscribe(request.operator, endpoint)
    return JsonResponse({"subscribed": False, "deleted": deleted})
