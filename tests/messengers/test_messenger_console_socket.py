"""A Telegram dialog as an operator lives it in the console: it appears on his socket with
the channel's icon and the user's handle; he answers in the same composer; the state of
the delivery comes live."""

import pytest
from channels.db import database_sync_to_async
from django.test import Client
from messengers_cast import telegram_update

from chat.dialogs import lifecycle
from chat.models import Dialog

pytestmark = pytest.mark.django_db(transaction=True)


async def frames_until(sockets, console, predicate, limit=12):
    seen = []
    for _ in range(limit):
        frame = await console.receive_json_from(timeout=5)
        seen.append(frame)
        if predicate(frame):
            return frame, seen
    raise AssertionError(f"not heard; got {[f['type'] for f in seen]}")


def post_update(bot, update):
    return Client().post(
        f"/messengers/telegram/{bot.pk}/",
        data=update,
        content_type="application/json",
        headers={"X-Telegram-Bot-Api-Secret-Token": bot.webhook_secret},
    )


async def test_a_telegram_dialog_both_ways_on_the_console_socket(sockets, peer, bot, alice):
    console, _ = await sockets.operator(alice)
    response = await database_sync_to_async(post_update)(bot, telegram_update(9001))
    assert response.status_code == 200

    row, _ = await frames_until(sockets, console, lambda f: f["type"] == "row")
    assert "@ivan_tg" in row["html"] and "channel-telegram" in row["html"]

    dialog = await database_sync_to_async(Dialog.objects.get)()
    await database_sync_to_async(lifecycle.connect_operator)(operator=alice, dialog_id=dialog.pk)
    await console.send_json_to({"type": "watch", "dialog": dialog.pk})
    await frames_until(sockets, console, lambda f: f["type"] == "watching")
    await console.send_json_to(
        {"type": "message", "dialog": dialog.pk, "client_id": "c-1", "text": "Hello, Ivan!"}
    )
    delivered, seen = await frames_until(
        sockets,
        console,
        lambda f: f["type"] == "channel_delivery" and f["status"] == "sent",
    )
    assert "Delivered to Telegram" in delivered["html"]
    assert "ack" in [f["type"] for f in seen]
    [sent] = peer.sent("telegram")
    assert sent["params"]["text"] == "Hello, Ivan!" and sent["params"]["chat_id"] == "4242"


async def test_a_failed_delivery_comes_live_with_its_reason(sockets, peer, bot, alice):
    await database_sync_to_async(post_update)(bot, telegram_update(9002))
    dialog = await database_sync_to_async(Dialog.objects.get)()
    await database_sync_to_async(lifecycle.connect_operator)(operator=alice, dialog_id=dialog.pk)
    console, _ = await sockets.operator(alice)
    await console.send_json_to({"type": "watch", "dialog": dialog.pk})
    await frames_until(sockets, console, lambda f: f["type"] == "watching")
    peer.fail_next(
        "telegram",
        400,
        {"ok": False, "error_code": 400, "description": "Bad Request: chat not found"},
    )
    await console.send_json_to(
        {"type": "message", "dialog": dialog.pk, "client_id": "c-2", "text": "Are you there?"}
    )
    failed, _ = await frames_until(
        sockets, console, lambda f: f["type"] == "channel_delivery" and f["status"] == "failed"
    )
    assert "chat not found" in failed["html"] and "Retry" in failed["html"]
