"""The console's Leads page: who sees which leads, filters, count, pages, query count, the
CSV export and a lead's detail with its dialog."""

import csv
import datetime
import io

import pytest
from django.utils import timezone

from chat.models import Dialog, Message, Participant, Visitor
from leads.models import Lead

pytestmark = pytest.mark.django_db

URL = "/console/leads/"
EXPORT = "/console/leads/export.csv"
# Per page, whatever the row count: session, user, operator, the tab counters, the
# total, the rows (with site and dialog), the site choices and the tag choices.
PAGE_QUERIES = 8
# The CRM export badges (crm_tags.lead_export_states): one query for the page of leads.
PAGE_QUERIES += 1


@pytest.fixture
def blog(make_site, site):
    return make_site(account=site.account, name="blog.example")


@pytest.fixture
def alice(make_operator, site, blog):
    return make_operator(username="alice", display_name="Alice", sites=[site, blog])


@pytest.fixture
def bob(make_operator, site):
    return make_operator(username="bob", display_name="Bob", sites=[site])


def make_lead(site, *, ago=datetime.timedelta(hours=1), source="offline_form", **fields):
    fields.setdefault("name", "Ivan")
    fields.setdefault("email", "ivan@example.com")
    fields.setdefault("message", "Call me back")
    return Lead.objects.create(
        account=site.account,
        site=site,
        source=source,
        created_at=timezone.now() - ago,
        **fields,
    )


def listed(response) -> list[int]:
    return [lead.id for lead in response.context["page"].object_list]


def test_operators_see_the_leads_of_their_sites_only(
    client, site, blog, alice, bob, make_site, make_operator
):
    mine = make_lead(site)
    on_blog = make_lead(blog)
    stranger_site = make_site()  # another account
    make_lead(stranger_site)
    mallory = make_operator(sites=[stranger_site])

    client.force_login(alice.user)
    assert set(listed(client.get(URL))) == {mine.id, on_blog.id}
    client.force_login(bob.user)
    assert listed(client.get(URL)) == [mine.id]
    client.force_login(mallory.user)
    response = client.get(URL)
    assert mine.id not in listed(response) and on_blog.id not in listed(response)


def test_only_operators_may_open_the_page(client, make_user):
    assert client.get(URL).status_code == 302  # to the login page
    client.force_login(make_user())
    assert client.get(URL).status_code == 403


def test_the_default_is_the_last_week_newest_first_with_the_count(alice_client, site):
    old = make_lead(site, ago=datetime.timedelta(days=8))
    week = make_lead(site, ago=datetime.timedelta(days=6))
    today = make_lead(site, ago=datetime.timedelta(minutes=5))

    response = alice_client.get(URL)

    assert listed(response) == [today.id, week.id]
    html = response.content.decode()
    assert '<span id="leads-count">2</span>' in html
    assert 'data-live="1"' in html  # new leads will appear live
    assert old.id in listed(alice_client.get(URL, {"date_from": "", "date_to": ""}))


def test_filters_by_date_site_and_source(alice_client, site, blog):
    two_days = make_lead(site, ago=datetime.timedelta(days=2))
    on_blog = make_lead(blog, source="introduce")
    make_lead(site)
    day = (timezone.localdate() - datetime.timedelta(days=2)).isoformat()

    by_date = alice_client.get(URL, {"date_from": day, "date_to": day})
    assert listed(by_date) == [two_days.id]
    assert 'data-live="1"' not in by_date.content.decode()  # today is outside the range
    assert listed(alice_client.get(URL, {"site": blog.id})) == [on_blog.id]
    assert listed(alice_client.get(URL, {"source": "introduce"})) == [on_blog.id]


def test_a_site_of_another_operator_is_not_a_choice(alice_client, make_site):
    other = make_site()
    response = alice_client.get(URL, {"site": other.id})
    assert response.context["page"] is None
    assert "Select a valid choice" in response.content.decode()


def test_wrong_dates_are_explained(alice_client):
    response = alice_client.get(URL, {"date_from": "2026-05-02", "date_to": "2026-05-01"})
    assert response.context["page"] is None
    assert "The end date is before the start date." in response.content.decode()


@pytest.mark.parametrize("count", [5, 200])
def test_the_page_costs_the_same_queries_whatever_the_rows(
    alice_client, site, count, django_assert_num_queries
):
    visitor = Visitor.objects.create(site=site, animal="blue-fox")
    for number in range(count):
        dialog = Dialog.objects.create(
            account=site.account, site=site, visitor=visitor, number=number + 1, status="closed"
        )
        make_lead(site, dialog=dialog, visitor=visitor, name=f"Lead {number}")

    with django_assert_num_queries(PAGE_QUERIES):
        response = alice_client.get(URL)

    assert response.status_code == 200
    assert len(listed(response)) == min(count, 50)
    assert f'<span id="leads-count">{count}</span>' in response.content.decode()


