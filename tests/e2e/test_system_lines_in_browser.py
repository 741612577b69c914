"""System lines in each reader's language, in real browsers on a phone-sized screen: the
visitor's widget follows his browser's language, the operator's console his own, and a
reload of the visitor's page (the widget replays the dialog) keeps the widget's."""

from pathlib import Path

import pytest
from helpers import shop_with
from playwright.sync_api import expect

from chat.models import Dialog

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
SHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screens" / "system-lines"
JOINED = {
    "en": "Ivan joined the dialog",
    "ru": "Оператор Ivan подключился к диалогу",
}


@pytest.mark.parametrize("visitor_language", ["en", "ru"])
def test_the_widget_and_the_console_each_read_the_join_in_their_language(
    asgi_server, browser, password, log_in, visitor_language
):
    console_language = "ru" if visitor_language == "en" else "en"
    shop_with(
        password, "Lines shop", "Lines shop", f"lines-{visitor_language}", (("ivan", "Ivan"),),
        language=console_language, site_language="",  # the widget follows the browser
    )  # fmt: skip
    shots = SHOTS / f"{visitor_language}-widget"
    shots.parent.mkdir(parents=True, exist_ok=True)

    # The operator is at his console first: with nobody online the widget offers the
    # leave-a-message form instead of its composer.
    console = browser.new_context(viewport=PHONE, locale=visitor_language).new_page()
    log_in(console, asgi_server, "ivan")

    visitor = browser.new_context(viewport=PHONE, locale=visitor_language).new_page()
    visitor.goto(f"{asgi_server}/demo/?site=lines-{visitor_language}")
    visitor.click("#livechat-launcher")
    widget = visitor.frame_locator("#livechat-frame")
    widget.locator("#lc-input").fill("Hello?")
    widget.locator("#lc-input").press("Enter")
    expect(widget.locator(".lc-msg-visitor:not(.lc-pending)")).to_have_count(1)

    dialog = Dialog.objects.get()
    console.goto(f"{asgi_server}/console/dialogs/{dialog.id}/")
    console.locator("form.connect button").click()
    expect(console.locator(".msg > .msg-system")).to_have_text(JOINED[console_language])
    console.screenshot(path=f"{shots}-console.png")

    line = widget.locator(".lc-system-text")
    expect(line).to_have_text(JOINED[visitor_language])
    visitor.screenshot(path=f"{shots}-live.png")

    visitor.reload()  # the widget comes back open and replays the dialog
    expect(widget.locator(".lc-system-text")).to_have_text(JOINED[visitor_language])
    visitor.screenshot(path=f"{shots}-replayed.png")
