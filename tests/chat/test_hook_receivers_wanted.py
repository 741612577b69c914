"""chat.hooks: a hook registers an on-commit callback only when a receiver wants to hear
(push without VAPID keys does not), so a message costs no callback for nobody."""

import pytest
from django.test import override_settings

from chat import hooks
from chat.messaging import posting
from chat.visitors import sessions

pytestmark = pytest.mark.django_db

NO_PUSH = {
    "WEBPUSH_VAPID_PUBLIC_KEY": "",
    "WEBPUSH_VAPID_PRIVATE_KEY": "",
    "WEBPUSH_VAPID_SUBJECT": "",
}
PUSH = {
    "WEBPUSH_VAPID_PUBLIC_KEY": "public",
    "WEBPUSH_VAPID_PRIVATE_KEY": "private",
    "WEBPUSH_VAPID_SUBJECT": "mailto:admin@example.com",
}


def say(session, client_id, text="Hello"):
    return posting.post_visitor_message(
        visitor_id=session.visitor.id, visit_id=session.visit.id, client_id=client_id, text=text
    )[0]


@pytest.fixture
def session(site):
    visitor = sessions.start_visitor_session(site=site, token=None, ip=None, user_agent="")
    say(visitor, "open")  # the dialog exists: later messages open nothing
    return visitor


def callbacks_of_one_message(session, capture, client_id):
    with capture() as callbacks:
        say(session, client_id)
    return len(callbacks)


@override_settings(**NO_PUSH)
def test_no_receiver_wanting_it_registers_no_callback(session, django_capture_on_commit_callbacks):
    # The announcement to the sockets only; push is connected but disabled.
    assert hooks.message_posted.receivers  # push/apps.py connected it
    assert callbacks_of_one_message(session, django_capture_on_commit_callbacks, "a") == 1


@override_settings(**PUSH)
def test_an_enabled_receiver_gets_its_callback(session, django_capture_on_commit_callbacks):
    assert callbacks_of_one_message(session, django_capture_on_commit_callbacks, "b") == 2


def test_a_hook_without_receivers_registers_nothing(django_capture_on_commit_callbacks):
    hook = hooks.Hook("lonely")
    with django_capture_on_commit_callbacks() as callbacks:
        hook.send_on_commit(value=1)
    assert callbacks == []


def test_receivers_are_chosen_when_the_change_is_made(django_capture_on_commit_callbacks):
    hook, heard, wanted = hooks.Hook("chosen"), [], {"on": True}
    hook.connect(lambda **kw: heard.append(("sometimes", kw)), active=lambda: wanted["on"])
    hook.connect(lambda **kw: heard.append(("always", kw)))
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        hook.send_on_commit(value=1)
    assert len(callbacks) == 1
    assert heard == [("sometimes", {"value": 1}), ("always", {"value": 1})]
    heard.clear()
    wanted["on"] = False
    hook.send(value=2)
    assert heard == [("always", {"value": 2})]
