"""The Reports page in the admin (/admin/reports/report/): who may see it, one account at
a time, the same figures as the console's, a fixed number of queries, its CSV tables."""

import csv
import io

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from report_dataset import CURRENT, at, dialog, say
from test_query_counts import fill

from reports import facts
from reports.models import Report as ReportEntry

pytestmark = pytest.mark.django_db

URL = "/admin/reports/report/"
PAGES = [
    URL,
    URL + "summary.csv",
    URL + "operators.csv",
    URL + "daily.csv",
    URL + "heatmap.csv",
    URL + "definitions/",
]


@pytest.fixture
def staff(make_user):
    user = make_user(username="staff")
    user.is_staff = True
    user.save()
    return user


@pytest.fixture
def superuser(make_user):
    user = make_user(username="root")
    user.is_staff = user.is_superuser = True
    user.save()
    return user


def grant(user):
    user.user_permissions.add(Permission.objects.get(codename="view_report"))
    return type(user).objects.get(pk=user.pk)  # a fresh permission cache


def query(site, **more):
    return {**CURRENT, "account": site.account_id, "site": site.id, **more}


def figures(response) -> dict:
    report = response.context["report"]
    return {f.key: (f.current, f.previous) for f in report.summary}


def operator_figures(response) -> dict:
    return {
        row["operator"].id: [(f.key, f.current, f.previous) for f in row["figures"]]
        for row in response.context["report"].operators
    }


@pytest.mark.parametrize("path", PAGES)
def test_staff_without_the_permission_is_refused(client, staff, month, site, path):
    client.force_login(staff)
    response = client.get(path, query(site))
    assert response.status_code == 403
    assert b"Dialogs started" not in response.content


@pytest.mark.parametrize("path", PAGES)
def test_an_operator_with_the_console_flag_but_no_admin_is_sent_to_the_admin_login(
    client, alice, path
):
    client.force_login(alice.user)  # can_see_reports, not staff
    response = client.get(path)
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_staff_with_the_permission_sees_the_report(client, staff, month, site):
    client.force_login(grant(staff))
    response = client.get(URL, query(site))
    assert response.status_code == 200
    assert figures(response)["started"][0] > 0


def test_the_admin_index_lists_reports(client, superuser):
    client.force_login(superuser)
    html = client.get("/admin/").content.decode()
    assert f'href="{URL}"' in html


def test_superuser_sees_any_account_and_never_two_at_once(
    client, superuser, site, make_site, make_operator
):
    other = make_site(name="shop-b.example")
    carol = make_operator(sites=[other], username="carol")
    for n in range(3):
        d = dialog(other, at(24, 10 + n), closed=at(24, 11 + n))
        say(d, at(24, 10 + n))
        say(d, at(24, 10 + n, 1), carol)
    mine = dialog(site, at(24, 9))
    say(mine, at(24, 9))
    client.force_login(superuser)

    response = client.get(URL, {**CURRENT, "account": other.account_id})
    assert response.status_code == 200
    assert figures(response)["started"][0] == 3
    assert [row["operator"].id for row in response.context["report"].operators] == [carol.id]
    assert list(response.context["form"].fields["site"].queryset) == [other]

    # A site of another account than the one chosen is refused, not mixed in.
    response = client.get(URL, {**CURRENT, "account": other.account_id, "site": site.id})
    assert response.status_code == 400 and response.context["report"] is None
    response = client.get(
        URL + "summary.csv", {**CURRENT, "account": other.account_id, "site": site.id}
    )
    assert response.status_code == 400


def test_the_figures_equal_the_consoles(client, superuser, alice, month, site):
    client.force_login(alice.user)
    console = client.get("/console/reports/", {**CURRENT, "site": site.id})
    assert console.status_code == 200
    client.force_login(superuser)
    admin = client.get(URL, query(site, time_zone="Europe/Berlin"))  # Alice's zone
    assert admin.status_code == 200
    assert figures(admin) == figures(console)
    assert operator_figures(admin) == operator_figures(console)
    assert admin.context["report"].daily == console.context["report"].daily
    assert admin.context["report"].heatmap == console.context["report"].heatmap
    html = admin.content.decode()
    assert 'href="/admin/reports/report/definitions/#first-response-time"' in html
    assert "/console/" not in html.split('id="r-admin"')[1].split("r-comments")[0]


