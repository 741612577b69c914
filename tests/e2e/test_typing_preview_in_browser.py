"""Typing preview in real browsers: the operator connected to the dialog reads the
visitor's draft before he sends it; with the site's setting off he sees only "typing…"
and no draft leaves the widget."""

import json
from pathlib import Path

import pytest
from helpers import shop_with
from playwright.sync_api import expect

from chat.models import Dialog, Site

pytestmark = pytest.mark.browser

SHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screens" / "typing"
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
TEXTS = {
    "en": {"preview": "{name} is typing: «{text}»", "typing": "Visitor is typing…"},
    "ru": {"preview": "{name} печатает: «{text}»", "typing": "Посетитель печатает…"},
}
# Script-bearing: it must show as text, and nothing may run or be added to the page.
DRAFT = 'Where is my order <img src=x onerror="window.pwned=1"><b>#42</b>'


@pytest.fixture
def shop(password, request):
    language = request.node.callspec.params["language"]
    site, _ = shop_with(
        password, "Typing shop", "Typing shop", "typing-key", (("anna", "Anna"),),
        language=language, site_language=language,
    )  # fmt: skip
    return site


def typing_frames_sent(page):
    """The typing frames the widget's socket sends, as they go (the frame's socket)."""
    sent = []

    def on_socket(ws):
        if "/ws/visitor/" in ws.url:
            ws.on("framesent", lambda payload: sent.append(json.loads(payload)))

    page.on("websocket", on_socket)
    return lambda: [frame for frame in sent if frame.get("type") == "typing"]


@pytest.mark.parametrize(("language", "viewport"), [("en", DESKTOP), ("ru", PHONE)])
def test_the_connected_operator_reads_the_draft_before_it_is_sent(
    asgi_server, browser, shop, log_in, language, viewport
):
    texts = TEXTS[language]
    shots = SHOTS
    shots.mkdir(parents=True, exist_ok=True)
    name = f"{language}-{'phone' if viewport is PHONE else 'desktop'}"

    anna_ctx = browser.new_context(viewport=viewport, locale=language)
    anna = anna_ctx.new_page()
    log_in(anna, asgi_server, "anna")
    visitor_ctx = browser.new_context(viewport=viewport, locale=language)
    visitor = visitor_ctx.new_page()
    typing_sent = typing_frames_sent(visitor)
    visitor.goto(f"{asgi_server}/demo/?site={shop.widget_key}")
    visitor.click("#livechat-launcher")
    widget = visitor.frame_locator("#livechat-frame")
    widget.locator("#lc-input").fill("Hello")
    widget.locator("#lc-input").press("Enter")
    expect(widget.locator(".lc-msg-visitor:not(.lc-pending)")).to_have_count(1)
    dialog = Dialog.objects.get()
    # Before an operator is connected, the draft stays in the browser.
    widget.locator("#lc-input").press_sequentially("Hi", delay=20)
    widget.locator("#lc-input").fill("")

    # Anna opens the dialog and connects: from now on she reads his drafts.
    anna.goto(f"{asgi_server}/console/dialogs/{dialog.id}/")
    anna.click("#connect-dialog")
    expect(anna.locator("#composer-text")).to_be_visible()
    expect(widget.locator("#lc-operator")).to_have_text("Anna")
    assert not [frame for frame in typing_sent() if "text" in frame]
    visitor_name = anna.locator("#dialog-title").inner_text().strip()

    widget.locator("#lc-input").press_sequentially(DRAFT, delay=15)
    typing = anna.locator("#typing")
    expect(typing).to_have_text(texts["preview"].format(name=visitor_name, text=DRAFT))
    expect(anna.locator(".msg-visitor")).to_have_count(1)  # not sent yet
    assert typing.locator("*").count() == 0  # the draft is text: no element injected
    assert anna.evaluate("window.pwned") is None
    anna.screenshot(path=shots / f"{name}-1-operator-reads-draft.png")
    visitor.screenshot(path=shots / f"{name}-2-visitor-typing.png")
    drafts = [frame for frame in typing_sent() if "text" in frame]
    # Throttled: far fewer frames than keystrokes, the last one is the whole draft.
    assert 1 < len(drafts) < len(DRAFT) / 3
    assert drafts[-1]["text"] == DRAFT

    # He sends: the message replaces the draft.
    widget.locator("#lc-input").press("Enter")
    expect(anna.locator(".msg-visitor").last).to_contain_text("Where is my order")
    expect(typing).to_be_hidden()
    assert anna.evaluate("window.pwned") is None
    assert typing_sent()[-1] == {"type": "typing", "typing": False}
    anna.screenshot(path=shots / f"{name}-3-message-replaces-draft.png")

    # The site turns the preview off: the widget (reloaded) sends no draft, Anna sees only
    # that he types.
    Site.objects.filter(pk=shop.pk).update(typing_preview=False)
    visitor.reload()
    launcher = visitor.locator("#livechat-launcher")
    expect(launcher).to_have_attribute("aria-expanded", "true")  # the panel stays open
    widget = visitor.frame_locator("#livechat-frame")
    expect(widget.locator("#lc-operator")).to_have_text("Anna")
    before = len(typing_sent())
    widget.locator("#lc-input").press_sequentially("my secret draft", delay=30)
    expect(typing).to_have_text(texts["typing"])
    assert typing_sent()[before:] and all("text" not in f for f in typing_sent()[before:])
    anna.screenshot(path=shots / f"{name}-4-setting-off-typing-only.png")
    anna_ctx.close()
    visitor_ctx.close()
