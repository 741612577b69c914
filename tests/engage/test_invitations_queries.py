"""The socket handlers of invitations and the dialog opener cost a fixed number of queries,
whatever the visitor's history; the admin edits rules with the console's checks."""

import pytest
from django.urls import reverse

from chat.messaging import posting
from chat.models import Message
from chat.visitors import sessions
from engage import invitations
from engage.rule_models import InvitationEvent, InvitationRule

UA = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0"


def visitor_on(site):
    return sessions.start_visitor_session(site=site, token=None, ip=None, user_agent=UA)


def ids(session, site):
    return {"visitor_id": session.visitor.id, "visit_id": session.visit.id, "site_id": site.id}


@pytest.mark.django_db
@pytest.mark.parametrize("history", [0, 30])
def test_the_frames_cost_a_fixed_number_of_queries(
    site, make_rule, django_assert_num_queries, history
):
    rules = [make_rule(site, name=f"r{n}") for n in range(3)]
    session = visitor_on(site)
    for n in range(history):
        InvitationEvent.objects.create(rule=rules[n % 2], visitor=session.visitor, kind="shown")
    rule = rules[2]
    # The rule, the visitor's row lock, the frequency check, the record; and the savepoint
    # pair of its transaction inside the test's.
    with django_assert_num_queries(6):
        answer = invitations.invitation_shown({"rule": rule.id}, **ids(session, site))
    assert answer["shown"] is True
    with django_assert_num_queries(5):  # shown here? closed already? the record; savepoints
        invitations.invitation_closed({"rule": rule.id}, **ids(session, site))
    assert invitations.closed_recently(session.visitor.id, 5)


@pytest.mark.django_db
def test_an_answered_invitation_costs_three_queries_more_than_a_plain_first_message(
    site, alice, make_rule, django_assert_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    rule = make_rule(site, operator=alice, text="Hi, {operator_name} here")

    def first_message(**extra):
        session = visitor_on(site)
        InvitationEvent.objects.create(
            rule=rule, visitor=session.visitor, visit=session.visit, kind="shown"
        )
        with CaptureQueriesContext(connection) as queries:
            message, _ = posting.post_visitor_message(
                visitor_id=session.visitor.id,
                visit_id=session.visit.id,
                client_id="c",
                text="Hello",
                **extra,
            )
        return len(queries), message

    first_message()  # warms what is cached per site (its business hours)
    plain, _ = first_message()
    answered, message = first_message(opening=rule.id)
    # The shown invitation (with its rule, operator, site, visitor), the "answered" record,
    # the opening message.
    assert answered == plain + 3
    opening = Message.objects.filter(dialog_id=message.dialog_id).order_by("id").first()
    assert (opening.operator, opening.text) == (alice, "Hi, Alice here")


@pytest.mark.django_db
def test_the_admin_uses_the_consoles_checks(admin_client, site, alice):
    url = reverse("admin:engage_invitationrule_add")
    fields = {
        "site": site.id,
        "name": "Delivery",
        "url_match": "glob",
        "url_pattern": "",
        "visit_kind": "any",
        "device": "any",
        "hours": "any",
        "text": "Order {dialog_number}",
        "display": "bubble",
        "delay_seconds": 0,
        "frequency": "visit",
        "priority": 0,
    }
    response = admin_client.post(url, fields)
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert "url_pattern" in errors and "text" in errors
    response = admin_client.post(
        url, {**fields, "url_pattern": "*/delivery/*", "text": "Hi!", "operator": alice.id}
    )
    assert response.status_code == 302
    assert InvitationRule.objects.get().operator == alice
    assert admin_client.get(reverse("admin:engage_invitationrule_changelist")).status_code == 200
    assert admin_client.get(reverse("admin:engage_invitationevent_changelist")).status_code == 200
