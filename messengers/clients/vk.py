"""The VK API methods we use (dev.vk.com/ru/method), over plain `requests`: a community's
messages are two documented calls, no SDK needed. Answers are {"response": ...} or
{"error": {"error_code": N, "error_msg": "..."}} with HTTP 200."""

import requests
from django.conf import settings

from messengers.clients.errors import PeerError

API_VERSION = "5.199"
# 6: too many requests per second; 9: flood control; 10: internal server error.
TEMPORARY_CODES = {6, 9, 10}
# VK says nothing of how long to wait; these codes wait at least this long.
FLOOD_WAIT_SECONDS = {6: 1.0, 9: 60.0}


def call(token: str, method: str, params: dict, base: str | None = None) -> object:
    data = {**params, "access_token": token, "v": API_VERSION}
    try:
        response = requests.post(
            f"{(base or settings.VK_API_BASE).rstrip('/')}/method/{method}",
            data=data,
            timeout=settings.MESSENGERS_HTTP_TIMEOUT_SECONDS,
        )
    except requests.RequestException as error:
        raise PeerError(f"VK could not be reached ({type(error).__name__}).", True) from None
    if response.status_code >= 500 or response.status_code == 429:
        raise PeerError(f"HTTP {response.status_code}", True)
    try:
        body = response.json()
    except ValueError:
        raise PeerError(f"HTTP {response.status_code}: not JSON", True) from None
    if "error" in body:
        error = body["error"] or {}
        code = error.get("error_code")
        message = f"{code}: {error.get('error_msg', '')}"[:400]
        raise PeerError(message, code in TEMPORARY_CODES, FLOOD_WAIT_SECONDS.get(code))
    return body.get("response")


def get_group(token: str, group_id: str) -> dict:
    groups = call(token, "groups.getById", {"group_id": group_id})
    if isinstance(groups, dict):  # API 5.199: {"groups": [...]}
        groups = groups.get("groups")
    if not groups:
        raise PeerError("The community was not found.")
    return groups[0]


def send_message(token, peer_id, text, *, random_id: int, base: str | None = None) -> object:
    """random_id: VK drops a second message with the same one (our delivery's id), so a
    retry after a lost answer is not sent twice."""
    params = {"peer_id": peer_id, "message": text, "random_id": random_id}
    return call(token, "messages.send", params, base)