def test_the_days_are_the_chosen_zones(client, superuser, month, site):
    client.force_login(superuser)
    berlin = client.get(URL, query(site, time_zone="Europe/Berlin"))
    tokyo = client.get(URL, query(site, time_zone="Asia/Tokyo"))
    assert berlin.context["report"].zone_name == "Europe/Berlin"
    assert tokyo.context["report"].zone_name == "Asia/Tokyo"
    assert berlin.context["report"].period.start != tokyo.context["report"].period.start


def test_the_csv_from_the_admin_is_the_consoles(client, superuser, alice, month, site):
    client.force_login(alice.user)
    console = client.get("/console/reports/summary.csv", {**CURRENT, "site": site.id})
    client.force_login(superuser)
    admin = client.get(URL + "summary.csv", query(site, time_zone="Europe/Berlin"))
    assert admin.status_code == 200
    assert admin["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in admin["Content-Disposition"]
    assert admin.content == console.content
    rows = list(csv.reader(io.StringIO(admin.content.decode("utf-8-sig"))))
    assert rows[0][0] == "Figure" and len(rows) > 10
    assert client.get(URL + "nothing.csv", query(site)).status_code == 404


def count_queries(client, params) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(URL, params)
    assert response.status_code == 200
    return len(queries)


# session, user, the accounts (the one chosen, then the select), the chosen site, the
# account's sites (the report's, then the select), the account's tags (the Tag filter's
# select, tags/report_filter.py), then reports.selectors.load (9, and one more when it
# stores the past days: reports.days).
ADMIN_PAGE_QUERIES = 8 + 9


@pytest.mark.parametrize("choose_site", [True, False])
def test_the_page_costs_the_same_queries_whatever_the_data(
    client, superuser, site, alice, bob, choose_site, django_assert_num_queries
):
    params = query(site) if choose_site else {**CURRENT, "account": site.account_id}
    client.force_login(superuser)
    empty = count_queries(client, params)
    fill(site, alice, bob, 2_000)
    facts.rebuild()  # history written around the services: its stored days are rebuilt
    assert count_queries(client, params) == empty
    with django_assert_num_queries(ADMIN_PAGE_QUERIES - (0 if choose_site else 1)):
        client.get(URL, params)


def test_no_account_chosen_shows_the_first(client, superuser, site, make_account):
    make_account(name="ZZZ last")
    site.account.name = "AAA first"
    site.account.save()
    client.force_login(superuser)
    response = client.get(URL)
    assert response.status_code == 200
    assert response.context["report"].account_id == site.account_id


def test_the_entry_has_no_rows_to_add_or_change(client, superuser):
    client.force_login(superuser)
    assert client.get(URL + "add/").status_code == 404
    assert ReportEntry._meta.managed is False


@pytest.mark.parametrize("language", ["en", "ru"])
def test_the_admin_page_speaks_the_admins_language(client, superuser, month, site, language):
    client.force_login(superuser)
    response = client.get(URL, query(site), HTTP_ACCEPT_LANGUAGE=language)
    html = response.content.decode()
    assert ("Dialogs started" in html) == (language == "en")
    assert ("Начато диалогов" in html) == (language == "ru")


@pytest.mark.parametrize("table", ["summary", "operators"])
def test_each_csv_costs_the_same_queries_whatever_the_data(
    client, superuser, site, alice, bob, table
):
    client.force_login(superuser)
    url = f"{URL}{table}.csv"

    def cost():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url, query(site)).status_code == 200
        return len(queries)

    empty = cost()  # stores the past days
    fill(site, alice, bob, 1_000)
    facts.rebuild()  # history written around the services: its stored days are rebuilt
    # no select rendered (accounts, sites, tags); the days stored again, then read
    assert cost() == empty == ADMIN_PAGE_QUERIES - 3 + 1
    assert cost() == ADMIN_PAGE_QUERIES - 3
