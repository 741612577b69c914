"""Messenger fixtures: the fake Telegram Bot API and VK API (messengers/demo_peer) served on
127.0.0.1 for the whole run, reset for each test; a linked bot and community."""

import pytest
from messengers_cast import BOT_TOKEN, VK_GROUP, VK_TOKEN

from messengers import linking
from messengers.demo_peer import fake, server


@pytest.fixture(autouse=True)
def eager_celery(celery_in_process):
    """Tasks run in the test process (tests/conftest.py)."""


@pytest.fixture(scope="session")
def peer_base():
    http, base = server.start()
    yield base
    http.shutdown()


@pytest.fixture
def peer(peer_base, settings):
    settings.TELEGRAM_API_BASE = f"{peer_base}/telegram"
    settings.VK_API_BASE = f"{peer_base}/vk"
    settings.MESSENGERS_RETRY_BASE_SECONDS = 1.0
    fake.peer.reset()
    fake.peer.add_telegram_bot(BOT_TOKEN, "shop_help_bot", 123456)
    fake.peer.add_vk_group(VK_TOKEN, VK_GROUP, "Shop community")
    yield fake.peer
    fake.peer.reset()


@pytest.fixture
def bot(peer, site):
    return linking.link_telegram(site, BOT_TOKEN, public_base="https://chat.example.com")


@pytest.fixture
def community(peer, site):
    return linking.link_vk(
        site, group_id=str(VK_GROUP), token=VK_TOKEN, confirmation="a1b2c3d4", secret="vk-secret"
    )


@pytest.fixture
def deliver_webhook(client):
    def post(bot, update, *, secret=None):
        return client.post(
            f"/messengers/telegram/{bot.pk}/",
            data=update,
            content_type="application/json",
            headers={"X-Telegram-Bot-Api-Secret-Token": secret or bot.webhook_secret},
        )

    return post


@pytest.fixture
def deliver_vk(client):
    def post(community, event):
        return client.post(f"/messengers/vk/{community.pk}/", data=event,
                           content_type="application/json")  # fmt: skip

    return post
