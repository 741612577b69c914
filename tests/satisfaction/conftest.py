"""Satisfaction fixtures: a visitor's dialog answered by Alice, ended or not."""

import pytest

from chat.dialogs import lifecycle
from chat.messaging import posting
from chat.models import Dialog
from chat.visitors import sessions
from satisfaction.models import RatingSettings

UA = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0"


@pytest.fixture
def make_dialog(alice):
    """make(site, ended=True, token=None) -> the dialog (its visitor's token is
    dialog.visitor.token)."""

    def make(site, *, ended=True, token=None, operator=alice):
        session = sessions.start_visitor_session(
            site=site, token=token, ip="203.0.113.5", user_agent=UA
        )
        message, _ = posting.post_visitor_message(
            visitor_id=session.visitor.id,
            visit_id=session.visit.id,
            client_id=f"c{session.visitor.id}-{session.visit.id}",
            text="Do you deliver on Sunday?",
        )
        lifecycle.connect_operator(operator=operator, dialog_id=message.dialog_id)
        posting.post_operator_message(
            operator=operator, dialog_id=message.dialog_id, client_id="o1", text="Yes, until 6 pm."
        )
        if ended:
            lifecycle.end_dialog(operator=operator, dialog_id=message.dialog_id)
        return Dialog.objects.select_related("site", "visitor").get(pk=message.dialog_id)

    return make


@pytest.fixture
def dialog(make_dialog, site):
    return make_dialog(site)


@pytest.fixture
def thumbs(site):
    return RatingSettings.objects.create(site=site, scale="thumbs", change_minutes=5)
