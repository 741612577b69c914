"""The Reports page's Tag filter in a real Chromium over the demo history
(seed_demo_reports) with every third dialog tagged "Delivery", in English and Russian,
at desktop width and at 390 px: choosing a tag narrows the figures, the CSV links keep
it, nothing overflows the phone's width, the CSP lets everything through. The
screenshots are looked at."""

import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from playwright.sync_api import expect
from test_reports_in_browser import DESKTOP, PHONE, anna_at

from chat.models import Dialog
from operators.models import Operator
from tags.models import DialogTag, Tag

pytestmark = pytest.mark.browser


@pytest.fixture
def demo(password):
    for command in ("seed_demo", "seed_demo_reports"):
        call_command(command, stdout=io.StringIO())
    anna = get_user_model().objects.get(username="anna")
    anna.set_password(password)
    anna.save()
    operator = Operator.objects.get(user=anna)
    # Not seed_demo_tags: its live dialog publishes, and this thread runs Playwright's loop.
    delivery = Tag.objects.create(account_id=operator.account_id, name="Delivery")
    Tag.objects.create(account_id=operator.account_id, name="VIP", colour="purple")
    dialogs = Dialog.objects.filter(account_id=operator.account_id).order_by("id")[::3]
    DialogTag.objects.bulk_create(DialogTag(dialog=d, tag=delivery) for d in dialogs)
    return operator


def started(page) -> int:
    return int(page.locator('.r-figure[data-key="started"] .r-value').get_attribute("data-value"))


@pytest.mark.parametrize("language", ["en", "ru"])
def test_the_reports_tag_filter_in_both_languages_at_both_widths(
    asgi_server, browser, screenshots, demo, log_in, language
):
    Operator.objects.filter(pk=demo.pk).update(language=language, time_zone="Europe/Moscow")
    delivery = Tag.objects.get(account_id=demo.account_id, name="Delivery")
    for name, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
        context, page, violations = anna_at(browser, viewport, asgi_server, log_in)
        page.goto(f"{asgi_server}/console/reports/")
        every = started(page)
        if name == "phone":  # on a desktop the filter form is always open
            page.locator("#reports-filter summary").click()
        expect(page.locator("label[for=id_tag]")).to_have_text("Tag" if language == "en" else "Тег")
        page.select_option("#id_tag", str(delivery.id))
        page.locator("#reports-filter button[type=submit]").click()
        page.wait_for_url(f"**tag={delivery.id}**")
        expect(page.locator("#id_tag")).to_have_value(str(delivery.id))
        assert 0 < started(page) < every
        for link in page.locator('a[href*=".csv?"]').all():
            assert f"tag={delivery.id}" in link.get_attribute("href")
        overflow = page.evaluate("document.scrollingElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"the page is {overflow}px wider than the {name} screen"
        if name == "phone":
            page.locator("#reports-filter summary").click()  # open again for the picture
        page.screenshot(path=screenshots / f"reports-tag-{language}-{name}.png", full_page=True)
        assert violations == []
        context.close()
