"""History and Leads say how many they found, an empty result too (issue 13, item 6):
"0 dialogs" / "0 диалогов", "0 leads" / "0 заявок", in the language's plural forms."""

import datetime
import json
import re

import pytest
from django.test import Client
from django.utils import timezone

from chat.models import Dialog, Visitor
from leads.models import Lead

pytestmark = pytest.mark.django_db


def client_of(operator):
    client = Client()
    client.force_login(operator.user)
    return client


def closed_dialogs(site, count):
    for number in range(1, count + 1):
        visitor = Visitor.objects.create(site=site, animal="blue-fox", token=f"t-{number}")
        Dialog.objects.create(
            account=site.account, site=site, visitor=visitor, number=number, status="closed"
        )


def leads(site, count):
    Lead.objects.bulk_create(
        Lead(
            account=site.account,
            site=site,
            source="offline_form",
            name="Ivan",
            email="ivan@example.com",
            created_at=timezone.now() - datetime.timedelta(hours=1),
        )
        for _ in range(count)
    )


def history_total(html):
    return re.search(r'id="history-total">([^<]*)<', html).group(1)


def leads_total(html):
    line = re.search(r'<p class="history-total" id="leads-total">(.*?)</p>', html).group(1)
    return re.sub(r"<[^>]+>", "", line)


@pytest.mark.parametrize(
    ("language", "count", "line"),
    [
        ("en", 0, "0 dialogs"),
        ("en", 1, "1 dialog"),
        ("ru", 0, "0 диалогов"),
        ("ru", 1, "1 диалог"),
        ("ru", 3, "3 диалога"),
        ("ru", 5, "5 диалогов"),
    ],
)
def test_history_says_how_many_dialogs_even_none(site, make_operator, language, count, line):
    operator = make_operator(sites=[site], language=language)
    closed_dialogs(site, count)
    html = client_of(operator).get("/console/history/").content.decode()
    assert history_total(html) == line


def test_an_empty_history_has_both_the_count_and_the_explanation(site, alice):
    html = client_of(alice).get("/console/history/", {"q": "nothing like it"}).content.decode()
    assert history_total(html) == "0 dialogs"
    assert "No dialogs match the filter." in html


def test_an_invalid_history_filter_shows_no_count(site, alice):
    html = client_of(alice).get("/console/history/", {"date_from": "yesterday"}).content.decode()
    assert 'id="history-total"' not in html


@pytest.mark.parametrize(
    ("language", "count", "line"),
    [
        ("en", 0, "0 leads"),
        ("en", 1, "1 lead"),
        ("en", 2, "2 leads"),
        ("ru", 0, "0 заявок"),
        ("ru", 1, "1 заявка"),
        ("ru", 3, "3 заявки"),
        ("ru", 5, "5 заявок"),
    ],
)
def test_leads_say_how_many_in_the_plural_form(site, make_operator, language, count, line):
    operator = make_operator(sites=[site], language=language)
    leads(site, count)
    html = client_of(operator).get("/console/leads/").content.decode()
    assert leads_total(html) == line
    assert f'<span id="leads-count">{count}</span>' in html  # leads.js counts on from it


@pytest.mark.parametrize(
    ("language", "forms"),
    [
        ("en", {"one": "lead", "few": "leads", "many": "leads", "other": "leads"}),
        ("ru", {"one": "заявка", "few": "заявки", "many": "заявок", "other": "заявок"}),
    ],
)
def test_leads_give_the_script_every_plural_form(site, make_operator, language, forms):
    """A new lead arriving live turns "1 заявка" into "2 заявки" (leads.js picks the
    form with Intl.PluralRules)."""
    operator = make_operator(sites=[site], language=language)
    html = client_of(operator).get("/console/leads/").content.decode()
    attribute = re.search(r'id="leads-noun" data-forms="([^"]*)"', html).group(1)
    assert json.loads(attribute.replace("&quot;", '"')) == forms
