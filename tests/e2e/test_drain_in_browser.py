"""A rolling restart under a live conversation, in Chromium: the widget and the console
talk through a load balancer (a TCP proxy) to server A; server B starts, the proxy sends
new connections to B, and A gets SIGTERM (config/serve.py). A closes both sockets with
4012; they reconnect to B by themselves without showing "Reconnecting…" or an error, and
a message the visitor types right after reaches the operator once (and the answer the
widget)."""

import asyncio
import os
import threading
import uuid

import pytest
from helpers import first_message_answered, shop_with, watch_errors
from live_stack import Stack, TcpProxy, database_url_of_test_db, redis_server, serve
from playwright.sync_api import expect

from chat.models import Message

pytestmark = pytest.mark.browser

VIEWPORT = {"width": 1280, "height": 800}

# In every page and frame: the close codes its sockets got, and every time the connection
# status or an error line was shown (ids of the widget's and the console's elements).
RECORDER = """
window.__closeCodes = [];
window.__shown = [];
(function () {
  var Native = window.WebSocket;
  window.WebSocket = class extends Native {
    constructor(...args) {
      super(...args);
      this.addEventListener("close", function (event) { window.__closeCodes.push(event.code); });
    }
  };
  document.addEventListener("DOMContentLoaded", function () {
    ["lc-status", "lc-error", "conn-status"].forEach(function (id) {
      var element = document.getElementById(id);
      if (!element) return;
      new MutationObserver(function () {
        if (!element.hidden) window.__shown.push(id + ": " + element.textContent.trim());
      }).observe(element, { attributes: true, attributeFilter: ["hidden"] });
    });
  });
})();
"""


class LoadBalancer:
    """A TcpProxy on a thread of its own (Playwright's sync API holds this one): new
    connections go to the server it points at; open ones stay where they are."""

    def __init__(self, port: int):
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        self.proxy = TcpProxy(port)
        asyncio.run_coroutine_threadsafe(self.proxy.start(), self.loop).result(10)
        self.port = self.proxy.port

    def point_to(self, port: int) -> None:
        self.loop.call_soon_threadsafe(setattr, self.proxy, "target", ("127.0.0.1", port))

    def close(self) -> None:
        asyncio.run_coroutine_threadsafe(self.proxy.close(), self.loop).result(10)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)


@pytest.fixture
def rolling(transactional_db, tmp_path):
    """Servers A (started) and B (not yet) on the test database and one Redis, behind a
    load balancer pointing at A."""
    stack = Stack()
    redis_url = os.environ.get("REDIS_URL")
    if not redis_url:
        redis = redis_server(stack, tmp_path, name="drain-redis")
        redis.start()
        redis_url = f"redis://127.0.0.1:{redis.port}/0"
    prefix = f"drain{uuid.uuid4().hex[:8]}"
    env = {
        "DATABASE_URL": database_url_of_test_db(),
        "REDIS_URL": redis_url,
        "CHANNEL_PREFIX": prefix,
        "CELERY_TASK_DEFAULT_QUEUE": prefix,
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DRAIN_SPREAD_SECONDS": "1",
        "DRAIN_TIMEOUT_SECONDS": "20",
    }
    a = serve(stack, env, name="drain-a")
    b = serve(stack, env, name="drain-b")
    a.start()
    balancer = LoadBalancer(a.port)
    try:
        yield a, b, balancer
    finally:
        balancer.close()
        stack.stop()


@pytest.fixture
def demo_site(password):
    return shop_with(password, "E2E shop", "E2E shop", "e2e-drain", operators=[("olga", "Olga")])[0]


def widget_frame(page):
    return next(frame for frame in page.frames if "/widget/" in frame.url)


def test_widget_and_console_move_to_the_new_server_without_a_word(
    rolling, browser, screenshots, demo_site, log_in
):
    a, b, balancer = rolling
    base_url = f"http://127.0.0.1:{balancer.port}"
    console_context = browser.new_context(viewport=VIEWPORT)
    console_context.add_init_script(RECORDER)
    console = console_context.new_page()
    log_in(console, base_url, "olga")
    visitor_context = browser.new_context(viewport=VIEWPORT)
    visitor_context.add_init_script(RECORDER)
    visitor = visitor_context.new_page()
    problems = watch_errors(console, visitor)
    widget = first_message_answered(visitor, console, base_url, demo_site)
    expect(widget.locator("#lc-operator")).to_contain_text("Olga")
    expect(widget.locator("#lc-status")).to_be_hidden()
    expect(console.locator("#conn-status")).to_be_hidden()
    frame = widget_frame(visitor)
    for page in (frame, console):
        page.evaluate("window.__shown = []")

    b.start()
    balancer.point_to(b.port)
    a.terminate()

    frame.wait_for_function("() => window.__closeCodes.length > 0")
    widget.locator("#lc-input").fill("Typed right after the restart")
    widget.locator("#lc-input").press("Enter")
    assert a.process.wait(timeout=40) == 0, a.log_tail()
    assert "drained in" in a.log_tail(), a.log_tail()
    typed = console.locator(".msg-visitor", has_text="Typed right after the restart")
    expect(typed).to_have_count(1)
    expect(widget.locator(".lc-msg-visitor.lc-pending")).to_have_count(0)
    console.fill("#composer-text", "Yes, it left the warehouse this morning.")
    console.press("#composer-text", "Enter")
    answer = widget.locator(".lc-msg-operator", has_text="left the warehouse")
    expect(answer).to_have_count(1)
    visitor.screenshot(path=screenshots / "drain-1-widget-after-restart.png")
    console.screenshot(path=screenshots / "drain-2-console-after-restart.png")

    # Each socket was closed once, with 4012, and nothing was shown to either person.
    assert frame.evaluate("window.__closeCodes") == [4012]
    assert console.evaluate("window.__closeCodes") == [4012]
    assert frame.evaluate("window.__shown") == []
    assert console.evaluate("window.__shown") == []
    expect(widget.locator("#lc-status")).to_be_hidden()
    expect(widget.locator("#lc-error")).to_be_hidden()
    expect(console.locator("#conn-status")).to_be_hidden()
    texts = list(
        Message.objects.exclude(author_kind="system").order_by("id").values_list("text", flat=True)
    )
    assert texts == [
        "Hello, is my order on its way?",
        "Typed right after the restart",
        "Yes, it left the warehouse this morning.",
    ]
    assert problems == []
    for page in (console, visitor):
        page.context.close()
