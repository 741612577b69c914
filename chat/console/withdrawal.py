"""An operator who may no longer use the console loses his open sockets at once.

He may not once his user is deactivated (User.is_active=False) or his operator profile is
removed from the account (deleted, or moved to another account): the admin's pages call
withdraw() (chat/admin.py). After the commit, hooks.operator_access_withdrawn closes every
console socket of his, on every server process, with 4401 and the reason: those of his
browser session and those an app opened with an access token (api/sockets.py) alike, as
each joins events.operator_group. New ones are refused by the consumer itself: a
deactivated user's session is anonymous (Django's ModelBackend), his tokens authenticate
nothing (api/tokens.py), and a user without an operator profile gets no console
(selectors.operator_for_user)."""

from chat import hooks
from chat.realtime import events
from chat.realtime.consumers.frames import CLOSE_UNAUTHENTICATED

DEACTIVATED = "operator_deactivated"
REMOVED = "operator_removed"


def withdraw(operator_ids, *, reason: str) -> None:
    """Close the operators' console sockets once the current transaction commits."""
    operator_ids = sorted({operator_id for operator_id in operator_ids if operator_id})
    if operator_ids:
        hooks.operator_access_withdrawn.send_on_commit(operator_ids=operator_ids, reason=reason)


def close_operator_sockets(*, operator_ids, reason: str) -> None:
    """hooks.operator_access_withdrawn's receiver (ChatConfig.ready): one trip for all."""
    close = events.close_event(CLOSE_UNAUTHENTICATED, reason)
    events.publish(*((events.operator_group(operator_id), close) for operator_id in operator_ids))
