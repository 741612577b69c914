"""The console's Proactive invitations pages: who may see them (tenancy), the form's checks
on hostile or wrong input, the changes, the figures over a period, and fixed query counts."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from chat.messaging import posting
from chat.models import Dialog
from chat.visitors import sessions
from engage.rule_models import InvitationEvent, InvitationRule
from leads.models import Lead

pytestmark = pytest.mark.usefixtures("alice_manages_settings")

UA = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0"

VALID = {
    "name": "Delivery",
    "url_match": "contains",
    "url_pattern": "/delivery",
    "seconds_on_page": "20",
    "visit_kind": "any",
    "device": "any",
    "hours": "any",
    "text": "Hi! I'm {operator_name}. Questions about delivery?",
    "display": "bubble",
    "delay_seconds": "0",
    "frequency": "visit",
    "priority": "5",
}


def list_url(site):
    return reverse("invitations:list", args=[site.id])


@pytest.fixture
def alice_client(client, alice):
    client.force_login(alice.user)
    return client


def test_the_menu_links_the_page_only_for_operators_with_the_flag(
    client, alice, make_operator, site
):
    client.force_login(alice.user)
    assert 'id="invitations-link"' in client.get(reverse("console:mine")).content.decode()
    client.force_login(make_operator(sites=[site]).user)
    assert 'id="invitations-link"' not in client.get(reverse("console:mine")).content.decode()


def test_home_leads_to_his_first_site(alice_client, site):
    response = alice_client.get(reverse("invitations:home"))
    assert response.status_code == 302 and response.url == list_url(site)


def test_home_prefers_his_first_site_that_has_rules(
    alice_client, alice, site, make_site, make_rule
):
    site.name = "Shop"
    site.save(update_fields=["name"])
    blog = make_site(account=site.account, name="Blog")  # first by name, no rules
    alice.sites.add(blog)
    make_rule(site)
    response = alice_client.get(reverse("invitations:home"))
    assert response.status_code == 302 and response.url == list_url(site)


def test_tenancy_another_accounts_operator_and_those_without_the_flag_see_nothing(
    client, site, make_rule, make_operator, make_site
):
    rule = make_rule(site, name="Secret rule")
    stranger = make_operator(can_manage_site_settings=True, sites=[make_site()])
    same_account_not_assigned = make_operator(
        account=site.account, can_manage_site_settings=True, sites=[]
    )
    no_flag = make_operator(sites=[site])
    urls = [
        list_url(site),
        reverse("invitations:add", args=[site.id]),
        reverse("invitations:edit", args=[rule.id]),
    ]
    for operator in (stranger, same_account_not_assigned, no_flag):
        client.force_login(operator.user)
        for url in urls:
            assert client.get(url).status_code == 404, (operator, url)
        for action in ("pause", "delete"):
            url = reverse(f"invitations:{action}", args=[rule.id])
            assert client.post(url, {"paused": "1"}).status_code == 404
    client.force_login(stranger.user)
    home = client.get(reverse("invitations:home"), follow=True)
    assert "Secret rule" not in home.content.decode()
    assert InvitationRule.objects.get(pk=rule.pk).paused is False


def test_add_edit_pause_delete(alice_client, alice, site):
    response = alice_client.post(
        reverse("invitations:add", args=[site.id]), {**VALID, "operator": alice.id}
    )
    assert response.status_code == 302 and response.url == list_url(site)
    rule = InvitationRule.objects.get()
    assert (rule.site, rule.operator, rule.url_pattern, rule.seconds_on_page) == (
        site,
        alice,
        "/delivery",
        20,
    )
    edit = reverse("invitations:edit", args=[rule.id])
    assert alice_client.post(edit, {**VALID, "url_match": "any", "priority": ""}).status_code == 302
    rule.refresh_from_db()
    assert (rule.url_pattern, rule.priority, rule.operator) == ("", 0, None)

    alice_client.post(reverse("invitations:pause", args=[rule.id]), {"paused": "1"})
    assert InvitationRule.objects.get().paused is True
    page = alice_client.get(list_url(site)).content.decode()
    assert "Paused" in page and 'value="0"' in page
    alice_client.post(reverse("invitations:pause", args=[rule.id]), {"paused": "0"})
    assert InvitationRule.objects.get().paused is False
    alice_client.post(reverse("invitations:delete", args=[rule.id]))
    assert not InvitationRule.objects.exists()


@pytest.mark.parametrize(
    "changes, field, words",
    [
        ({"name": ""}, "name", "required"),
        ({"text": "  "}, "text", "required"),
        ({"text": "N {dialog_number} {x}"}, "text", "Unknown placeholder: {dialog_number}, {x}"),
        ({"text": "x" * 1001}, "text", "at most 1000"),
        ({"url_pattern": ""}, "url_pattern", "Write the page address"),
        ({"url_pattern": "/a b"}, "url_pattern", "no spaces"),
        ({"url_pattern": "/x\ty"}, "url_pattern", "no spaces"),
        ({"url_pattern": "x" * 501}, "url_pattern", "at most 500"),
        ({"url_match": "regex"}, "url_match", "not one of the available choices"),
        ({"seconds_on_page": "-1"}, "seconds_on_page", "greater than or equal to 0"),
        ({"seconds_on_page": "99999999"}, "seconds_on_page", "less than or equal to 86400"),
        ({"seconds_on_page": "ten"}, "seconds_on_page", "whole number"),
        ({"languages": "ru, english, <b>"}, "languages", "Not a language code: english, <b>"),
        ({"frequency": "days"}, "frequency_days", "after how many days"),
        ({"frequency": "days", "frequency_days": "0"}, "frequency_days", "greater than or equal"),
        ({"priority": "5000"}, "priority", "less than or equal to 1000"),
        ({"name": "a\x00b"}, "name", "Null characters are not allowed"),
    ],
)
def test_wrong_or_hostile_input_gets_a_clear_error_and_saves_nothing(
    alice_client, site, changes, field, words
):
    response = alice_client.post(reverse("invitations:add", args=[site.id]), {**VALID, **changes})
    assert response.status_code == 200
    assert words in " ".join(response.context["form"].errors[field])
    assert 'id="rule-form-errors"' in response.content.decode()
    assert not InvitationRule.objects.exists()


def test_another_accounts_operator_cannot_sign_an_invitation(
    alice_client, site, make_operator, make_site
):
    stranger = make_operator(sites=[make_site()])
    response = alice_client.post(
        reverse("invitations:add", args=[site.id]), {**VALID, "operator": stranger.id}
    )
    assert "operator" in response.context["form"].errors
    assert not InvitationRule.objects.exists()


def test_a_regex_looking_pattern_is_plain_text_and_every_text_is_escaped(alice_client, site):
    hostile = {
        **VALID,
        "name": "<script>alert(1)</script>",
        "url_match": "glob",
        "url_pattern": "(a+)+$*<img>",
        "text": "<img src=x onerror=alert(1)>",
    }
    assert alice_client.post(reverse("invitations:add", args=[site.id]), hostile).status_code == 302
    rule = InvitationRule.objects.get()
    assert rule.url_pattern == "(a+)+$*<img>"  # stored as typed: only * and ? mean anything
    page = alice_client.get(list_url(site)).content.decode()
    assert "<script>alert(1)" not in page and "&lt;script&gt;alert(1)" in page
    assert "<img src=x" not in page and "&lt;img src=x onerror=alert(1)&gt;" in page
    form = alice_client.get(reverse("invitations:edit", args=[rule.id])).content.decode()
    assert "<script>alert(1)" not in form


def answered_dialog(site, rule, *, lead=False, at=None):
    session = sessions.start_visitor_session(site=site, token=None, ip=None, user_agent=UA)
    message, _ = posting.post_visitor_message(
        visitor_id=session.visitor.id, visit_id=session.visit.id, client_id="c", text="Hi"
    )
    dialog = Dialog.objects.get(pk=message.dialog_id)
    at = at or timezone.now()
    for kind in ("shown", "answered"):
        InvitationEvent.objects.create(
            rule=rule, visitor=session.visitor, visit=session.visit, kind=kind, dialog=dialog, at=at
        )
    if lead:
        Lead.objects.create(
            account=site.account,
            site=site,
            visitor=session.visitor,
            dialog=dialog,
            source="chat",
            name="Ivan",
            phone="+79990000000",
        )
    return session


def shown_only(site, rule, at=None):
    session = sessions.start_visitor_session(site=site, token=None, ip=None, user_agent=UA)
    InvitationEvent.objects.create(
        rule=rule,
        visitor=session.visitor,
        visit=session.visit,
        kind="shown",
        at=at or timezone.now(),
    )


def figures(page, rule):
    item = page.split(f'data-rule="{rule.id}"')[1].split("</li>")[0]
    return {
        name: item.split(f'data-figure="{name}">')[1].split("<")[0].strip()
        for name in ("shown", "answered", "leads")
    }


def test_figures_shown_answered_and_leads_over_the_chosen_period(alice_client, site, make_rule):
    rule = make_rule(site, name="Delivery")
    other = make_rule(site, name="Quiet")
    answered_dialog(site, rule, lead=True)
    answered_dialog(site, rule)
    shown_only(site, rule)
    shown_only(site, rule)
    shown_only(site, rule, at=timezone.now() - timedelta(days=40))  # before the period

    page = alice_client.get(list_url(site)).content.decode()  # the last 30 days
    assert figures(page, rule) == {"shown": "4", "answered": "2", "leads": "1"}
    assert "(50%)" in page and "(25%)" in page  # answered of shown, leads of shown
    assert figures(page, other) == {"shown": "0", "answered": "0", "leads": "0"}

    today = timezone.localdate()
    longer = alice_client.get(
        list_url(site),
        {"date_from": (today - timedelta(days=60)).isoformat(), "date_to": today.isoformat()},
    ).content.decode()
    assert figures(longer, rule)["shown"] == "5"
    wrong = alice_client.get(list_url(site), {"date_from": "2026-05-01", "date_to": "2026-04-01"})
    assert "The end comes before the start." in wrong.content.decode()


def test_the_list_page_has_a_fixed_number_of_queries(alice_client, site, make_rule):
    def count():
        with CaptureQueriesContext(connection) as queries:
            assert alice_client.get(list_url(site)).status_code == 200
        return len(queries)

    rule = make_rule(site, name="first")
    answered_dialog(site, rule, lead=True)
    few = count()
    for n in range(8):
        more = make_rule(site, name=f"r{n}", operator=None)
        answered_dialog(site, more, lead=n % 2 == 0)
        shown_only(site, more)
    assert count() == few


def test_the_form_pages_have_a_fixed_number_of_queries(
    alice_client, site, make_rule, make_operator
):
    rule = make_rule(site)
    url = reverse("invitations:edit", args=[rule.id])
    with CaptureQueriesContext(connection) as before:
        alice_client.get(url)
    for _ in range(5):
        make_operator(sites=[site])
    with CaptureQueriesContext(connection) as after:
        alice_client.get(url)
    assert len(after) == len(before)
