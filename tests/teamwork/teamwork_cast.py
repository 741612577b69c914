"""Helpers of the teamwork tests (importable: pytest puts this directory on the path)."""

from chat.dialogs import lifecycle
from chat.messaging import posting
from chat.visitors import sessions


def start_dialog(site, operator=None, *, text="Help"):
    """A visitor's dialog on the site (connected to operator if given): (dialog id, session)."""
    session = sessions.start_visitor_session(site=site, token=None, ip=None, user_agent="")
    message, _ = posting.post_visitor_message(
        visitor_id=session.visitor.id, visit_id=session.visit.id, client_id="v1", text=text
    )
    if operator is not None:
        lifecycle.connect_operator(operator=operator, dialog_id=message.dialog_id)
    return message.dialog_id, session