def test_rows_link_to_the_lead_and_its_dialog_and_escape_everything(alice_client, site):
    visitor = Visitor.objects.create(site=site, animal="blue-fox")
    dialog = Dialog.objects.create(account=site.account, site=site, visitor=visitor, number=7)
    lead = make_lead(site, dialog=dialog, name="<script>x</script>", message="<img src=x>")

    html = alice_client.get(URL).content.decode()

    assert f'href="/console/leads/{lead.id}/"' in html
    assert f'href="/console/dialogs/{dialog.id}/">#7</a>' in html
    assert "<script>x</script>" not in html and "&lt;script&gt;x&lt;/script&gt;" in html
    assert "<img src=x>" not in html


def test_the_leads_tab_is_in_the_console(alice_client):
    html = alice_client.get("/console/").content.decode()
    assert 'href="/console/leads/"' in html
    html = alice_client.get(URL).content.decode()
    assert 'class="tab active" href="/console/leads/" aria-current="page"' in html


# --- CSV export ---------------------------------------------------------------------------


def read_csv(response) -> list[list[str]]:
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")  # the BOM: Excel reads the file as UTF-8
    return list(csv.reader(io.StringIO(text[1:])))


def test_the_export_has_the_filtered_leads_with_formulas_neutralised(alice_client, site, blog):
    make_lead(site, name='=HYPERLINK("http://evil")', phone="+79123456789", message="-1+1")
    make_lead(site, name="Анна", email="anna@example.com", message="@SUM(A1)\tx")
    make_lead(blog, name="On the blog")
    make_lead(site, name="Too old", ago=datetime.timedelta(days=30))

    response = alice_client.get(EXPORT, {"site": site.id})

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="leads-')
    rows = read_csv(response)
    assert rows[0][:7] == ["Received", "Site", "Source", "Name", "Email", "Phone", "Message"]
    names = [row[3] for row in rows[1:]]
    assert names == ["Анна", '\'=HYPERLINK("http://evil")']
    assert rows[2][5] == "'+79123456789"  # a phone number starts with + too
    assert rows[2][6] == "'-1+1"
    assert rows[1][6] == "'@SUM(A1)\tx"


def test_the_export_is_refused_for_other_operators_and_bad_filters(
    client, alice_client, site, make_operator, make_site
):
    make_lead(site, name="Secret")
    stranger = make_operator(sites=[make_site()])
    client.force_login(stranger.user)
    assert "Secret" not in client.get(EXPORT).content.decode()
    response = alice_client.get(EXPORT, {"date_from": "nonsense"})
    assert response.status_code == 400


def test_the_export_costs_the_same_queries_whatever_the_rows(
    alice_client, site, django_assert_num_queries
):
    for number in range(30):
        make_lead(site, name=f"Lead {number}")
    # session, user, operator, the rows
    with django_assert_num_queries(4):
        response = alice_client.get(EXPORT)
    assert len(read_csv(response)) == 31


# --- detail -------------------------------------------------------------------------------


def test_the_detail_shows_the_lead_and_its_dialog(alice_client, site):
    visitor = Visitor.objects.create(site=site, animal="blue-fox")
    dialog = Dialog.objects.create(account=site.account, site=site, visitor=visitor, number=3)
    Message.objects.create(dialog=dialog, author_kind="visitor", text="Do you ship to Kazan?")
    lead = make_lead(
        site,
        dialog=dialog,
        visitor=visitor,
        source="introduce",
        phone="+79123456789",
        page_url="https://shop.example/cart",
        ip="203.0.113.7",
    )

    response = alice_client.get(f"/console/leads/{lead.id}/")

    html = response.content.decode()
    assert response.status_code == 200
    for text in ("Ivan", "ivan@example.com", "+79123456789", "https://shop.example/cart"):
        assert text in html
    assert "203.0.113.7" in html
    assert "Do you ship to Kazan?" in html
    assert f'href="/console/dialogs/{dialog.id}/" id="lead-dialog-link"' in html


def test_a_colleagues_active_dialog_is_not_shown_without_the_flag(site, client, bob, make_operator):
    carol = make_operator(sites=[site])
    visitor = Visitor.objects.create(site=site, animal="blue-fox")
    dialog = Dialog.objects.create(
        account=site.account, site=site, visitor=visitor, number=3, status="active"
    )
    Participant.objects.create(dialog=dialog, operator=carol, joined_at=timezone.now())
    Message.objects.create(dialog=dialog, author_kind="visitor", text="Private words")
    lead = make_lead(site, dialog=dialog)

    client.force_login(bob.user)
    html = client.get(f"/console/leads/{lead.id}/").content.decode()

    assert "Private words" not in html
    assert "lead-dialog-link" not in html


def test_the_detail_is_refused_to_other_sites_and_accounts(
    client, site, blog, bob, make_operator, make_site
):
    on_blog = make_lead(blog)
    client.force_login(bob.user)  # serves the shop only
    assert client.get(f"/console/leads/{on_blog.id}/").status_code == 403
    client.force_login(make_operator(sites=[make_site()]).user)
    assert client.get(f"/console/leads/{on_blog.id}/").status_code == 403
    assert client.get("/console/leads/999999/").status_code == 404
