"""A dialog whose visitor left ends by itself (chat/dialogs/autoclose.py), seen in real browsers on
the `make run` stack: Celery beat ends it, the row leaves the operator's console live, and
the visitor finds the closing line when he comes back. "waiting N min" shows only while
the visitor's last message is unanswered."""

import time
from datetime import timedelta

import pytest
from django.utils import timezone
from helpers import DESKTOP, PHONE, open_console, shop_with
from playwright.sync_api import expect

from chat.models import Dialog, Message, Visitor

pytestmark = pytest.mark.browser

TEXTS = {
    "en": {
        "line": "The dialog was closed automatically after 30 minutes without messages",
        "waiting": "waiting 0 min",
        "ended": "This dialog has ended.",
    },
    "ru": {
        "line": "Диалог завершён автоматически после 30 минут без сообщений",
        "waiting": "ждёт 0 мин",
        "ended": "Этот диалог завершён.",
    },
}


@pytest.fixture
def asgi_server_env():
    return {"CHAT_AUTO_CLOSE_CHECK_SECONDS": "1"}


def wait_until(condition, timeout=20.0):
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.1)


@pytest.mark.parametrize(("viewport", "language"), [(DESKTOP, "en"), (PHONE, "ru")])
def test_a_dialog_the_visitor_left_ends_by_itself(
    asgi_server, browser, screenshots, password, log_in, viewport, language
):
    texts = TEXTS[language]
    size = "desktop" if viewport is DESKTOP else "phone"
    shop, _ = shop_with(
        password, "Acme", "acme.example", "acme-key", language=language, site_language=language
    )
    console = open_console(browser, asgi_server, log_in, "vera", viewport=viewport)

    visitor_ctx = browser.new_context(viewport=viewport, locale=language)
    visitor = visitor_ctx.new_page()
    visitor.goto(f"{asgi_server}/demo/?site={shop.widget_key}")
    visitor.click("#livechat-launcher")
    widget = visitor.frame_locator("#livechat-frame")
    widget.locator("#lc-input").fill("Do you deliver on Sundays?")
    widget.locator("#lc-input").press("Enter")
    expect(widget.locator(".lc-msg-visitor.lc-pending")).to_have_count(0)

    # Unanswered: the row says how long he waits; answered: it does not.
    row = console.locator("#tab-list .row").first
    expect(row.locator(".row-waiting")).to_have_text(texts["waiting"])
    row.click()
    console.click("#connect-dialog")
    console.fill("#composer-text", "Yes, from 10 to 18.")
    console.press("#composer-text", "Enter")
    expect(console.locator(".msg-operator:not(.msg-pending)").last).to_contain_text("10 to 18")
    row = console.locator("#tab-list .row").first
    expect(row).to_contain_text("10 to 18")
    expect(row.locator(".row-waiting")).to_be_hidden()

    # He closes the page; half an hour goes by (the clock is moved back) and beat ends it.
    dialog = Dialog.objects.get()
    visitor.close()
    wait_until(lambda: Visitor.objects.get(pk=dialog.visitor_id).open_sockets == 0)
    past = timezone.now() - timedelta(minutes=31)
    Visitor.objects.filter(pk=dialog.visitor_id).update(last_seen_at=past)
    Message.objects.filter(dialog=dialog).update(created_at=past)
    Dialog.objects.filter(pk=dialog.pk).update(last_message_at=past)

    expect(console.locator(".msg-system").last).to_have_text(texts["line"])
    expect(console.locator("#tab-list .row")).to_have_count(0)
    expect(console.locator("[data-count=mine]")).to_have_text("0")
    console.screenshot(path=screenshots / f"auto-close-console-{size}-{language}.png")
    console.reload()  # what the operator finds later: the dialog has ended
    expect(console.locator("p.note")).to_have_text(texts["ended"])
    expect(console.locator("#composer-text")).to_have_count(0)
    assert Dialog.objects.get().status == Dialog.Status.CLOSED

    # He comes back (same browser, so the same visitor): the line ends the conversation.
    back = visitor_ctx.new_page()
    back.goto(f"{asgi_server}/demo/?site={shop.widget_key}")
    if not back.locator("#livechat-frame").is_visible():
        back.click("#livechat-launcher")
    widget = back.frame_locator("#livechat-frame")
    expect(widget.locator(".lc-msg-operator").last).to_contain_text("10 to 18")
    expect(widget.locator(".lc-msg-system").last).to_contain_text(texts["line"])
    back.screenshot(path=screenshots / f"auto-close-widget-{size}-{language}.png")
    console.context.close()
    visitor_ctx.close()
