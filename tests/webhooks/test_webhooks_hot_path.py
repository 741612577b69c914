"""A message costs no query more with webhooks installed while its account has no endpoint
(the listeners are cached; chat's counts in tests/chat/test_message_store.py stand), and
the cold cache costs exactly one cheap check."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from chat.messaging import posting
from webhooks import receivers, subscriptions

pytestmark = pytest.mark.django_db

_ids = iter(range(1, 1_000_000))


def say(session, text="Hello"):
    return posting.post_visitor_message(
        visitor_id=session.visitor.id,
        visit_id=session.visit.id,
        client_id=f"m{next(_ids)}",
        text=text,
    )


def queries_of(session, capture_on_commit) -> int:
    with CaptureQueriesContext(connection) as queries, capture_on_commit(execute=True):
        say(session)
    return len(queries)


@pytest.fixture
def without_webhooks():
    """Chat alone: webhooks' receivers disconnected for the block."""

    class Off:
        def __enter__(self):
            for hook, receiver, _event in receivers.CONNECTIONS:
                hook.disconnect(receiver)

        def __exit__(self, *exc):
            receivers.connect()

    return Off


@pytest.mark.parametrize("someone_else_listens", [False, True])
def test_a_message_costs_what_it_cost_without_webhooks(
    start_dialog,
    make_endpoint,
    make_account,
    without_webhooks,
    someone_else_listens,
    django_assert_num_queries,
    django_capture_on_commit_callbacks,
):
    if someone_else_listens:  # another account's endpoint: the hook is heard, then dropped
        make_endpoint("http://127.0.0.1:9/", account=make_account())
    session, _dialog = start_dialog()
    subscriptions.listeners()  # warm, as after the first message of any dialog
    with without_webhooks():
        baseline = queries_of(session, django_capture_on_commit_callbacks)
    with (
        django_assert_num_queries(baseline),
        django_capture_on_commit_callbacks(execute=True) as callbacks,
    ):
        say(session)
    assert len(callbacks) >= 1


def test_nobody_listening_registers_no_callback(start_dialog, django_capture_on_commit_callbacks):
    session, _dialog = start_dialog()
    with django_capture_on_commit_callbacks() as callbacks:
        say(session)
    with django_capture_on_commit_callbacks() as without:
        for hook, receiver, _event in receivers.CONNECTIONS:
            hook.disconnect(receiver)
        try:
            say(session)
        finally:
            receivers.connect()
    assert len(callbacks) == len(without)


def test_a_cold_cache_costs_one_cheap_check(
    start_dialog, without_webhooks, django_capture_on_commit_callbacks
):
    session, _dialog = start_dialog()
    with without_webhooks():
        baseline = queries_of(session, django_capture_on_commit_callbacks)
    subscriptions.forget()
    assert queries_of(session, django_capture_on_commit_callbacks) == baseline + 1
    assert queries_of(session, django_capture_on_commit_callbacks) == baseline
