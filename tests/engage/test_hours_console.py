"""The console's Site settings and Business hours editor: who may see and edit them
(tenancy), saving with clear errors, a fixed number of queries, and the admin's page."""

from datetime import date, time

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from chat.dialogs import availability
from engage.models import SiteHours, SpecialDay, WeeklyRange
from tests.engage.hours_factory import always_open, hours

pytestmark = pytest.mark.django_db

LIST_QUERIES = 5
EDITOR_QUERIES = 11


@pytest.fixture
def manager(make_operator, site):
    return make_operator(username="maria", sites=[site], can_manage_site_settings=True)


@pytest.fixture
def manager_client(client, manager):
    client.force_login(manager.user)
    return client


def url(site):
    return f"/console/sites/{site.id}/hours/"


def form_data(*, enabled=True, zone="Europe/Moscow", weekly=(), special=(), initial=(0, 0)):
    """The editor's POST: weekly (weekday, opens, closes), special (date, opens, closes, note)."""
    data = {
        "hours-enabled": "on" if enabled else "",
        "hours-time_zone": zone,
        "weekly-TOTAL_FORMS": str(len(weekly)),
        "weekly-INITIAL_FORMS": str(initial[0]),
        "special-TOTAL_FORMS": str(len(special)),
        "special-INITIAL_FORMS": str(initial[1]),
    }
    if not enabled:
        del data["hours-enabled"]
    for i, (day, opens, closes) in enumerate(weekly):
        data |= {
            f"weekly-{i}-weekday": day,
            f"weekly-{i}-opens": opens,
            f"weekly-{i}-closes": closes,
        }
    for i, (day, opens, closes, note) in enumerate(special):
        data |= {
            f"special-{i}-date": day,
            f"special-{i}-opens": opens,
            f"special-{i}-closes": closes,
            f"special-{i}-note": note,
        }
    return data


# --- who may -----------------------------------------------------------------------------


def test_the_menu_links_site_settings_only_for_operators_with_the_flag(manager, alice):
    for operator, linked in ((manager, True), (alice, False)):
        client = Client()
        client.force_login(operator.user)
        page = client.get("/console/").content.decode()
        assert ('id="site-settings-link"' in page) is linked


def test_an_operator_without_the_flag_is_refused(alice_client, site):
    assert alice_client.get("/console/sites/").status_code == 403
    assert alice_client.get(url(site)).status_code == 403
    assert alice_client.post(url(site), form_data()).status_code == 403
    assert not SiteHours.objects.exists()


def test_another_accounts_operator_cannot_see_or_edit_my_hours(
    make_operator, make_site, client, site, manager
):
    hours(site, weekly=[(0, "09:00", "18:00")])
    stranger = make_operator(username="stranger", can_manage_site_settings=True)
    own = make_site(account=stranger.account, operators=[stranger], name="theirs.example")
    client.force_login(stranger.user)
    listing = client.get("/console/sites/").content.decode()
    assert "theirs.example" in listing and site.name not in listing
    assert client.get(url(site)).status_code == 404
    response = client.post(url(site), form_data(weekly=[(0, "00:00", "24:00")]))
    assert response.status_code == 404
    assert list(WeeklyRange.objects.values_list("opens", flat=True)) == [time(9)]
    assert client.get(url(own)).status_code == 200


def test_a_colleague_sees_only_the_sites_he_serves(make_operator, make_site, client, site):
    other_site = make_site(account=site.account, name="other.example")
    colleague = make_operator(account=site.account, sites=[site], can_manage_site_settings=True)
    client.force_login(colleague.user)
    listing = client.get("/console/sites/").content.decode()
    assert site.name in listing and "other.example" not in listing
    assert client.get(url(other_site)).status_code == 404


# --- editing -------------------------------------------------------------------------------


def test_saving_a_week_with_a_lunch_break_and_a_holiday(manager_client, site):
    data = form_data(
        weekly=[(0, "09:00", "13:00"), (0, "14:00", "18:00"), (5, "10:00", "00:00")],
        special=[("2027-01-01", "", "", "New Year")],
    )
    response = manager_client.post(url(site), data)
    assert response.status_code == 302 and response.url == url(site)
    row = SiteHours.objects.get(site=site)
    assert row.enabled and row.time_zone == "Europe/Moscow"
    assert sorted(row.weekly.values_list("weekday", "opens", "closes")) == [
        (0, time(9), time(13)),
        (0, time(14), time(18)),
        (5, time(10), time(0)),
    ]
    holiday = SpecialDay.objects.get()
    assert holiday.closed and holiday.date == date(2027, 1, 1) and holiday.note == "New Year"
    page = manager_client.get(url(site)).content.decode()
    assert "Business hours saved." in page


def test_saving_drops_the_cached_schedule(manager_client, site, django_capture_on_commit_callbacks):
    hours(site)  # in use, no range: closed
    assert availability.site_is_open(site.id) is False  # and cached
    with django_capture_on_commit_callbacks(execute=True):
        manager_client.post(url(site), form_data(enabled=False))
    assert availability.site_is_open(site.id) is True


