"""Retention in the admin, in a real Chromium over the demo data (seed_demo_retention): the
demo account's policy in the list, its page with the dry run, the dry-run action's message,
in English at desktop width and in Russian at 390 px. Screenshots."""

import io
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.utils import timezone
from helpers import admin_log_in
from playwright.sync_api import expect

from chat.models import Site
from leads.models import Lead

pytestmark = pytest.mark.browser

VIEWS = [
    ("en", {"width": 1280, "height": 900}, "desktop"),
    ("ru", {"width": 390, "height": 844}, "phone"),
]
DRY_RUN = {
    "en": "dialogs: 0, messages: 0, attachments: 0, leads: 2",
    "ru": "диалогов: 0, сообщений: 0, вложений: 0, заявок: 2",
}


@pytest.fixture
def demo(password):
    call_command("seed_demo", stdout=io.StringIO())
    get_user_model().objects.create_superuser("root", "root@example.com", password)
    call_command("seed_demo_retention", stdout=io.StringIO())
    site = Site.objects.filter(account__name="Demo company").first()
    for name in ("Old Lead", "Older Lead"):
        Lead.objects.create(
            account=site.account,
            site=site,
            source=Lead.Source.OFFLINE_FORM,
            name=name,
            created_at=timezone.now() - timedelta(days=500),
        )


@pytest.mark.parametrize(("language", "viewport", "name"), VIEWS)
def test_the_demo_policy_and_its_dry_run_in_the_admin(
    asgi_server, browser, screenshots, demo, password, language, viewport, name
):
    context = browser.new_context(viewport=viewport, locale=language)
    page = context.new_page()
    violations = []
    page.on("console", lambda m: "Content Security Policy" in m.text and violations.append(m.text))
    admin_log_in(page, asgi_server, password, "/admin/retention/retentionpolicy/")
    expect(page.locator("#result_list")).to_contain_text("Demo company")
    expect(page.locator("#result_list")).to_contain_text("365")
    page.locator("#result_list tbody th a").first.click()
    expect(page.locator(".field-would_erase")).to_contain_text(DRY_RUN[language])
    page.screenshot(path=screenshots / f"admin-retention-{language}-{name}.png", full_page=True)

    page.goto(f"{asgi_server}/admin/retention/retentionpolicy/")
    page.locator("input.action-select").first.check()
    page.select_option("select[name=action]", "count_expired")
    page.locator("button[name=index]").click()
    expect(page.locator(".messagelist")).to_contain_text(DRY_RUN[language])
    page.screenshot(
        path=screenshots / f"admin-retention-dry-run-{language}-{name}.png", full_page=True
    )
    assert Lead.objects.filter(name__in=["Old Lead", "Older Lead"]).count() == 2
    overflow = page.evaluate("document.scrollingElement.scrollWidth - window.innerWidth")
    assert overflow <= 0 or name == "desktop"
    assert violations == []
    context.close()
