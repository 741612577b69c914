"""The widget's cost to a shop's page (issue 20), in a real Chromium on the demo page:
until the page has loaded, the widget is its loader alone (no chat frame, no socket); the
frame comes when the browser is idle, or at once when the visitor opens the chat; the
launcher and the frame never shift the page's layout. bench/page_weight.py measures it."""

import pytest
from helpers import DESKTOP, PHONE, shop_with, watch_errors
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

# Runs before the page's own scripts: the widget's state at the load event (the embed
# script is async, and async scripts hold the load event) and every layout shift.
WATCH = """
window.__cost = {
  shifts: [], supported: PerformanceObserver.supportedEntryTypes.includes("layout-shift"),
};
new PerformanceObserver(function (list) {
  list.getEntries().forEach(function (entry) {
    if (entry.hadRecentInput) return;
    window.__cost.shifts.push({value: entry.value, sources: (entry.sources || []).map(function (s) {
      var node = s.node;
      while (node && node.nodeType !== 1) node = node.parentNode;
      return node ? (node.id || node.nodeName) : "";
    })});
  });
}).observe({type: "layout-shift", buffered: true});
window.addEventListener("load", function () {
  var frame = document.getElementById("livechat-frame");
  window.__cost.atLoad = {
    launcher: !!document.getElementById("livechat-launcher"),
    frameSrc: frame ? frame.getAttribute("src") || "" : null,
    resources: performance.getEntriesByType("resource").map(function (e) { return e.name; }),
  };
});
"""


def wait_until(page, condition, timeout_s=10.0):
    for _ in range(int(timeout_s * 10)):
        if condition():
            return
        page.wait_for_timeout(100)  # Playwright's events arrive while it waits
    raise AssertionError("condition not met")


def visit(browser, base_url, site, viewport):
    page = browser.new_context(viewport=viewport).new_page()
    requests = []
    page.on("request", lambda request: requests.append(request.url))
    sockets = []
    page.on("websocket", lambda socket: sockets.append(socket.url))
    page.add_init_script(WATCH)
    page.goto(f"{base_url}/demo/?site={site.widget_key}")
    return page, requests, sockets


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_until_the_page_has_loaded_the_widget_is_its_loader_alone(
    asgi_server, browser, password, screenshots, viewport
):
    site, _ = shop_with(password, "Cost shop", "Cost shop", "e2e-cost-key")
    page, requests, sockets = visit(browser, asgi_server, site, viewport)
    problems = watch_errors(page)

    at_load = page.evaluate("window.__cost.atLoad")
    assert at_load["launcher"] is True  # the loader ran before the load event
    assert at_load["frameSrc"] == ""  # and asked for no chat frame yet
    assert any(url.endswith("/static/chat/embed.js") for url in at_load["resources"])
    assert not [url for url in at_load["resources"] if "/widget/" in url or "/ws/" in url]

    # The page idle, the frame loads and connects: the closed launcher shows, so unread
    # counts and invitations reach the visitor before he opens the chat.
    launcher = page.locator("#livechat-launcher")
    expect(launcher).to_be_visible()
    expect(launcher).to_have_attribute("aria-expanded", "false")
    page.wait_for_function("() => document.querySelector('#livechat-frame').src !== ''")
    assert any(f"/widget/{site.widget_key}/" in url for url in requests)
    wait_until(page, lambda: len(sockets) == 1)  # the frame's socket, before any click

    launcher.click()
    widget = page.frame_locator("#livechat-frame")
    expect(widget.locator("#lc-title")).to_be_visible()
    # The panel has faded in (its transition over): the screenshot shows the open chat.
    page.wait_for_function(
        "() => getComputedStyle(document.querySelector('#livechat-frame')).opacity === '1'"
    )
    page.screenshot(path=screenshots / f"widget-cost-open-{viewport['width']}.png")

    cost = page.evaluate("window.__cost")
    assert cost["supported"] is True  # the browser reports layout shifts at all
    assert cost["shifts"] == []  # not the launcher, not the frame, not the open chat
    assert problems == []
