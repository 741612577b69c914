"""`make run`'s demo Telegram channel: a bot on the fake Bot API, its dialog in the console."""

import pytest
from django.core.management import call_command
from django.test import Client

from chat.models import Dialog, Message
from messengers.demo_peer import fake
from messengers.models import Bot, Delivery

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_demo_channel_shows_a_telegram_dialog_and_its_fake_api_answers(settings):
    call_command("seed_demo")
    call_command("seed_demo_messengers", "--api", "http://127.0.0.1:9/demo/telegram-api")
    call_command("seed_demo_messengers")  # again: nothing more
    bot = Bot.objects.get()
    assert bot.is_demo and bot.api_base.startswith("http://127.0.0.1:9/")
    dialog = Dialog.objects.select_related("visitor__messenger_contact").get(
        visitor__messenger_contact__bot=bot
    )
    assert dialog.visitor.messenger_contact.handle == "olga_demo"
    assert Message.objects.filter(dialog=dialog, author_kind="visitor").count() == 2
    assert Delivery.objects.get(message__dialog=dialog).status == Delivery.Status.SENT

    client = Client()
    client.force_login(Bot.objects.get().site.operators.get(user__username="anna").user)
    page = client.get("/console/messengers/").content.decode()
    assert "Demo: a local fake Bot API, not Telegram" in page

    settings.MESSENGERS_DEMO_PEER = True
    fake.peer.reset()
    answer = client.post(
        f"/demo/telegram-api/bot{bot.token}/sendMessage",
        {"chat_id": "700100", "text": "hi"},
        content_type="application/json",
    )
    assert answer.status_code == 200 and answer.json()["ok"] is True
    settings.MESSENGERS_DEMO_PEER = False
    off = client.post(f"/demo/telegram-api/bot{bot.token}/getMe")
    assert off.status_code == 404
