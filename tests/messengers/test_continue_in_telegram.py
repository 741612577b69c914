"""The widget offers "Continue in Telegram" when its site has a bot: hello carries the
bot's link with the visitor's signed payload, and /start with it continues his chat."""

import pytest
from channels.db import database_sync_to_async
from messengers_cast import telegram_update

from chat.models import Message
from messengers import linking

pytestmark = pytest.mark.django_db(transaction=True)


async def test_hello_offers_the_bot_link_and_start_continues_the_chat(
    sockets, peer, site, deliver_webhook
):
    bot = await database_sync_to_async(linking.link_telegram)(
        site, "123456:TEST-token-abcdefghijklmnop", public_base="https://chat.example.com"
    )
    widget, hello = await sockets.visitor(site)
    offer = hello["telegram"]
    assert offer["text"] == "Continue in Telegram"
    assert offer["url"].startswith("https://t.me/shop_help_bot?start=v")
    payload = offer["url"].split("start=")[1]
    widget_visitor = int(payload[1:].split("_")[0])

    await database_sync_to_async(deliver_webhook)(bot, telegram_update(1, f"/start {payload}"))
    await database_sync_to_async(deliver_webhook)(bot, telegram_update(2, "Same person here"))
    message = await database_sync_to_async(Message.objects.select_related("dialog__visitor").get)()
    assert message.dialog.visitor_id == widget_visitor
    assert await database_sync_to_async(message.dialog.visitor.visits.exists)()  # the widget's


async def test_no_bot_no_offer(sockets, site):
    _widget, hello = await sockets.visitor(site)
    assert hello["telegram"] is None
