"""Site settings > Routing in the console: who may see it, saving the mode and limits
with clear errors, the queue and the operators' load, a fixed number of queries."""

import pytest

from routing.models import OperatorRouting, RoutingSettings
from tests.routing.routing_factory import auto_assign, online, own_capacity, visitor_writes

pytestmark = pytest.mark.django_db

PAGE_QUERIES = 9


@pytest.fixture
def manager(make_operator, site):
    return make_operator(username="maria", sites=[site], can_manage_site_settings=True)


@pytest.fixture
def manager_client(client, manager):
    client.force_login(manager.user)
    return client


def url(site):
    return f"/console/sites/{site.id}/routing/"


def data(*, mode="auto_assign", capacity="2", timeout="45", **capacities):
    return {
        "routing-mode": mode,
        "routing-default_capacity": capacity,
        "routing-answer_timeout_seconds": timeout,
        **{f"op-capacity_{op_id}": value for op_id, value in capacities.items()},
    }


def test_the_page_shows_everyone_mode_by_default_and_the_nav_link(manager_client, site):
    page = manager_client.get(url(site))
    assert page.status_code == 200
    html = page.content.decode()
    assert 'value="everyone"' in html and "checked" in html.split('value="everyone"')[1][:40]
    assert f'href="/console/sites/{site.id}/routing/" aria-current="page"' in html
    assert f'href="/console/sites/{site.id}/hours/"' in html


def test_saving_switches_the_site_to_auto_assign_with_limits(manager_client, site, manager):
    response = manager_client.post(url(site), data(**{str(manager.id): "4"}))
    assert response.status_code == 302
    routing = RoutingSettings.objects.get(site=site)
    assert routing.auto_assign
    assert (routing.default_capacity, routing.answer_timeout_seconds) == (2, 45)
    assert OperatorRouting.objects.get(operator=manager).capacity == 4
    # Blank again: back to the site's default.
    manager_client.post(url(site), data(**{str(manager.id): ""}))
    assert OperatorRouting.objects.get(operator=manager).capacity is None


def test_saving_routes_dialogs_that_were_waiting(manager_client, site, manager):
    online(manager)
    dialog, _ = visitor_writes(site)
    manager_client.post(url(site), data())
    assert list(dialog.participants.values_list("operator_id", flat=True)) == [manager.id]


@pytest.mark.parametrize(
    "fields, error",
    [
        ({"capacity": "0"}, "greater than or equal to 1"),
        ({"capacity": "abc"}, "Enter a whole number"),
        ({"timeout": "5"}, "greater than or equal to 10"),
        ({"mode": "round_robin"}, "Select a valid choice"),
    ],
)
def test_bad_input_is_a_form_error(manager_client, site, fields, error):
    response = manager_client.post(url(site), data(**fields))
    assert response.status_code == 200
    assert error in response.content.decode()
    assert not RoutingSettings.objects.filter(site=site).exists()


def test_a_bad_operator_limit_is_shown_on_his_row(manager_client, site, manager):
    response = manager_client.post(url(site), data(**{str(manager.id): "1000"}))
    assert response.status_code == 200
    assert "less than or equal to 100" in response.content.decode()


def test_only_managers_of_the_site_see_it(client, make_operator, site, make_site):
    plain = make_operator(sites=[site])
    client.force_login(plain.user)
    assert client.get(url(site)).status_code == 403
    stranger = make_operator(can_manage_site_settings=True, sites=[make_site()])
    client.force_login(stranger.user)
    assert client.get(url(site)).status_code == 404
    assert client.post(url(site), data()).status_code == 404
    assert not RoutingSettings.objects.filter(site=site).exists()


def test_the_queue_and_the_load_are_listed_in_a_fixed_number_of_queries(
    manager_client, site, manager, make_operator, django_assert_num_queries
):
    boris = make_operator(sites=[site], username="boris")
    auto_assign(site, capacity=1)
    own_capacity(boris, 1)
    online(boris)
    visitor_writes(site, "<b>hi</b>")
    visitor_writes(site)
    with django_assert_num_queries(PAGE_QUERIES):
        html = manager_client.get(url(site)).content.decode()
    assert 'id="routing-queue-count">1<' in html
    assert "1 open dialog" in html  # boris's load
    for _ in range(3):
        visitor_writes(site)
    with django_assert_num_queries(PAGE_QUERIES):
        html = manager_client.get(url(site)).content.decode()
    assert 'id="routing-queue-count">4<' in html


def test_the_page_speaks_russian(manager_client, site, manager):
    manager.language = "ru"
    manager.save(update_fields=["language"])
    html = manager_client.get(url(site), HTTP_ACCEPT_LANGUAGE="ru").content.decode()
    assert "Кому достаётся новый диалог" in html and "Очередь" in html
