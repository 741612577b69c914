"""Webhook fixtures: Celery in-process (crm's pattern), private hosts allowed (the receiver
is on 127.0.0.1), a real local receiver, a dialog and an endpoint maker."""

import pytest

from chat.dialogs import lifecycle
from chat.messaging import posting
from chat.visitors import sessions
from tests.webhooks.webhook_receiver import Receiver
from webhooks import events, services
from webhooks.models import Endpoint


@pytest.fixture(autouse=True)
def eager_celery(settings, celery_in_process):
    """Tasks run in the test process (tests/conftest.py)."""
    settings.WEBHOOKS_ALLOW_PRIVATE_HOSTS = True
    settings.WEBHOOKS_RETRY_MAX = 3


@pytest.fixture
def receiver():
    server = Receiver()
    yield server
    server.close()


@pytest.fixture
def make_endpoint(site):
    def make(url, *, account=None, names=None, **fields):
        endpoint = Endpoint(
            account=account or site.account,
            url=url,
            events=list(names if names is not None else events.NAMES),
            **fields,
        )
        return services.save_endpoint(endpoint)

    return make


@pytest.fixture
def start_dialog(site, alice):
    def start(text="Hello, do you deliver on Sunday?"):
        session = sessions.start_visitor_session(
            site=site, token=None, ip="203.0.113.5", user_agent=""
        )
        message, _ = posting.post_visitor_message(
            visitor_id=session.visitor.id, visit_id=session.visit.id, client_id="c1", text=text
        )
        lifecycle.connect_operator(operator=alice, dialog_id=message.dialog_id)
        return session, message.dialog

    return start
