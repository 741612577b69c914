"""Leads in a real Chromium on the stack `make run` serves: the offline form left while
every operator is offline shows up live on the Leads page; "introduce yourself" renames
the visitor in the operator's open dialog."""

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from chat.models import Site
from leads.models import Lead
from operators.models import Account, Operator

pytestmark = pytest.mark.browser

DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def shop(password):
    account = Account.objects.create(name="E2E shop")
    site = Site.objects.create(account=account, name="E2E shop", widget_key="e2e-key")
    user = get_user_model().objects.create_user("olga", password=password, first_name="Olga")
    operator = Operator.objects.create(user=user, account=account, display_name="Olga")
    site.operators.add(operator)
    return site


def open_widget(browser, base_url, site, viewport):
    page = browser.new_context(viewport=viewport).new_page()
    page.goto(f"{base_url}/demo/?site={site.widget_key}")
    page.click("#livechat-launcher")
    return page, page.frame_locator("#livechat-frame")


def test_an_offline_lead_appears_live_on_the_leads_page(
    asgi_server, browser, screenshots, shop, log_in
):
    # Olga's console is open, but she is offline: the site has nobody online.
    Operator.objects.filter(user__username="olga").update(status="offline")
    console = browser.new_context(viewport=DESKTOP).new_page()
    log_in(console, asgi_server, "olga")
    console.click('a[href="/console/leads/"]')
    expect(console.locator("#leads-empty")).to_be_visible()
    expect(console.locator("#leads-count")).to_have_text("0")
    expect(console.locator("#leads-total")).to_have_text("0 leads")

    visitor, widget = open_widget(browser, asgi_server, shop, DESKTOP)
    form = widget.locator("#lc-offline-form")
    expect(form).to_be_visible()
    expect(widget.locator("#lc-composer")).to_be_hidden()
    visitor.wait_for_timeout(400)  # the panel's opening animation
    visitor.screenshot(path=screenshots / "leads-offline-form-desktop.png")

    # Mistakes are explained next to their fields.
    form.locator("[name=name]").fill("Иван")
    form.locator("[name=email]").fill("ivan@")
    form.locator("button[type=submit]").click()
    expect(form.locator("[data-field=email] .lc-field-error")).to_contain_text("valid email")
    expect(form.locator("[data-field=message] .lc-field-error")).to_contain_text("message")
    visitor.screenshot(path=screenshots / "leads-offline-form-errors.png")

    form.locator("[name=email]").fill("")
    form.locator("[name=phone]").fill("8 (912) 345-67-89")
    form.locator("[name=message]").fill("Перезвоните, пожалуйста, насчёт доставки")
    form.locator("button[type=submit]").click()
    expect(widget.locator("#lc-offline-done")).to_contain_text("We will answer by email or phone")
    visitor.screenshot(path=screenshots / "leads-offline-done.png")

    # The lead reaches Olga's Leads page within seconds, without a reload.
    row = console.locator("#leads-rows .lead-row").first
    expect(row).to_contain_text("Иван")
    expect(row).to_contain_text("+79123456789")
    expect(console.locator("#leads-count")).to_have_text("1")
    expect(console.locator("#leads-total")).to_have_text("1 lead")  # the word agrees, live
    expect(console.locator("#leads-empty")).to_be_hidden()
    console.screenshot(path=screenshots / "leads-page-live-desktop.png")

    lead = Lead.objects.get()
    assert (lead.source, lead.phone, lead.site_id) == ("offline_form", "+79123456789", shop.id)

    row.locator(".h-link").click()
    expect(console.locator("#lead-facts")).to_contain_text("+79123456789")
    expect(console.locator("#lead-message")).to_contain_text("насчёт доставки")
    console.screenshot(path=screenshots / "leads-detail-desktop.png")

    phone = browser.new_context(viewport=PHONE).new_page()
    log_in(phone, asgi_server, "olga")
    phone.goto(f"{asgi_server}/console/leads/")
    expect(phone.locator("#leads-rows .lead-row")).to_have_count(1)
    phone.screenshot(path=screenshots / "leads-page-phone.png")
    _phone_visitor, phone_widget = open_widget(browser, asgi_server, shop, PHONE)
    expect(phone_widget.locator("#lc-offline-form")).to_be_visible()
    _phone_visitor.wait_for_timeout(400)
    _phone_visitor.screenshot(path=screenshots / "leads-offline-form-phone.png")

    # "Write in the chat anyway" brings the composer back.
    widget.locator("#lc-offline-done [data-chat-anyway]").click()
    expect(widget.locator("#lc-input")).to_be_visible()
    for page in (console, visitor, phone, _phone_visitor):
        page.context.close()


def test_introducing_renames_the_visitor_in_the_open_dialog(
    asgi_server, browser, screenshots, shop, log_in
):
    console = browser.new_context(viewport=DESKTOP).new_page()
    log_in(console, asgi_server, "olga")
    visitor, widget = open_widget(browser, asgi_server, shop, DESKTOP)
    expect(widget.locator("#lc-offline-form")).to_be_hidden()  # Olga is online
    widget.locator("#lc-input").fill("Do you have the chair in grey?")
    widget.locator("#lc-input").press("Enter")

    card = widget.locator("#lc-introduce")
    expect(card).to_be_visible()
    console.locator("#tab-list .row").first.click()
    expect(console.locator("#dialog-title")).not_to_contain_text("Ivan")
    visitor.screenshot(path=screenshots / "leads-introduce-card.png")

    card.locator("[name=name]").fill("Ivan")
    card.locator("[name=phone]").fill("+7 912 000")
    card.locator("button[type=submit]").click()
    expect(card.locator("[data-field=phone] .lc-field-error")).to_contain_text("valid phone")
    card.locator("[name=phone]").fill("+7 912 345-67-89")
    card.locator("button[type=submit]").click()
    expect(widget.locator(".lc-introduce-thanks")).to_be_visible()
    expect(widget.locator("#lc-introduce")).to_have_count(0, timeout=8000)

    # Olga sees his name in the header, the row and a line in the transcript, live.
    expect(console.locator("#dialog-title")).to_have_text("Ivan")
    expect(console.locator("#tab-list .row .row-name")).to_have_text("Ivan")
    expect(console.locator("#transcript .msg-system").last).to_contain_text("+79123456789")
    console.screenshot(path=screenshots / "leads-introduced-dialog.png")

    # Next time the widget knows him: no card after his first message in a new dialog.
    visitor.reload()
    if not visitor.locator("#livechat-frame").is_visible():
        visitor.click("#livechat-launcher")
    widget = visitor.frame_locator("#livechat-frame")
    widget.locator("#lc-input").fill("One more question")
    widget.locator("#lc-input").press("Enter")
    expect(widget.locator(".lc-msg-visitor:not(.lc-pending)").last).to_contain_text("One more")
    expect(widget.locator("#lc-introduce")).to_have_count(0)
    lead = Lead.objects.get()
    assert (lead.source, lead.name, lead.phone) == ("introduce", "Ivan", "+79123456789")
    for page in (console, visitor):
        page.context.close()
