"""The page and its CSV read the database in a fixed number of queries, whatever the
period holds."""

import datetime

import pytest
from report_dataset import CURRENT, at

from chat.models import Dialog, Message, Visitor
from leads.models import Lead
from reports.models import PresenceChange

pytestmark = pytest.mark.django_db

URL = "/console/reports/"
# session, user, operator (operator_required), the tab counters (tab_members), the
# operator's sites (read by the view, and again by the form's select as it renders), the
# account's tags (the Tag filter's select, tags/report_filter.py), then
# reports.selectors.load: leads, the stored days, the live days' settled dialogs and
# dialogs ended, the unsettled dialogs and their messages, ratings, operators, presence
# changes. The first page that shows a past day stores it (reports.days): one more.
PAGE_QUERIES = 4 + 2 + 1 + 9
CSV_QUERIES = PAGE_QUERIES - 3  # no tab counters, no select rendered
BUILDING = 1


def fill(site, alice, bob, count):
    visitors = Visitor.objects.bulk_create(
        Visitor(site=site, animal="blue-fox") for _ in range(count)
    )
    start = at(23, 0)
    step = datetime.timedelta(days=14) / count  # over both periods
    dialogs = Dialog.objects.bulk_create(
        Dialog(
            account=site.account,
            site=site,
            visitor=visitor,
            number=n + 1,
            status="closed",
            created_at=start - datetime.timedelta(days=7) + n * step,
            last_message_at=start,
            closed_at=start - datetime.timedelta(days=7) + n * step + datetime.timedelta(minutes=9),
            closed_automatically=n % 3 == 0,
            missed_at=None if n % 5 else start,
        )
        for n, visitor in enumerate(visitors)
    )
    messages = []
    for n, d in enumerate(dialogs):
        operator = alice if n % 2 else bob
        messages += [
            Message(dialog=d, author_kind="visitor", text="hi", created_at=d.created_at),
            Message(
                dialog=d,
                author_kind="operator",
                operator=operator,
                text="hello",
                created_at=d.created_at + datetime.timedelta(seconds=30 + n % 100),
            ),
            Message(
                dialog=d,
                author_kind="visitor",
                text="?",
                created_at=d.created_at + datetime.timedelta(minutes=2),
            ),
            Message(
                dialog=d,
                author_kind="operator",
                operator=operator,
                text="!",
                created_at=d.created_at + datetime.timedelta(minutes=3),
            ),
        ]
    Message.objects.bulk_create(messages, batch_size=2000)
    Lead.objects.bulk_create(
        Lead(account=site.account, site=site, dialog=d, source="introduce", created_at=d.created_at)
        for d in dialogs[::7]
    )
    PresenceChange.objects.bulk_create(
        PresenceChange(
            operator=alice if n % 4 < 2 else bob,
            online=n % 2 == 0,
            status="online",
            at=start - datetime.timedelta(days=7) + n * step,
        )
        for n in range(min(count, 400))
    )
    return dialogs


@pytest.mark.parametrize("count", [10, 10_000])
def test_the_page_costs_the_same_queries_whatever_the_data(
    client, site, alice, bob, count, django_assert_num_queries
):
    fill(site, alice, bob, count)
    client.force_login(alice.user)
    figures = []
    for queries in (PAGE_QUERIES + BUILDING, PAGE_QUERIES):  # past days stored, then read
        with django_assert_num_queries(queries):
            response = client.get(URL, CURRENT)
        assert response.status_code == 200
        report = response.context["report"]
        figures.append([(f.current, f.previous) for f in report.summary])
        started = {f.key: f for f in report.summary}["started"]
        assert started.current + started.previous == count
    assert figures[0] == figures[1]


@pytest.mark.parametrize("count", [10, 2_000])
@pytest.mark.parametrize("table", ["summary", "operators", "daily", "heatmap"])
def test_each_csv_costs_the_same_queries_whatever_the_data(
    client, site, alice, bob, count, table, django_assert_num_queries
):
    fill(site, alice, bob, count)
    client.force_login(alice.user)
    content = []
    for queries in (CSV_QUERIES + BUILDING, CSV_QUERIES):
        with django_assert_num_queries(queries):
            response = client.get(f"{URL}{table}.csv", CURRENT)
        assert response.status_code == 200
        content.append(response.content)
    assert content[0] == content[1]
