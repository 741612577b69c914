"""The Reports page in a real Chromium over the demo history (seed_demo_reports), in
English and Russian, at desktop width and at 390 px: the charts draw, the CSP lets
everything through, nothing overflows the phone's width. The screenshots are looked at."""

import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from playwright.sync_api import expect

from operators.models import Operator

pytestmark = pytest.mark.browser

DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def demo(password):
    call_command("seed_demo", stdout=io.StringIO())
    call_command("seed_demo_reports", stdout=io.StringIO())
    anna = get_user_model().objects.get(username="anna")
    anna.set_password(password)
    anna.save()
    return Operator.objects.get(user=anna)


def csp_violation(message, seen):
    if "Content Security Policy" in message.text:
        seen.append(message.text)


def anna_at(browser, viewport, asgi_server, log_in):
    """(context, page, CSP violations seen) of Anna logged in at this size."""
    context = browser.new_context(viewport=viewport)
    page = context.new_page()
    violations = []
    page.on("console", lambda message, seen=violations: csp_violation(message, seen))
    log_in(page, asgi_server, "anna")
    return context, page, violations


@pytest.mark.parametrize("language", ["en", "ru"])
def test_the_reports_page_in_both_languages_at_both_widths(
    asgi_server, browser, screenshots, demo, log_in, language
):
    Operator.objects.filter(pk=demo.pk).update(language=language, time_zone="Europe/Moscow")
    for name, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
        context, page, violations = anna_at(browser, viewport, asgi_server, log_in)
        page.click("#reports-tab") if name == "desktop" else page.goto(
            f"{asgi_server}/console/reports/"
        )
        expect(page.locator("#reports-title")).to_have_text(
            "Reports" if language == "en" else "Отчёты"
        )
        started = page.locator('.r-figure[data-key="started"] .r-value')
        assert int(started.get_attribute("data-value")) > 0  # the seeded history shows
        assert page.locator(".r-bar").count() == 7
        assert page.locator(".r-cell").count() > 10  # busy hours in the heatmap
        assert page.locator("#r-operators tbody tr").count() == 2
        box = page.locator(".r-daily-chart svg").bounding_box()
        assert box["width"] > 300 and box["height"] > 80
        overflow = page.evaluate("document.scrollingElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"the page is {overflow}px wider than the {name} screen"
        page.screenshot(path=screenshots / f"reports-{language}-{name}.png", full_page=True)
        page.locator(".r-numbers summary").first.click()
        expect(page.locator("#r-daily")).to_be_visible()
        # A figure's label opens its definition.
        page.locator('.r-figure[data-key="first_response_median"] .r-label').click()
        expect(page.locator("#first-response-time")).to_be_visible()
        if name == "desktop":
            page.screenshot(path=screenshots / f"reports-definitions-{language}.png")
        assert violations == []
        context.close()
