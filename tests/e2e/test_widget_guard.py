"""Hostile-input guards as a browser sees them, against a real Daphne: the widget frame
only inside the site's pages (frame-ancestors), and a rate-limited message kept and noted
in the widget."""

import json
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from chat.models import Message, Site
from operators.models import Account

pytestmark = pytest.mark.browser

SCREENS = Path(__file__).resolve().parents[2] / "test-artifacts/screens"


@pytest.fixture
def screens():
    folder = SCREENS / "widget-guard"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def make_site(domains: str) -> Site:
    account = Account.objects.create(name="Guarded shop")
    return Site.objects.create(account=account, name="Guarded shop", domains=domains)


def host_page(httpserver, chat_base: str, site: Site) -> str:
    """A customer's page on another origin (another port) that embeds the widget."""
    httpserver.expect_request("/shop").respond_with_data(
        "<!doctype html><html><body><h1>Shop</h1>"
        f'<script src="{chat_base}/static/chat/embed.js" data-site="{site.widget_key}"></script>'
        "</body></html>",
        content_type="text/html",
    )
    return httpserver.url_for("/shop")


def test_the_widget_shows_only_on_the_sites_pages(asgi_server, browser, httpserver, screens):
    allowed = make_site("localhost")  # the host page's host (httpserver's), any port
    elsewhere = make_site("shop.example *.shop.example")
    page = browser.new_page(viewport={"width": 1000, "height": 760})

    page.goto(host_page(httpserver, asgi_server, allowed))
    page.click("#livechat-launcher")
    widget = page.frame_locator("#livechat-frame")
    # Connected (hello came): nobody is online, so the offline form shows.
    expect(widget.locator("#lc-offline-title")).to_be_visible()
    page.screenshot(path=screens / "1-widget-on-the-sites-page.png")

    httpserver.clear()
    with page.expect_console_message(lambda m: "frame-ancestors" in m.text) as refused:
        page.goto(host_page(httpserver, asgi_server, elsewhere))
    assert "violates" in refused.value.text
    page.evaluate("window.LiveChat && window.LiveChat.open()")
    page.screenshot(path=screens / "2-widget-refused-on-a-foreign-page.png")
    page.close()


@pytest.fixture
def two_messages_a_minute(monkeypatch):
    # Read by the server process that asgi_server starts after this fixture.
    monkeypatch.setenv("CHAT_RATE_MESSAGES_PER_VISITOR", "2")


def test_a_rate_limited_message_stays_and_says_so(
    two_messages_a_minute, asgi_server, browser, screens
):
    site = make_site("")
    context = browser.new_context(viewport={"width": 1000, "height": 760})
    context.clock.install()  # time runs as usual until the test jumps it ahead
    page = context.new_page()
    sockets, sent = [], []
    page.on("websocket", lambda ws: sockets.append(ws))
    page.on("websocket", lambda ws: ws.on("framesent", lambda frame: sent.append(frame)))
    page.goto(f"{asgi_server}/demo/?site={site.widget_key}")
    page.click("#livechat-launcher")
    widget = page.frame_locator("#livechat-frame")
    widget.locator("#lc-offline-wrap [data-chat-anyway]").first.click()  # nobody online
    for text in ("one", "two"):
        widget.locator("#lc-input").fill(text)
        widget.locator("#lc-input").press("Enter")
        expect(widget.locator(".lc-msg-visitor.lc-pending")).to_have_count(0)

    widget.locator("#lc-input").fill("three")
    widget.locator("#lc-input").press("Enter")

    third = widget.locator(".lc-msg-visitor").last
    expect(third.locator(".lc-meta")).to_have_text("Too many messages: it will be sent in a moment")
    expect(third).to_have_class(re.compile(r"\blc-pending\b"))
    expect(third).not_to_have_class(re.compile(r"\blc-failed\b"))
    expect(widget.locator("#lc-error")).to_be_visible()
    page.screenshot(path=screens / "3-widget-rate-limited.png")
    assert list(Message.objects.order_by("id").values_list("text", flat=True)) == ["one", "two"]

    # It waits (no resend every 10 s meanwhile), then goes again by itself, the same
    # message: retry_after is at most the rest of a minute.
    first_try = [json.loads(frame) for frame in sent if '"three"' in frame]
    assert len(first_try) == 1
    with sockets[-1].expect_event("framesent", lambda frame: '"three"' in frame) as retry:
        context.clock.fast_forward(61_000)
    assert json.loads(retry.value)["client_id"] == first_try[0]["client_id"]
    context.close()
