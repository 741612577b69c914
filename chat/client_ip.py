"""The visitor's IP address, for sockets (ASGI scope) and for HTTP requests.

Today: the address of the peer that connected to us. Trusted reverse proxies are
handled here and nowhere else, so every caller gets the same answer.
"""


def ip_from_scope(scope) -> str | None:
    client = scope.get("client")
    return client[0] if client else None


def ip_from_request(request) -> str | None:
    return request.META.get("REMOTE_ADDR") or None
