"""The console socket's session login, resolved after the handshake is accepted.

Channels' ``AuthMiddlewareStack`` loads the session and its user before the consumer runs,
on Django's one shared thread (``database_sync_to_async`` is thread-sensitive): when many
consoles open at once (a shift starting, a restart under open tabs) their lookups queue
there one at a time, behind every sync view, and Daphne drops each handshake not accepted
within 5 s (docs/performance.md, "Authenticated connect storm"). Here the middleware only
puts the session and an unresolved user in the scope; ``OperatorConsumer.connect`` accepts
the handshake first, then resolves both on a database thread (chat/realtime/db_threads.py)
with Channels' own ``get_user``, so the login rules (backend, session hash) are Channels'.
A socket whose scope already carries a resolved user keeps it; another app may leave the
user unresolved with a resolver of its own under USER_RESOLVER (api/sockets.py: an access
token's socket), called the same way, after the handshake, on the database thread.
"""

from channels.auth import AuthMiddleware, UserLazyObject, get_user
from channels.sessions import CookieMiddleware, SessionMiddleware
from django.utils.functional import empty

from chat.console import selectors
from chat.realtime import extensions

# scope[USER_RESOLVER](scope) -> the socket's user, instead of the session's (sync).
USER_RESOLVER = "console_user_resolver"


class DeferredAuthMiddleware(AuthMiddleware):
    """scope["user"] stays unresolved until ``console_operator`` (on a database thread)."""

    async def resolve_scope(self, scope):
        return None


def ConsoleAuthMiddlewareStack(inner):  # noqa: N802 (as Channels' AuthMiddlewareStack)
    return CookieMiddleware(SessionMiddleware(DeferredAuthMiddleware(inner)))


def resolve_user(scope):
    """The scope's user, resolved (by the scope's resolver, or from its session) if the
    middleware left it unresolved."""
    user = scope.get("user")
    if isinstance(user, UserLazyObject) and user._wrapped is empty:
        resolver = scope.get(USER_RESOLVER)
        # Channels' lookup undecorated: on this thread, not Django's shared one.
        user._wrapped = resolver(scope) if resolver else get_user.func(scope)
    return user


def console_operator(scope):
    """The operator the socket is signed in as, or None (no session or token, not an
    operator, or another app's gate holds it back): one database-thread call."""
    user = resolve_user(scope)
    if user is None:
        return None
    operator = selectors.operator_for_user(user)
    if operator is None or not extensions.console_gates_admit(scope):
        return None
    return operator
