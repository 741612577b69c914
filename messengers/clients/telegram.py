"""The Telegram Bot API methods we use, over plain `requests` (core.telegram.org/bots/api).

Plain HTTP rather than a bot framework: the calls are a handful of documented POSTs made
from synchronous Celery tasks and views, and the frameworks (python-telegram-bot, aiogram)
are asyncio applications with their own update loop we would have to work around.
Every answer is {"ok": true, "result": ...} or {"ok": false, "error_code": ...,
"description": ..., "parameters": {"retry_after": N}}."""

import requests
from django.conf import settings

from messengers.clients.errors import PeerError


def _base(base: str | None) -> str:
    return (base or settings.TELEGRAM_API_BASE).rstrip("/")


def _url(token: str, method: str, base: str | None = None) -> str:
    return f"{_base(base)}/bot{token}/{method}"


def file_url(token: str, file_path: str, base: str | None = None) -> str:
    return f"{_base(base)}/file/bot{token}/{file_path}"


def call(token, method, *, data=None, files=None, base=None):
    """The method's result; PeerError when Telegram refuses or cannot be reached.
    base: the API's address when not TELEGRAM_API_BASE (a demo bot's fake)."""
    try:
        response = requests.post(
            _url(token, method, base),
            data=data if files else None,
            json=None if files else (data or {}),
            files=files,
            timeout=settings.MESSENGERS_HTTP_TIMEOUT_SECONDS,
        )
    except requests.RequestException as error:
        raise PeerError(f"Telegram could not be reached ({type(error).__name__}).", True) from None
    try:
        body = response.json()
    except ValueError:
        body = {}
    if response.status_code == 200 and body.get("ok"):
        return body.get("result")
    description = str(body.get("description") or f"HTTP {response.status_code}")[:400]
    retry_after = (body.get("parameters") or {}).get("retry_after")
    temporary = response.status_code == 429 or response.status_code >= 500
    raise PeerError(description, temporary, float(retry_after) if retry_after is not None else None)


def get_me(token: str, base: str | None = None) -> dict:
    return call(token, "getMe", base=base)


def set_webhook(token: str, *, url: str, secret: str, base: str | None = None) -> None:
    data = {"url": url, "secret_token": secret, "allowed_updates": ["message"]}
    call(token, "setWebhook", data=data, base=base)


def send_message(token: str, chat_id: str, text: str, base: str | None = None) -> dict:
    return call(token, "sendMessage", data={"chat_id": chat_id, "text": text}, base=base)


def send_file(token, chat_id, *, photo: bool, name: str, content: bytes, caption: str, base=None):
    method, field = ("sendPhoto", "photo") if photo else ("sendDocument", "document")
    data = {"chat_id": chat_id}
    if caption:
        data["caption"] = caption
    return call(token, method, data=data, files={field: (name, content)}, base=base)


def download(token: str, file_id: str, base: str | None = None) -> tuple[str, bytes]:
    """(file_path, content) of a file a user sent (getFile, then the file URL)."""
    found = call(token, "getFile", data={"file_id": file_id}, base=base)
    path = found.get("file_path") or ""
    limit = settings.CHAT_ATTACHMENT_MAX_BYTES
    if found.get("file_size") and found["file_size"] > limit:
        raise PeerError("too_large")
    try:
        response = requests.get(
            file_url(token, path, base),
            timeout=settings.MESSENGERS_HTTP_TIMEOUT_SECONDS,
            stream=True,
        )
        response.raise_for_status()
        content = response.raw.read(limit + 1, decode_content=True)
    except requests.RequestException as error:
        raise PeerError(f"Telegram could not be reached ({type(error).__name__}).", True) from None
    if len(content) > limit:
        raise PeerError("too_large")
    return path, content
