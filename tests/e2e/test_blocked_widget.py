"""A blocked visitor in a real browser: every form of the widget goes (the composer, the
"introduce yourself" card, the offline form) and one neutral line stays, which names no
operator and does not say he is blocked."""

import json
import re

import pytest
from helpers import DESKTOP, PHONE, open_console, open_widget, shop_with
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

UNAVAILABLE = {"en": "The chat is not available.", "ru": "Чат недоступен."}
TELLING = ("block", "заблок", "network", "сети", "pavel")


def telling_words(text: str) -> list[str]:
    return [word for word in TELLING if word in text.lower()]


@pytest.mark.parametrize(
    ("viewport", "language"), [(DESKTOP, "en"), (PHONE, "ru")], ids=["desktop-en", "phone-ru"]
)
def test_a_blocked_visitor_sees_no_form_and_a_neutral_line(
    asgi_server, browser, screenshots, password, log_in, viewport, language
):
    site, _staff = shop_with(
        password,
        "Block shop",
        "block.example",
        f"block-{language}",
        operators=(("pavel", "Pavel"),),
        language=language,
        site_language=language,
    )
    pavel = open_console(browser, asgi_server, log_in, "pavel", viewport=viewport)
    visitor, widget = open_widget(browser, asgi_server, site, viewport=viewport)
    widget.locator("#lc-input").fill("You are all idiots")
    widget.locator("#lc-input").press("Enter")
    expect(widget.locator("#lc-introduce")).to_be_visible()

    pavel.locator("#tab-list .row").first.click()
    pavel.click("#connect-dialog")
    expect(widget.locator("#lc-operator")).to_have_text("Pavel")
    # Pavel goes offline: the widget offers the offline form instead of the composer.
    pavel.click(".me summary")
    pavel.click("button[name=status][value=offline]")
    expect(widget.locator("#lc-offline-form")).to_be_visible()
    expect(widget.locator("#lc-composer")).to_be_hidden()

    pavel.click(".dialog-menu summary")
    pavel.click("#block-visitor summary")
    pavel.fill("#block-reason", "Insults")
    pavel.click("#block-confirm")

    notice = widget.locator("#lc-unavailable")
    expect(notice).to_have_text(UNAVAILABLE[language])
    expect(notice).to_be_in_viewport()
    for form in ("#lc-composer", "#lc-offline-wrap", "#lc-offline-form", "#lc-input"):
        expect(widget.locator(form)).to_be_hidden()
    expect(widget.locator("#lc-introduce")).to_have_count(0)
    expect(widget.locator("#lc-status")).to_be_hidden()
    expect(widget.locator("#lc-agent")).to_be_hidden()  # the header no longer names Pavel
    # No line about the end: the one system line is Pavel's joining (he answered by name).
    system_lines = widget.locator(".lc-msg-system .lc-system-text").all_inner_texts()
    assert len(system_lines) == 1 and "Pavel" in system_lines[0], system_lines
    assert telling_words(system_lines[0].replace("Pavel", "")) == [], system_lines
    assert telling_words(widget.locator("#lc-unavailable").inner_text()) == []
    words = widget.locator("#lc-i18n").evaluate("n => Object.values(n.dataset).join(' | ')")
    assert telling_words(words) == [], words  # nor any text the widget could show
    visitor.screenshot(path=screenshots / f"blocked-widget-{language}.png")
    # The console keeps the whole story.
    expect(pavel.locator("#transcript .msg-system").last).to_contain_text("Pavel")

    # He reloads: the chat's button does not come back (the frame never says it is ready),
    # and the frame itself, opened directly, is the neutral page with no form at all.
    visitor.reload()
    expect(visitor.locator("#livechat-frame")).to_have_count(1)
    expect(visitor.locator("#livechat-launcher")).to_be_hidden()
    visitor.goto(f"{asgi_server}/widget/{site.widget_key}/")
    expect(visitor.locator("#lc-unavailable")).to_have_text(UNAVAILABLE[language])
    expect(visitor.locator("form")).to_have_count(0)
    assert telling_words(visitor.locator("body").inner_text()) == []
    visitor.screenshot(path=screenshots / f"blocked-widget-page-{language}.png")
    visitor.context.close()
    pavel.context.close()


def test_an_error_frame_is_shown_in_the_widgets_words(
    asgi_server, browser, password, screenshots, log_in
):
    """The server's error detail is English and meant for developers: a Russian widget
    shows its own words. A frame the real server refuses ("text" not a string) is made by
    altering the widget's frame on the wire, as a broken client would send it."""
    site, _staff = shop_with(password, "Error shop", "error.example", "err-ru", site_language="ru")
    console = open_console(browser, asgi_server, log_in, "vera", viewport=DESKTOP)  # online
    context = browser.new_context(viewport=PHONE)

    def alter(ws):
        server = ws.connect_to_server()

        def to_server(message):
            frame = json.loads(message)
            if frame.get("type") == "message" and frame.get("text") == "break me":
                frame["text"] = 12345
            server.send(json.dumps(frame))

        ws.on_message(to_server)

    context.route_web_socket(re.compile(r"/ws/visitor/"), alter)
    page = context.new_page()
    page.goto(f"{asgi_server}/demo/?site={site.widget_key}")
    page.click("#livechat-launcher")
    widget = page.frame_locator("#livechat-frame")
    expect(widget.locator("#lc-presence-text")).to_have_text("Отвечаем за несколько минут")
    widget.locator("#lc-input").fill("break me")
    widget.locator("#lc-input").press("Enter")
    expect(widget.locator("#lc-error")).to_have_text("Сообщение не отправлено. Попробуйте ещё раз.")
    expect(widget.locator("#lc-error")).to_be_visible()
    expect(widget.locator(".lc-failed .lc-meta")).to_have_text("Не отправлено")
    page.screenshot(path=screenshots / "widget-error-ru.png")
    context.close()
    console.context.close()
