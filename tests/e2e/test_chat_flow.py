"""A visitor and an operator chat live, each in a real Chromium, against a real Daphne."""

import pytest
from helpers import shop_with
from playwright.sync_api import expect

from chat.models import Dialog, Message

pytestmark = pytest.mark.browser


@pytest.fixture
def demo_site(password):
    return shop_with(password, "E2E shop", "E2E shop", "e2e-key", operators=[("olga", "Olga")])[0]


def test_visitor_and_operator_talk_live(asgi_server, browser, screenshots, demo_site, log_in):
    console_ctx = browser.new_context(viewport={"width": 1280, "height": 800})
    console = console_ctx.new_page()
    log_in(console, asgi_server, "olga")
    expect(console.locator("#tab-empty")).to_be_visible()

    visitor_ctx = browser.new_context(viewport={"width": 1280, "height": 800})
    visitor = visitor_ctx.new_page()
    visitor.goto(f"{asgi_server}/demo/?site={demo_site.widget_key}&utm_source=e2e")
    visitor.click("#livechat-launcher")
    widget = visitor.frame_locator("#livechat-frame")
    widget.locator("#lc-input").fill("Hello, do you ship to Kazan?")
    widget.locator("#lc-input").press("Enter")
    expect(widget.locator(".lc-msg-visitor").last).to_contain_text("ship to Kazan")
    expect(widget.locator(".lc-msg-visitor.lc-pending")).to_have_count(0)

    # The operator's Mine tab shows the new dialog without a reload.
    row = console.locator("#tab-list .row").first
    expect(row).to_contain_text("ship to Kazan")
    expect(console.locator("[data-count=mine]")).to_have_text("1")
    console.screenshot(path=screenshots / "1-console-new-dialog.png")

    row.click()
    expect(console.locator("#connect-dialog")).to_be_visible()
    expect(console.locator("#composer-text")).to_have_count(0)  # read-only until connected
    console.click("#connect-dialog")
    console.fill("#composer-text", "Yes, delivery to Kazan takes two days.")
    console.press("#composer-text", "Enter")
    expect(console.locator(".msg-operator:not(.msg-pending)").last).to_contain_text("two days")

    expect(widget.locator("#lc-operator")).to_contain_text("Olga")
    expect(widget.locator(".lc-msg-operator").last).to_contain_text("two days")
    widget.locator("#lc-input").fill("Great, thank you!")
    widget.locator("#lc-input").press("Enter")
    expect(console.locator(".msg-visitor").last).to_contain_text("thank you")
    visitor.screenshot(path=screenshots / "2-widget-answered.png")
    console.screenshot(path=screenshots / "3-console-dialog.png")

    # After a reload the visitor sees the whole conversation, once.
    visitor.reload()
    if not visitor.locator("#livechat-frame").is_visible():
        visitor.click("#livechat-launcher")
    widget = visitor.frame_locator("#livechat-frame")
    expect(widget.locator(".lc-msg-operator")).to_have_count(1)
    expect(widget.locator(".lc-msg-visitor")).to_have_count(2)

    # Ending the dialog tells the visitor and moves it out of Mine.
    console.click(".dialog-menu summary")
    console.click("#end-dialog")
    expect(console.locator(".note")).to_contain_text("ended")
    expect(widget.locator(".lc-msg-system").last).to_contain_text("ended")
    expect(console.locator("#tab-list .row")).to_have_count(0)
    visitor.screenshot(path=screenshots / "4-widget-ended.png")

    dialog = Dialog.objects.get()
    assert dialog.status == Dialog.Status.CLOSED
    texts = list(dialog.messages.exclude(author_kind="system").values_list("text", flat=True))
    assert texts == [
        "Hello, do you ship to Kazan?",
        "Yes, delivery to Kazan takes two days.",
        "Great, thank you!",
    ]
    assert dialog.visit.utm == {"utm_source": "e2e"}
    assert Message.objects.filter(author_kind="system").count() == 2
    console_ctx.close()
    visitor_ctx.close()