@pytest.mark.parametrize(
    ("weekly", "special", "error"),
    [
        ([(0, "09:00", "13:00"), (0, "12:00", "18:00")], [], "Ranges of one day overlap: Monday."),
        ([(2, "18:00", "09:00")], [], "The closing time must be later than the opening time."),
        ([], [("2027-01-01", "10:00", "", "")], "Give both the opening and the closing time"),
        (
            [],
            [("2027-01-01", "", "", ""), ("2027-01-01", "10:00", "12:00", "")],
            "is both closed and open",
        ),
        (
            [],
            [("2027-01-02", "10:00", "12:00", ""), ("2027-01-02", "11:00", "13:00", "")],
            "overlap.",
        ),
    ],
)
def test_a_bad_schedule_gets_a_clear_error_and_saves_nothing(
    manager_client, site, weekly, special, error
):
    response = manager_client.post(url(site), form_data(weekly=weekly, special=special))
    assert response.status_code == 200
    assert error in response.content.decode()
    assert not SiteHours.objects.exists()


def test_an_unknown_time_zone_is_refused(manager_client, site):
    response = manager_client.post(url(site), form_data(zone="Mars/Olympus"))
    assert response.status_code == 200
    assert 'class="form-error"' in response.content.decode()
    assert not SiteHours.objects.exists()


def test_removing_a_range(manager_client, site):
    row = hours(site, weekly=[(0, "09:00", "18:00"), (1, "09:00", "18:00")])
    ranges = list(row.weekly.order_by("weekday"))
    data = form_data(weekly=[(0, "09:00", "18:00"), (1, "09:00", "18:00")], initial=(2, 0))
    data |= {"weekly-0-id": ranges[0].id, "weekly-1-id": ranges[1].id, "weekly-1-DELETE": "on"}
    data |= {"weekly-0-hours": site.id, "weekly-1-hours": site.id}
    assert manager_client.post(url(site), data).status_code == 302
    assert list(row.weekly.values_list("weekday", flat=True)) == [0]


def test_the_editor_says_whether_the_site_is_open_now(manager_client, site):
    always_open(site)
    assert "Open now." in manager_client.get(url(site)).content.decode()


def test_the_page_has_a_settings_sub_navigation(manager_client, site):
    page = manager_client.get(url(site)).content.decode()
    assert 'class="settings-nav"' in page and 'aria-current="page"' in page


def test_the_editor_in_russian(manager_client, manager, site):
    manager.language = "ru"
    manager.save(update_fields=["language"])
    page = manager_client.get(url(site)).content.decode()
    assert "Рабочее время" in page and "График на неделю" in page


# --- query counts --------------------------------------------------------------------------


def queries(client, path):
    with CaptureQueriesContext(connection) as captured:
        assert client.get(path).status_code == 200
    return len(captured)


def test_the_sites_list_has_a_fixed_number_of_queries(manager_client, manager, make_site):
    few = queries(manager_client, "/console/sites/")
    for _ in range(6):
        hours(
            make_site(account=manager.account, operators=[manager]), weekly=[(0, "09:00", "18:00")]
        )
    assert queries(manager_client, "/console/sites/") == few


def test_the_editor_has_a_fixed_number_of_queries(manager_client, site):
    hours(site, weekly=[(0, "09:00", "18:00")], special=[(date(2027, 1, 1), None, None)])
    few = queries(manager_client, url(site))
    SiteHours.objects.all().delete()
    hours(
        site,
        weekly=[(day, "09:00", "13:00") for day in range(7)]
        + [(day, "14:00", "18:00") for day in range(7)],
        special=[(date(2027, 1, day), None, None) for day in range(1, 9)],
    )
    assert queries(manager_client, url(site)) == few


# --- the admin ------------------------------------------------------------------------------


def test_the_admin_edits_hours_with_the_same_rules(admin_client, site):
    response = admin_client.post(
        "/admin/engage/sitehours/add/",
        {
            "site": site.id,
            "enabled": "on",
            "time_zone": "Europe/Berlin",
            "weekly-TOTAL_FORMS": "2",
            "weekly-INITIAL_FORMS": "0",
            "weekly-0-weekday": "0",
            "weekly-0-opens": "09:00",
            "weekly-0-closes": "13:00",
            "weekly-1-weekday": "0",
            "weekly-1-opens": "12:00",
            "weekly-1-closes": "18:00",
            "special_days-TOTAL_FORMS": "0",
            "special_days-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 200
    assert "Ranges of one day overlap: Monday." in response.content.decode()
    assert not SiteHours.objects.exists()
    assert admin_client.get("/admin/engage/sitehours/").status_code == 200


def test_query_budget_of_the_pages(manager_client, site, django_assert_num_queries):
    """The login and the tab bar as on every console page, then the page's own reads:
    the sites (one); the site, its hours, their ranges and special days, and the state
    shown as "Open now" (the schedule read once more, then cached)."""
    hours(site, weekly=[(0, "09:00", "18:00")], special=[(date(2027, 1, 1), None, None)])
    with django_assert_num_queries(LIST_QUERIES):
        manager_client.get("/console/sites/")
    with django_assert_num_queries(EDITOR_QUERIES):
        manager_client.get(url(site))
