"""The console socket for apps: /ws/console/ with "Authorization: Bearer <token>"
(docs/operator-protocol.md). A small ASGI middleware in front of chat's socket routes, so
chat knows nothing of tokens.

A socket that sends the header is an app's, not a browser's (a page cannot set it): it is
authenticated by its token alone, as the API is, and served by chat's own OperatorConsumer
with scope["user"] the token's user; so the operator's sites and access flags apply as in
his console. An unknown or revoked token gets the consumer's refusal (close code 4401).
Every other socket goes on to chat's routes (session login and the Origin check).
"""

from django.contrib.auth.models import AnonymousUser

from api import tokens
from chat.realtime.consumers.operator import OperatorConsumer
from chat.realtime.db_threads import db_thread

CONSOLE_PATH = "/ws/console/"


def _bearer(scope) -> str | None:
    for name, value in scope.get("headers", []):
        if name.lower() == b"authorization":
            return tokens.bearer_of(value) or ""
    return None


class TokenSockets:
    def __init__(self, inner):
        self.inner = inner
        self.console = OperatorConsumer.as_asgi()

    async def __call__(self, scope, receive, send):
        raw = _bearer(scope) if scope.get("path") == CONSOLE_PATH else None
        if raw is None:
            return await self.inner(scope, receive, send)
        token = await db_thread(tokens.authenticate)(raw)
        user = token.operator.user if token is not None else AnonymousUser()
        scope = {**scope, "user": user}
        return await self.console(scope, receive, send)
