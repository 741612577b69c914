"""The ASGI server dies under a live conversation (kill -9) and starts again on its port:
the widget and the console show "Reconnecting…", a message the visitor sends meanwhile
waits as pending, and both come back by themselves: the pending message reaches the
console once and the operator's answer reaches the widget once."""

import os
import uuid

import pytest
from helpers import first_message_answered, shop_with
from live_stack import Stack, daphne, database_url_of_test_db, redis_server
from playwright.sync_api import expect

from chat.models import Message

pytestmark = pytest.mark.browser

# The widget and the console back off up to 15 s between attempts; after a few seconds
# down the next attempt may be 4-8 s away.
RECOVERY_MS = 30_000


@pytest.fixture
def restartable_server(transactional_db, tmp_path):
    """Daphne on the test database (Redis: REDIS_URL, or a redis-server of our own) that
    the test can kill and start again on the same port."""
    stack = Stack()
    redis_url = os.environ.get("REDIS_URL")
    if not redis_url:
        redis = redis_server(stack, tmp_path, name="reconnect-redis")
        redis.start()
        redis_url = f"redis://127.0.0.1:{redis.port}/0"
    prefix = f"reconnect{uuid.uuid4().hex[:8]}"
    server = daphne(
        stack,
        {
            "DATABASE_URL": database_url_of_test_db(),
            "REDIS_URL": redis_url,
            "CHANNEL_PREFIX": prefix,
            "CELERY_TASK_DEFAULT_QUEUE": prefix,
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
        },
        name="reconnect-daphne",
    )
    try:
        server.start()
        yield server
    finally:
        stack.stop()


@pytest.fixture
def demo_site(password):
    return shop_with(
        password, "E2E shop", "E2E shop", "e2e-reconnect", operators=[("olga", "Olga")]
    )[0]


def test_widget_and_console_come_back_after_the_server_died(
    restartable_server, browser, screenshots, demo_site, log_in
):
    base_url = f"http://127.0.0.1:{restartable_server.port}"
    console = browser.new_context(viewport={"width": 1280, "height": 800}).new_page()
    log_in(console, base_url, "olga")
    visitor = browser.new_context(viewport={"width": 1280, "height": 800}).new_page()
    widget = first_message_answered(visitor, console, base_url, demo_site)
    expect(widget.locator("#lc-operator")).to_contain_text("Olga")
    widget_status = widget.locator("#lc-status")
    console_status = console.locator("#conn-status")
    expect(widget_status).to_be_hidden()
    expect(console_status).to_be_hidden()

    restartable_server.kill()

    expect(widget_status).to_be_visible()
    expect(widget_status).to_contain_text("Reconnecting")
    expect(console_status).to_be_visible()
    expect(console_status).to_contain_text("Reconnecting")
    widget.locator("#lc-input").fill("Sent while the server was down")
    widget.locator("#lc-input").press("Enter")
    pending = widget.locator(".lc-msg-visitor.lc-pending")
    expect(pending).to_have_count(1)
    expect(pending).to_contain_text("Sent while the server was down")
    visitor.screenshot(path=screenshots / "reconnect-1-widget-reconnecting.png")
    console.screenshot(path=screenshots / "reconnect-2-console-reconnecting.png")

    restartable_server.start()

    expect(widget_status).to_be_hidden(timeout=RECOVERY_MS)
    expect(console_status).to_be_hidden(timeout=RECOVERY_MS)
    expect(pending).to_have_count(0)
    sent_in_outage = console.locator(".msg-visitor", has_text="Sent while the server was down")
    expect(sent_in_outage).to_have_count(1)
    console.fill("#composer-text", "Yes, it left the warehouse this morning.")
    console.press("#composer-text", "Enter")
    answer = widget.locator(".lc-msg-operator", has_text="left the warehouse")
    expect(answer).to_have_count(1)

    # Once on each screen and once in the database, after a moment for late repeats too.
    visitor.wait_for_timeout(1500)
    expect(widget.locator(".lc-msg-visitor", has_text="while the server was down")).to_have_count(1)
    expect(widget.locator(".lc-msg-operator")).to_have_count(1)
    expect(sent_in_outage).to_have_count(1)
    expect(console.locator(".msg-operator", has_text="left the warehouse")).to_have_count(1)
    visitor.screenshot(path=screenshots / "reconnect-3-widget-back.png")
    console.screenshot(path=screenshots / "reconnect-4-console-back.png")
    texts = list(
        Message.objects.exclude(author_kind="system").order_by("id").values_list("text", flat=True)
    )
    assert texts == [
        "Hello, is my order on its way?",
        "Sent while the server was down",
        "Yes, it left the warehouse this morning.",
    ]
    for page in (console, visitor):
        page.context.close()
