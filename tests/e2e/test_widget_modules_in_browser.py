"""The chat frame runs as native ES modules (static/chat/widget.js and static/chat/widget/,
no build step) on a phone and a desktop: every module loads without an error, the classic
scripts around them (human-size.js before, widget-leads.js after) still find what they
need, and a visitor chats with an operator and sends a file."""

import pytest
from helpers import DESKTOP, PHONE, open_console, open_widget, shop_with
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

# New messages fade in (widget.css, lc-in): the screenshot waits for them to end.
FADE_INS_DONE = """Promise.all(document.getAnimations()
  .filter(a => a.effect.getTiming().iterations !== Infinity).map(a => a.finished))"""


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_the_module_widget_chats_and_sends_a_file(
    asgi_server, browser, screenshots, password, log_in, viewport
):
    site, _ = shop_with(password, "Module shop", "Module shop", "modules-key", (("olga", "Olga"),))
    console = open_console(browser, asgi_server, log_in, "olga", viewport=DESKTOP)
    expect(console.locator("#tab-empty")).to_be_visible()

    errors = []
    visitor, widget = open_widget(browser, asgi_server, site, viewport=viewport)
    visitor.on("pageerror", lambda error: errors.append(str(error)))
    visitor.on("console", lambda m: m.type == "error" and errors.append(m.text))
    # A failed load names only its status in the console: say which address it was.
    visitor.on("response", lambda r: r.status >= 400 and errors.append(f"{r.status} {r.url}"))
    frame = next(f for f in visitor.frames if "/widget/modules-key/" in f.url)
    expect(widget.locator("#lc-send")).to_be_disabled()  # the modules ran: state set
    assert frame.evaluate("typeof window.LiveWidget.on") == "function"

    widget.locator("#lc-input").fill("Hello, is the red kettle in stock?")
    widget.locator("#lc-input").press("Enter")
    expect(widget.locator(".lc-msg-visitor").last).to_contain_text("red kettle")
    expect(widget.locator(".lc-msg-visitor.lc-pending")).to_have_count(0)
    expect(widget.locator(".lc-msg-visitor .lc-meta").last).not_to_be_empty()

    row = console.locator("#tab-list .row").first
    expect(row).to_contain_text("red kettle")
    row.click()
    console.click("#connect-dialog")
    console.fill("#composer-text", "Yes, we have three left.")
    console.press("#composer-text", "Enter")
    expect(widget.locator("#lc-operator")).to_have_text("Olga")
    expect(widget.locator(".lc-msg-operator").last).to_contain_text("three left")

    widget.locator("#lc-file").set_input_files(
        files=[{"name": "order.txt", "mimeType": "text/plain", "buffer": b"kettle x1\n"}]
    )
    sent = widget.locator(".lc-msg-visitor .lc-att-file").last
    expect(sent.locator(".lc-att-name")).to_have_text("order.txt")
    expect(sent.locator(".lc-att-size")).to_have_text("· 10 B")  # human-size.js, shared
    expect(widget.locator(".lc-upload")).to_have_count(0)  # the stored message took its place
    expect(console.locator("#transcript .att-name")).to_have_text("order.txt")

    size = "phone" if viewport is PHONE else "desktop"
    frame.evaluate(FADE_INS_DONE)
    visitor.screenshot(path=screenshots / f"widget-modules-{size}.png")
    assert errors == []
    visitor.context.close()
    console.context.close()
