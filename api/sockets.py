"""The console socket for apps: /ws/console/ with "Authorization: Bearer <token>"
(docs/operator-protocol.md). A small ASGI middleware in front of chat's socket routes, so
chat knows nothing of tokens.

A socket that sends the header is an app's, not a browser's (a page cannot set it): it is
authenticated by its token alone, as the API is, and served by chat's own OperatorConsumer
with scope["user"] the token's user; so the operator's sites and access flags apply as in
his console. An unknown or revoked token gets the consumer's refusal (close code 4401).
An open socket joins its token's group (events.credential_group): when the token is revoked
(api/hooks.py token_revoked, after the commit) every socket it opened, on any server
process, is closed at once with 4401 and the reason "token_revoked".
Every other socket goes on to chat's routes (session login and the Origin check).
"""

import functools

from channels.auth import UserLazyObject
from django.contrib.auth.models import AnonymousUser

from api import tokens
from chat.realtime import console_auth, events
from chat.realtime.consumers.frames import CLOSE_UNAUTHENTICATED
from chat.realtime.consumers.operator import OperatorConsumer

CONSOLE_PATH = "/ws/console/"
TOKEN_KEY = "api_token_id"  # the scope's key for the socket's token


def token_group(token_id: int) -> str:
    return events.credential_group("token", token_id)


def token_groups(scope) -> list[str]:
    """The groups a console socket joins for its token (registered in ApiConfig.ready())."""
    token_id = scope.get(TOKEN_KEY)
    return [token_group(token_id)] if token_id is not None else []


def close_token_sockets(*, token, reason: str) -> None:
    """hooks.token_revoked's receiver: close the token's open sockets, on every process."""
    events.publish((token_group(token.id), events.close_event(CLOSE_UNAUTHENTICATED, reason)))


def _token_user(raw: str, scope):
    """The socket's user: its token's, or anonymous (refused with 4401). Run by the console
    consumer on a database thread, after the handshake; notes the token in the scope."""
    token = tokens.authenticate(raw)
    scope[TOKEN_KEY] = token.id if token is not None else None
    return token.operator.user if token is not None else AnonymousUser()


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
        # The token is looked up by the consumer after it has accepted the handshake
        # (chat/realtime/console_auth.py): a storm of sockets is not dropped at 5 s.
        scope = {
            **scope,
            "user": UserLazyObject(),
            TOKEN_KEY: None,
            console_auth.USER_RESOLVER: functools.partial(_token_user, raw),
        }
        return await self.console(scope, receive, send)
