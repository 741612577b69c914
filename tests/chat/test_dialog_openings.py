"""chat/dialogs/openings.py: another app's opening message of a dialog, written before the
visitor's first message only when his frame names one, at no cost otherwise."""

import pytest

from chat.dialogs import openings
from chat.messaging import posting
from chat.models import Message
from chat.visitors import sessions

UA = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0"


@pytest.fixture
def opener(monkeypatch):
    """A registered opener that opens with "Hello!" for the value 7 only."""
    calls = []

    def open_with(value, *, dialog):
        calls.append((value, dialog.id))
        return openings.Opening(text="Hello!") if value == 7 else None

    monkeypatch.setattr(openings, "_opener", [])
    openings.register_opener(open_with)
    return calls


def post(site, client_id="c1", **extra):
    session = sessions.start_visitor_session(site=site, token=None, ip=None, user_agent=UA)
    message, _ = posting.post_visitor_message(
        visitor_id=session.visitor.id,
        visit_id=session.visit.id,
        client_id=client_id,
        text="Hi",
        **extra,
    )
    return list(
        Message.objects.filter(dialog_id=message.dialog_id)
        .order_by("id")
        .values_list("author_kind", "operator_id", "text")
    )


@pytest.mark.django_db
def test_a_named_opening_comes_first_by_the_site(site, opener):
    assert post(site, opening=7) == [("operator", None, "Hello!"), ("visitor", None, "Hi")]


@pytest.mark.django_db
def test_no_value_or_an_unknown_one_opens_with_the_visitors_message(site, opener):
    assert post(site) == [("visitor", None, "Hi")]
    assert opener == []  # not even asked
    assert post(site, opening=8) == [("visitor", None, "Hi")]


@pytest.mark.django_db(transaction=True)
def test_no_opening_costs_no_query(site, opener, django_assert_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def cost(**extra):
        session = sessions.start_visitor_session(site=site, token=None, ip=None, user_agent=UA)
        with CaptureQueriesContext(connection) as queries:
            posting.post_visitor_message(
                visitor_id=session.visitor.id,
                visit_id=session.visit.id,
                client_id="c",
                text="Hi",
                **extra,
            )
        return len(queries)

    cost()  # warms what is cached per site (its hours, its routing mode)
    assert cost() == cost(opening=None)
    assert cost(opening=7) == cost() + 1  # the opening's insert; the opener's own reads aside


def test_a_second_opener_is_a_programming_error(opener):
    with pytest.raises(ValueError):
        openings.register_opener(lambda value, *, dialog: None)
