"""The Reports page in the admin and the definitions in Russian, in a real Chromium over
the demo history, in English and Russian, at desktop width and at 390 px: the admin's
look, the charts, the CSV links, the CSP, nothing wider than a phone. Screenshots."""

import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from helpers import admin_log_in
from playwright.sync_api import expect

from operators.models import Operator

pytestmark = pytest.mark.browser

DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
TITLES = {"en": "How reports are counted", "ru": "Как считаются отчёты"}


@pytest.fixture
def demo(password):
    call_command("seed_demo", stdout=io.StringIO())
    call_command("seed_demo_reports", stdout=io.StringIO())
    get_user_model().objects.create_superuser("root", "root@example.com", password)
    anna = get_user_model().objects.get(username="anna")
    anna.set_password(password)
    anna.save()
    return Operator.objects.get(user=anna)


def watch_csp(page):
    seen = []
    page.on("console", lambda m: "Content Security Policy" in m.text and seen.append(m.text))
    return seen


def no_overflow(page, name):
    overflow = page.evaluate("document.scrollingElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"the page is {overflow}px wider than the {name} screen"


@pytest.mark.parametrize("language", ["en", "ru"])
def test_the_admin_report_in_both_languages_at_both_widths(
    asgi_server, browser, screenshots, demo, password, language
):
    for name, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
        context = browser.new_context(viewport=viewport, locale=language)
        page = context.new_page()
        violations = watch_csp(page)
        admin_log_in(page, asgi_server, password)
        page.click('a[href="/admin/reports/report/"]')
        page.select_option("#id_account", label="Demo company")
        page.select_option("#id_time_zone", "Europe/Moscow")
        page.click(".r-admin-submit input")
        started = page.locator('.r-figure[data-key="started"] .r-value')
        assert int(started.get_attribute("data-value")) > 0
        assert page.locator(".r-bar").count() == 7
        assert page.locator("#r-operators tbody tr").count() == 2
        box = page.locator(".r-daily-chart svg").bounding_box()
        assert box["width"] > 250 and box["height"] > 60
        expect(page.locator("#site-name")).to_be_visible()  # the admin's own header
        href = page.locator(".r-export").first.get_attribute("href")
        assert href.startswith("/admin/reports/report/summary.csv?")
        response = page.request.get(asgi_server + href)
        assert response.ok and response.headers["content-type"].startswith("text/csv")
        no_overflow(page, name)
        page.screenshot(path=screenshots / f"admin-reports-{language}-{name}.png", full_page=True)
        page.locator('.r-figure[data-key="first_response_median"] .r-label').click()
        expect(page.locator("#first-response-time")).to_be_visible()
        expect(page.locator("#first-response-time")).to_have_text(
            "Время первого ответа" if language == "ru" else "First response time"
        )
        no_overflow(page, name)
        assert violations == []
        context.close()


@pytest.mark.parametrize("name", ["desktop", "phone"])
def test_the_console_definitions_in_russian(asgi_server, browser, screenshots, demo, log_in, name):
    Operator.objects.filter(pk=demo.pk).update(language="ru", time_zone="Europe/Moscow")
    context = browser.new_context(viewport=DESKTOP if name == "desktop" else PHONE)
    page = context.new_page()
    violations = watch_csp(page)
    log_in(page, asgi_server, "anna")
    page.goto(f"{asgi_server}/console/reports/")
    page.locator('.r-figure[data-key="rating_good_share"] .r-label').click()
    heading = page.locator("#share-of-good-ratings")
    expect(heading).to_have_text("Доля хороших оценок")
    expect(heading).to_be_in_viewport()
    assert page.title().startswith(TITLES["ru"])
    no_overflow(page, name)
    page.screenshot(path=screenshots / f"reports-definitions-ru-{name}.png")
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=screenshots / f"reports-definitions-ru-{name}-top.png")
    assert violations == []
    context.close()
