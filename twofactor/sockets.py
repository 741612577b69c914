"""The console socket's gate (chat.realtime.extensions.register_console_gate): a session
that still owes its second factor, or owes setting it up, gets no console socket."""

from django.contrib.auth import SESSION_KEY

from twofactor import state


def console_gate(scope) -> bool:
    session = scope.get("session")
    user = scope.get("user")
    if session is None or user is None or not user.is_authenticated:
        return True  # no signed-in session: the consumer refuses on its own
    if session.get(SESSION_KEY) != str(user.pk):
        # Authenticated some other way (a personal access token): judged by that.
        return True
    return state.passed(session, user)
