"""With facts written (all, or some), the page and its CSV still cost the same queries
whatever the period holds (test_query_counts.py: with none)."""

import pytest
from report_dataset import CURRENT
from test_query_counts import BUILDING, CSV_QUERIES, PAGE_QUERIES, fill

from reports import facts
from reports.models import DialogFacts

pytestmark = pytest.mark.django_db

URL = "/console/reports/"


@pytest.mark.parametrize("count", [10, 10_000])
@pytest.mark.parametrize("share", ["all", "half"])
def test_the_page_with_facts_costs_the_same_queries(
    client, site, alice, bob, count, share, django_assert_num_queries
):
    dialogs = fill(site, alice, bob, count)
    facts.rebuild()
    if share == "half":
        DialogFacts.objects.filter(dialog_id__in=[d.id for d in dialogs[::2]]).delete()
    client.force_login(alice.user)
    for queries in (PAGE_QUERIES + BUILDING, PAGE_QUERIES):  # past days stored, then read
        with django_assert_num_queries(queries):
            response = client.get(URL, CURRENT)
        assert response.status_code == 200
        summary = {f.key: f for f in response.context["report"].summary}
        assert summary["started"].current + summary["started"].previous == count
        # Every fill() dialog has two operator messages, read from facts or walked.
        assert summary["messages"].current + summary["messages"].previous == 2 * count


@pytest.mark.parametrize("count", [10, 2_000])
def test_the_csv_with_facts_costs_the_same_queries(
    client, site, alice, bob, count, django_assert_num_queries
):
    fill(site, alice, bob, count)
    facts.rebuild()
    client.force_login(alice.user)
    for queries in (CSV_QUERIES + BUILDING, CSV_QUERIES):
        with django_assert_num_queries(queries):
            response = client.get(f"{URL}summary.csv", CURRENT)
        assert response.status_code == 200
