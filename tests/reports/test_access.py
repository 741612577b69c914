"""Who may see the Reports page and its CSV: operators with the flag, their own sites."""

import pytest
from report_dataset import CURRENT, at, dialog, say

pytestmark = pytest.mark.django_db

URL = "/console/reports/"
PAGES = [
    URL,
    URL + "summary.csv",
    URL + "operators.csv",
    URL + "daily.csv",
    URL + "heatmap.csv",
    URL + "definitions/",
]


@pytest.mark.parametrize("path", PAGES)
def test_an_operator_without_the_flag_is_refused(client, bob, month, path):
    client.force_login(bob.user)
    response = client.get(path, CURRENT)
    assert response.status_code == 403
    assert b"Dialogs started" not in response.content


@pytest.mark.parametrize("path", PAGES)
def test_a_login_that_is_not_an_operator_is_refused(client, make_user, path):
    client.force_login(make_user())
    assert client.get(path).status_code == 403


@pytest.mark.parametrize("path", PAGES)
def test_anonymous_visitors_go_to_the_login(client, path):
    response = client.get(path)
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_the_tab_shows_for_the_flag_only(client, alice, bob):
    client.force_login(alice.user)
    assert 'id="reports-tab"' in client.get("/console/").content.decode()
    client.force_login(bob.user)
    assert 'id="reports-tab"' not in client.get("/console/").content.decode()


def test_the_flag_is_in_the_admin(admin_client, bob):
    html = admin_client.get(f"/admin/operators/operator/{bob.id}/change/").content.decode()
    assert 'name="can_see_reports"' in html


def test_another_accounts_site_is_refused_as_a_choice(client, alice, month, make_site):
    """A site id of another account (or of his account he does not work on) is a form
    error: nothing of it is shown, on the page or in the CSV."""
    foreign = make_site(name="foreign.example")
    same_account = make_site(account=alice.account, name="not-mine.example")
    client.force_login(alice.user)
    for site in (foreign, same_account):
        d = dialog(site, at(24, 12))
        say(d, at(24, 12))
        response = client.get(URL, {**CURRENT, "site": site.id})
        assert response.status_code == 400
        assert response.context["report"] is None
        assert "Select a valid choice" in response.content.decode()
        assert site.name not in response.content.decode()
        csv = client.get(URL + "summary.csv", {**CURRENT, "site": site.id})
        assert csv.status_code == 400


def test_the_tenant_sees_only_his_account(client, alice, month, make_site, make_operator):
    """A manager of the other account with the flag sees his own dialog only."""
    other = make_site(name="elsewhere.example")
    manager = make_operator(sites=[other], can_see_reports=True, time_zone="Europe/Berlin")
    d = dialog(other, at(24, 12))
    say(d, at(24, 12))
    client.force_login(manager.user)
    report = client.get(URL, CURRENT).context["report"]
    assert {f.key: f.current for f in report.summary}["started"] == 1
    assert [row["operator"].id for row in report.operators] == [manager.id]
    rows = client.get(URL + "operators.csv", CURRENT).content.decode()
    assert "Alice" not in rows and "Bob" not in rows


@pytest.mark.parametrize(
    "query, error",
    [
        (
            {"date_from": "2026-03-29", "date_to": "2026-03-23"},
            "The first day must not be after the last one.",
        ),
        ({"date_from": "2024-01-01", "date_to": "2026-03-23"}, "Choose at most 366 days."),
        ({"date_from": "yesterday"}, "Enter a valid date."),
    ],
)
def test_bad_periods_are_explained(client, alice, query, error):
    client.force_login(alice.user)
    response = client.get(URL, query)
    assert response.status_code == 400
    assert error in response.content.decode()
    csv = client.get(URL + "summary.csv", query)
    assert csv.status_code == 400 and error in csv.content.decode()


def test_an_unknown_table_is_not_found(client, alice):
    client.force_login(alice.user)
    assert client.get(URL + "nothing.csv").status_code == 404


def test_cells_that_look_like_formulas_are_neutralised(client, alice, month):
    alice.display_name = '=HYPERLINK("http://evil")'
    alice.save()
    client.force_login(alice.user)
    text = client.get(URL + "operators.csv", CURRENT).content.decode()
    assert "'=HYPERLINK" in text
    assert "\n=HYPERLINK" not in text
    html = client.get(URL, CURRENT).content.decode()
    assert "=HYPERLINK(&quot;http://evil&quot;)" in html  # escaped on the page


def test_the_default_period_is_the_last_seven_days(client, alice):
    client.force_login(alice.user)
    report = client.get(URL).context["report"]
    assert (report.period.last_day - report.period.first_day).days == 6
    assert (report.previous.last_day - report.previous.first_day).days == 6
    assert (report.period.first_day - report.previous.last_day).days == 1
    html = client.get(URL).content.decode()
    assert f'value="{report.period.first_day.isoformat()}"' in html  # the inputs show it
    assert f'value="{report.period.last_day.isoformat()}"' in html
