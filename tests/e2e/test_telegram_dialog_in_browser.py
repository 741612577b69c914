"""A Telegram dialog in a real Chromium console: the row and the header show Telegram's icon
and the user's handle; the operator answers in the usual composer and sees it delivered
(the fake Bot API on 127.0.0.1 got sendMessage). English on a desktop, Russian on a 390 px
phone. Screenshots: test-artifacts/e2e/telegram-*.png."""

import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from helpers import DESKTOP, PHONE, open_console, shop_with
from playwright.sync_api import expect

from chat.dialogs import lifecycle
from chat.models import Dialog
from messengers import linking
from messengers.demo_peer import fake, server

pytestmark = pytest.mark.browser

TOKEN = "555:BROWSER-test-token-abcdefgh"


@pytest.fixture
def asgi_server_env():
    """Daphne queues the webhook's and the answer's tasks: on the worker's queue."""
    prefix = f"e2etg{uuid.uuid4().hex[:8]}"
    return {"CHANNEL_PREFIX": prefix, "CELERY_TASK_DEFAULT_QUEUE": prefix}


@pytest.fixture
def bot_api():
    http, base = server.start()
    fake.peer.reset()
    fake.peer.add_telegram_bot(TOKEN, "shop_help_bot", 555)
    yield f"{base}/telegram"
    fake.peer.reset()
    http.shutdown()


def telegram_dialog(asgi_server, site, operator, bot_api):
    bot = linking.link_telegram(site, TOKEN, public_base=asgi_server, api_base=bot_api)
    update = {
        "update_id": 1,
        "message": {
            "message_id": 1, "date": 1765000000, "text": "Здравствуйте! Где мой заказ 5521?",
            "from": {"id": 4242, "is_bot": False, "first_name": "Ivan", "username": "ivan_tg"},
            "chat": {"id": 4242, "type": "private", "username": "ivan_tg"},
        },
    }  # fmt: skip
    answer = requests.post(
        f"{asgi_server}/messengers/telegram/{bot.pk}/",
        json=update,
        headers={"X-Telegram-Bot-Api-Secret-Token": bot.webhook_secret},
        timeout=10,
    )
    assert answer.status_code == 200
    for _ in range(300):  # the worker turns the stored update into the dialog
        dialog = Dialog.objects.filter(site=site).first()
        if dialog is not None:
            break
        time.sleep(0.1)
    assert dialog is not None, "the update was not processed"
    # Off the test's thread: Playwright's event loop runs on it, and connecting publishes.
    with ThreadPoolExecutor(1) as pool:
        pool.submit(lifecycle.connect_operator, operator=operator, dialog_id=dialog.pk).result()
    return dialog


@pytest.mark.parametrize(
    "language,viewport,delivered",
    [("en", DESKTOP, "Delivered to Telegram"), ("ru", PHONE, "Доставлено в Telegram")],
)
def test_a_telegram_dialog_in_the_console(
    asgi_server, browser, screenshots, password, log_in, bot_api, language, viewport, delivered
):
    site, (vera,) = shop_with(
        password, "TG shop", "TG shop", f"tg-key-{language}", language=language
    )
    dialog = telegram_dialog(asgi_server, site, vera, bot_api)
    size = "desktop" if viewport == DESKTOP else "phone"
    console = open_console(browser, asgi_server, log_in, "vera", viewport=viewport,
                           language=language)  # fmt: skip
    console.goto(f"{asgi_server}/console/")
    row = console.locator(f'.row[data-dialog="{dialog.pk}"]')
    expect(row.locator(".channel-telegram")).to_contain_text("@ivan_tg")
    console.screenshot(path=screenshots / f"telegram-{language}-{size}-1-row.png")

    console.goto(f"{asgi_server}/console/dialogs/{dialog.pk}/")
    header = console.locator(".dialog-sub .channel-telegram")
    expect(header).to_contain_text("@ivan_tg")
    expect(console.locator(".dialog-sub .channel-profile")).to_have_attribute(
        "href", "https://t.me/ivan_tg"
    )
    console.fill("#composer-text", "Добрый день! Заказ уже в пути." if language == "ru" else
                 "Hello! Your order is on its way.")  # fmt: skip
    console.press("#composer-text", "Enter")
    expect(console.locator(".channel-delivery-sent")).to_have_text(delivered, timeout=20000)
    console.screenshot(path=screenshots / f"telegram-{language}-{size}-2-delivered.png")
    [sent] = fake.peer.sent("telegram")
    assert sent["params"]["chat_id"] == "4242"
    console.context.close()
