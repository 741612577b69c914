"""The Leads page's catch-up (leads.views.lead_rows, called by leads.js after every hello
of its socket): the leads received since the page read its list, so that a lead sent
while the page loaded, or while its socket was down, is not lost."""

import datetime
import re

import pytest
from django.utils import timezone

from leads.models import Lead

pytestmark = pytest.mark.django_db

ROWS = "/console/leads/rows/"


@pytest.fixture
def blog(make_site, site):
    return make_site(account=site.account, name="blog.example")


@pytest.fixture
def operator_client(client, make_operator, site, blog):
    client.force_login(make_operator(username="alice", sites=[site, blog]).user)
    return client


def make_lead(site, at, *, source="offline_form", name="Ivan"):
    return Lead.objects.create(
        account=site.account, site=site, source=source, created_at=at, name=name
    )


def leads_in(response) -> list[int]:
    return [int(i) for i in re.findall(r'data-lead="(\d+)"', response.content.decode())]


def page_since(client, query="") -> str:
    html = client.get(f"/console/leads/{query}").content.decode()
    return re.search(r'data-since="([^"]+)"', html).group(1)


def test_a_lead_sent_while_the_page_loaded_comes_with_the_catch_up(operator_client, site):
    now = timezone.now()
    old = make_lead(site, now - datetime.timedelta(hours=1))
    since = page_since(operator_client)
    # Received just before the page's read, committed after it (not on the page).
    late = make_lead(site, now - datetime.timedelta(seconds=5), name="Late <b>Olga</b>")
    newer = make_lead(site, timezone.now())
    response = operator_client.get(ROWS, {"since": since})
    assert response.status_code == 200
    assert leads_in(response) == [newer.id, late.id]
    assert old.id not in leads_in(response)
    assert "Late &lt;b&gt;Olga&lt;/b&gt;" in response.content.decode()
    assert response["X-Total"] == "3"
    # The next catch-up starts from this one's read.
    read_at = datetime.datetime.fromisoformat(response["X-Read-At"])
    assert read_at >= newer.created_at


def test_the_catch_up_keeps_the_page_filter_and_the_operator_sites(
    operator_client, site, blog, make_site
):
    now = timezone.now()
    on_site = make_lead(site, now)
    make_lead(blog, now)
    make_lead(site, now, source="introduce")
    make_lead(make_site(), now)  # another account's
    since = (now - datetime.timedelta(minutes=1)).isoformat()
    response = operator_client.get(
        ROWS, {"since": since, "site": site.id, "source": "offline_form"}
    )
    assert leads_in(response) == [on_site.id]
    assert response["X-Total"] == "1"
    response = operator_client.get(ROWS, {"since": since})
    assert len(leads_in(response)) == 3


@pytest.mark.parametrize("since", ["", "yesterday", "2026-12-06T10:00:00"])
def test_a_bad_cursor_is_refused(operator_client, since):
    assert operator_client.get(ROWS, {"since": since}).status_code == 400


def test_the_catch_up_has_a_fixed_number_of_queries(
    operator_client, site, django_assert_num_queries
):
    since = (timezone.now() - datetime.timedelta(minutes=1)).isoformat()
    make_lead(site, timezone.now())
    operator_client.get(ROWS, {"since": since})  # warm the session
    # Session, user, operator, the count, the rows and their CRM export badges.
    with django_assert_num_queries(6):
        assert len(leads_in(operator_client.get(ROWS, {"since": since}))) == 1
    for n in range(20):
        make_lead(site, timezone.now(), name=f"n{n}")
    with django_assert_num_queries(6):
        assert len(leads_in(operator_client.get(ROWS, {"since": since}))) == 21
