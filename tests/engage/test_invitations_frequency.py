"""The server's re-check of how often an invitation may show (engage/invitations.may_show),
table-driven like the widget's (tests/engage/rules-match.test.cjs), in one query."""

from datetime import timedelta

import pytest
from django.utils import timezone

from chat.visitors import sessions
from engage import invitations
from engage.rule_models import InvitationEvent

UA = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0"
NOW = timezone.now()

# [frequency, days, earlier events: (which rule, kind, this visit?, days ago), may show]
CASES = [
    ("visit", None, [], True),
    ("visit", None, [("this", "shown", True, 0)], False),
    ("visit", None, [("this", "shown", False, 0)], True),
    ("visitor", None, [("this", "shown", False, 300)], False),
    ("visitor", None, [("other", "shown", True, 0)], True),
    ("days", 3, [("this", "shown", False, 2)], False),
    ("days", 3, [("this", "shown", False, 4)], True),
    ("days", 1, [("this", "shown", True, 0)], False),
    ("visit", None, [("other", "closed", True, 0)], False),  # closed one: none this visit
    ("visit", None, [("other", "closed", False, 0)], True),  # ...in an earlier visit only
    ("visitor", None, [("this", "answered", False, 0)], True),  # only "shown" counts
]


@pytest.mark.django_db
@pytest.mark.parametrize("frequency, days, history, expected", CASES)
def test_may_show(site, make_rule, frequency, days, history, expected, django_assert_num_queries):
    rule = make_rule(site, frequency=frequency, frequency_days=days)
    other = make_rule(site, name="other")
    session = sessions.start_visitor_session(site=site, token=None, ip=None, user_agent=UA)
    earlier = sessions.start_visitor_session(site=site, token=None, ip=None, user_agent=UA).visit
    for which, kind, here, days_ago in history:
        InvitationEvent.objects.create(
            rule=rule if which == "this" else other,
            visitor=session.visitor,
            visit=session.visit if here else earlier,
            kind=kind,
            at=NOW - timedelta(days=days_ago),
        )
    with django_assert_num_queries(1):
        allowed = invitations.may_show(
            rule, visitor_id=session.visitor.id, visit_id=session.visit.id, now=NOW
        )
    assert allowed is expected


@pytest.mark.django_db
def test_closed_recently(site, make_rule):
    rule = make_rule(site)
    session = sessions.start_visitor_session(site=site, token=None, ip=None, user_agent=UA)
    visitor = session.visitor.id
    assert invitations.closed_recently(visitor, 30) is False
    InvitationEvent.objects.create(
        rule=rule, visitor_id=visitor, kind="closed", at=NOW - timedelta(minutes=40)
    )
    assert invitations.closed_recently(visitor, 30) is False
    assert invitations.closed_recently(visitor, 60) is True
