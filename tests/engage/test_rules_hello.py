"""hello["invitations"] (engage/rules.py): the site's active rules with their texts filled
for this visitor, and what the browser cannot know, in a fixed number of queries."""

from datetime import timedelta

import pytest
from django.utils import timezone

from chat.visitors import sessions
from engage import rules, rules_services
from engage.rule_models import InvitationEvent

UA = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0"


def session_on(site, token=None):
    return sessions.start_visitor_session(site=site, token=token, ip="203.0.113.9", user_agent=UA)


def part(site, session, language="en"):
    return rules.hello_part(site=site, session=session, language=language)


@pytest.mark.django_db
def test_only_the_sites_active_rules_best_first_with_placeholders_filled(
    site, alice, make_rule, make_site
):
    make_rule(site, name="paused", paused=True)
    low = make_rule(site, name="low", priority=1, text="Hi {visitor_name}, {unknown}!")
    high = make_rule(
        site,
        name="high",
        priority=9,
        operator=alice,
        text="I am {operator_name} of {site_name} <b>",
        url_match="glob",
        url_pattern="*/delivery/*",
        seconds_on_page=20,
        languages="ru, en",
        display="open",
        frequency="days",
        frequency_days=3,
        delay_seconds=4,
    )
    make_rule(make_site(), name="another site's")
    session = session_on(site)

    got = part(site, session)

    assert [r["id"] for r in got["rules"]] == [high.id, low.id]
    first, second = got["rules"]
    assert first == {
        "id": high.id,
        "priority": 9,
        "conditions": {
            "url_match": "glob",
            "url_pattern": "*/delivery/*",
            "seconds_on_page": 20,
            "languages": ["ru", "en"],
        },
        "delay": 4,
        "frequency": "days",
        "days": 3,
        "display": "open",
        "author": "Alice",
        "text": "I am Alice of shop.example <b>",  # JSON; the widget sets it as text
    }
    nickname = session.visitor.display_name
    assert second["text"] == f"Hi {nickname}, {{unknown}}!"
    assert second["author"] == "shop.example" and second["conditions"] == {}
    assert got["visit_number"] == 1 and got["seconds_on_site"] == 0
    assert got["shown_this_visit"] == [] and got["pending"] is None


@pytest.mark.django_db
def test_the_nickname_in_the_sockets_language(site, make_rule):
    make_rule(site, text="{visitor_name}")
    session = session_on(site)
    with_ru = part(site, session, language="ru")["rules"][0]["text"]
    with_en = part(site, session, language="en")["rules"][0]["text"]
    assert with_ru != with_en


@pytest.mark.django_db
def test_what_the_visitor_was_shown_closed_and_may_still_answer(site, make_rule):
    greeting, delivery = make_rule(site, name="greeting"), make_rule(site, name="delivery")
    first = session_on(site)
    earlier = timezone.now() - timedelta(days=2)
    InvitationEvent.objects.create(
        rule=greeting, visitor=first.visitor, visit=first.visit, kind="shown", at=earlier
    )
    first.visit.last_activity_at = earlier
    first.visit.save()
    again = session_on(site, token=first.visitor.token)  # a new visit
    assert again.visit.id != first.visit.id
    InvitationEvent.objects.create(
        rule=delivery, visitor=again.visitor, visit=again.visit, kind="shown"
    )

    got = part(site, again)

    assert got["visit_number"] == 2
    assert got["shown_this_visit"] == [delivery.id]
    assert set(got["last_shown"]) == {str(greeting.id), str(delivery.id)}
    assert got["last_shown"][str(greeting.id)] == earlier.isoformat()
    assert got["pending"]["id"] == delivery.id  # shown here, not answered: still there
    assert got["closed_this_visit"] is False

    InvitationEvent.objects.create(
        rule=delivery, visitor=again.visitor, visit=again.visit, kind="closed"
    )
    got = part(site, again)
    assert got["closed_this_visit"] is True and got["pending"] is None


@pytest.mark.django_db
def test_a_fixed_number_of_queries_whatever_the_rules_and_history(
    site, make_rule, django_assert_num_queries
):
    session = session_on(site)
    with django_assert_num_queries(1):  # no rules: nothing more to read
        part(site, session)
    with django_assert_num_queries(0):  # ...and the site's rules are cached
        part(site, session)
    for n in range(5):
        rule = make_rule(site, name=f"r{n}")
        for kind in ("shown", "closed", "answered"):
            InvitationEvent.objects.create(
                rule=rule, visitor=session.visitor, visit=session.visit, kind=kind
            )
    rules.forget_site_rules(site.id)
    with django_assert_num_queries(2):  # the rules, the visitor's history
        got = part(site, session)
    assert len(got["rules"]) == 5
    with django_assert_num_queries(1):  # the rules from the cache
        assert part(site, session) == got


@pytest.mark.django_db
def test_every_change_from_the_console_reaches_the_next_hello(site, alice, make_rule):
    session = session_on(site)
    assert part(site, session)["rules"] == []  # cached: no rules
    rule = rules_services.create_rule(site=site, name="New", text="Hi from {operator_name}")
    assert [r["text"] for r in part(site, session)["rules"]] == ["Hi from shop.example"]
    rules_services.update_rule(rule=rule, operator=alice)
    assert [r["text"] for r in part(site, session)["rules"]] == ["Hi from Alice"]
    rules_services.set_paused(rule=rule, paused=True)
    assert part(site, session)["rules"] == []
    rules_services.set_paused(rule=rule, paused=False)
    rules_services.delete_rule(rule=rule)
    assert part(site, session)["rules"] == []
