"""The Site settings shell shows what the apps registered (engage/site_settings.py): a
site's page lists exactly the sections the operator may open, in their order, and the
operator menu exactly the settings links he may follow; a section he may not open is
neither listed nor served."""

import importlib
import re

import pytest
from django.http import HttpResponse
from django.test import Client
from django.urls import clear_url_caches, reverse

from engage import site_settings

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager(make_operator, site):
    return make_operator(username="maria", sites=[site], can_manage_site_settings=True)


def logged_in(operator):
    client = Client()
    client.force_login(operator.user)
    return client


def remount():
    """The URLconf again, as Django loads it at start (after every AppConfig.ready())."""
    import config.urls
    import engage.hours_urls

    importlib.reload(engage.hours_urls)
    importlib.reload(config.urls)
    clear_url_caches()


def extra_view(request, site_id):
    return HttpResponse(f"extra section of site {site_id}")


@pytest.fixture
def extra_section():
    """Another app's section, for operators who may see reports only."""
    section = site_settings.Section(
        key="extra",
        title="Extra",
        order=25,
        route="extra/",
        view=extra_view,
        permission="can_see_reports",
    )
    site_settings.register_section(section)
    remount()
    yield section
    site_settings.unregister_section("extra")
    remount()


def nav_of(page: str) -> list[tuple[str, str, bool]]:
    """(href, title, current) of each link in the site page's sub-navigation."""
    nav = re.search(r'<nav class="settings-nav"[^>]*>(.*?)</nav>', page, re.S).group(1)
    return [
        (href, title, "aria-current" in attrs)
        for href, attrs, title in re.findall(r'<a href="([^"]+)"([^>]*)>([^<]+)</a>', nav)
    ]


def test_the_apps_register_their_sections_in_order():
    assert [s.key for s in site_settings.sections()] == ["hours", "routing", "email"]


def test_the_site_page_lists_exactly_the_sections_the_operator_may_open(
    manager, site, extra_section
):
    client = logged_in(manager)
    page = client.get(f"/console/sites/{site.id}/routing/").content.decode()
    assert nav_of(page) == [
        (f"/console/sites/{site.id}/hours/", "Business hours", False),
        (f"/console/sites/{site.id}/routing/", "Routing", True),
        (f"/console/sites/{site.id}/email/", "E-mail", False),
    ]
    assert [href for href, _t, _c in nav_of(page)] == [
        reverse(f"site_settings:{s.key}", kwargs={"site_id": site.id})
        for s in site_settings.sections_for(manager)
    ]
    assert client.get(f"/console/sites/{site.id}/extra/").status_code == 403

    manager.can_see_reports = True
    manager.save(update_fields=["can_see_reports"])
    page = client.get(f"/console/sites/{site.id}/extra/")
    assert page.content.decode() == f"extra section of site {site.id}"
    page = client.get(f"/console/sites/{site.id}/hours/").content.decode()
    assert [title for _h, title, _c in nav_of(page)] == [
        "Business hours",
        "Routing",
        "Extra",
        "E-mail",
    ]


def test_the_tabs_in_russian(manager, site):
    manager.language = "ru"
    manager.save(update_fields=["language"])
    page = logged_in(manager).get(f"/console/sites/{site.id}/email/").content.decode()
    titles = [title for _h, title, _c in nav_of(page)]
    assert titles[0] == "Рабочее время" and len(titles) == 3 and "Routing" not in titles


def test_an_operator_without_the_flag_opens_no_section(alice, site):
    client = logged_in(alice)
    for section in site_settings.sections():
        assert client.get(f"/console/sites/{site.id}/{section.route}").status_code == 403


def test_the_operator_menu_lists_the_registered_settings_links(manager, alice):
    page = logged_in(manager).get("/console/").content.decode()
    ids = re.findall(r'class="menu-item" href="[^"]+" id="([^"]+)"', page)
    expected = ["site-settings-link", "messengers-link", "invitations-link"]
    settings_ids = [i for i in ids if i in expected]
    assert settings_ids == expected
    assert [e.element_id for e in site_settings.menu_entries(manager)] == settings_ids

    page = logged_in(alice).get("/console/").content.decode()
    assert site_settings.menu_entries(alice) == []
    for element_id in settings_ids:
        assert f'id="{element_id}"' not in page


def test_a_key_registered_twice_is_refused():
    hours = site_settings.sections()[0]
    site_settings.register_section(hours)  # the same again: harmless
    with pytest.raises(ValueError):
        site_settings.register_section(
            site_settings.Section(key="hours", title="x", order=1, route="x/", view=extra_view)
        )
