"""RFC 9457 problem details: every error under /api/ is one JSON shape (docs/api.md).

{"type": a URI naming the problem kind, "title", "status", "detail", "instance" (the
request path), "code" (stable, for programs), and "errors" (field errors) for invalid input.
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import set_rollback

from chat.errors import ChatError

CONTENT_TYPE = "application/problem+json"
TYPE_BASE = "/api/docs/#problem-"

TITLES = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    406: "Not Acceptable",
    409: "Conflict",
    413: "Content Too Large",
    415: "Unsupported Media Type",
    429: "Too Many Requests",
    500: "Internal Server Error",
}

# ChatError codes (chat/errors.py and the services) that are not a plain 400.
CHAT_STATUS = {
    "forbidden": 403,
    "not_found": 404,
    "dialog_closed": 409,
    "not_connected": 409,
    "rate_limited": 429,
    "too_large": 413,
    "outreach_limit": 429,  # engage: too many chats started by one operator lately
}


def problem(status_code: int, *, code: str, detail: str, instance: str, **extra) -> dict:
    return {
        "type": TYPE_BASE + code,
        "title": TITLES.get(status_code, "Error"),
        "status": status_code,
        "detail": str(detail),
        "instance": instance,
        "code": code,
        **extra,
    }


def _field_errors(detail) -> list[dict]:
    """DRF's nested validation errors as a flat list of {"field", "message"}."""
    found = []

    def walk(value, path):
        if isinstance(value, dict):
            for key, item in value.items():
                walk(item, f"{path}.{key}" if path else str(key))
        elif isinstance(value, list):
            for index, item in enumerate(value):
                walk(item, f"{path}.{index}" if path and isinstance(item, dict | list) else path)
        else:
            found.append({"field": path or "non_field_errors", "message": str(value)})

    walk(detail, "")
    return found


def exception_handler(exc, context):
    """DRF's EXCEPTION_HANDLER: DRF's exceptions, Django's 404/403 and chat's ChatError."""
    request = context.get("request")
    instance = request.path if request is not None else ""
    headers = {}
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    if isinstance(exc, ChatError):
        status_code = getattr(exc, "status", None) or CHAT_STATUS.get(exc.code, 400)
        body = problem(status_code, code=exc.code, detail=exc.detail, instance=instance)
        body.update({k: v for k, v in exc.fields.items() if k not in body})
        if status_code == 429 and "retry_after" in exc.fields:
            headers["Retry-After"] = str(int(exc.fields["retry_after"]))
    elif isinstance(exc, exceptions.APIException):
        status_code = exc.status_code
        if getattr(exc, "auth_header", None):
            headers["WWW-Authenticate"] = exc.auth_header
        if getattr(exc, "wait", None) is not None:
            headers["Retry-After"] = str(max(1, int(exc.wait + 0.999)))
        if isinstance(exc, exceptions.ValidationError):
            body = problem(
                status_code,
                code="invalid",
                detail="The request is not valid: see errors.",
                instance=instance,
                errors=_field_errors(exc.detail),
            )
        else:
            detail = exc.detail if isinstance(exc.detail, str) else str(exc.detail)
            code = exc.get_codes() if isinstance(exc.get_codes(), str) else "error"
            body = problem(status_code, code=code, detail=detail, instance=instance)
    else:
        return None  # a bug: Django's 500 (logged), shaped by not_found_or_error below
    set_rollback()
    response = Response(body, status=status_code, headers=headers)
    response.content_type = CONTENT_TYPE
    return response


def json_problem(request, status_code: int, code: str, detail: str) -> JsonResponse:
    """A problem answered outside DRF's views (unknown /api/ URLs, server errors)."""
    body = problem(status_code, code=code, detail=detail, instance=request.path)
    return JsonResponse(body, status=status_code, content_type=CONTENT_TYPE)


@csrf_exempt  # no cookie is a credential under /api/: a POST here is just a wrong URL
def unknown_url(request, *args, **kwargs):
    return json_problem(request, status.HTTP_404_NOT_FOUND, "not_found", "No such API URL.")
