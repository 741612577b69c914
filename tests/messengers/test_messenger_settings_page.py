"""The console's Messengers page: a site manager links a bot by its token (checked with
Telegram, never shown again) and unlinks it; nobody else may."""

import pytest
from django.test import Client
from messengers_cast import BOT_TOKEN

from messengers.models import Bot

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def manager(make_operator, site):
    return make_operator(username="mira", sites=[site], can_manage_site_settings=True)


def logged_in(operator):
    client = Client()
    client.force_login(operator.user)
    return client


def test_a_manager_links_a_bot_and_never_sees_its_token_again(peer, site, manager):
    client = logged_in(manager)
    response = client.post("/console/messengers/telegram/", {"site": site.pk, "token": BOT_TOKEN})
    assert response.status_code == 302
    bot = Bot.objects.get()
    assert peer.webhooks[BOT_TOKEN]["url"].endswith(f"/messengers/telegram/{bot.pk}/")
    page = client.get("/console/messengers/").content.decode()
    assert "shop_help_bot" in page and bot.masked_token in page
    assert BOT_TOKEN not in page


def test_a_refused_token_is_said_on_the_form(peer, site, manager):
    response = logged_in(manager).post(
        "/console/messengers/telegram/", {"site": site.pk, "token": "1:bad"}
    )
    assert response.status_code == 200
    assert "Telegram refused the token: Unauthorized" in response.content.decode()
    assert not Bot.objects.exists()


def test_an_operator_without_the_right_is_refused(peer, site, alice):
    client = logged_in(alice)
    assert client.get("/console/messengers/").status_code == 403
    response = client.post("/console/messengers/telegram/", {"site": site.pk, "token": BOT_TOKEN})
    assert response.status_code == 403 and not Bot.objects.exists()


def test_unlinking_keeps_the_dialogs(peer, bot, manager, deliver_webhook):
    from messengers_cast import telegram_update

    from chat.models import Dialog

    deliver_webhook(bot, telegram_update(1))
    assert logged_in(manager).post(f"/console/messengers/{bot.pk}/unlink/").status_code == 302
    assert not Bot.objects.exists() and Dialog.objects.count() == 1


def test_a_manager_links_a_vk_community_and_gets_its_callback_address(peer, site, manager):
    client = logged_in(manager)
    form = {"site": site.pk, "group_id": "club777", "token": "vk1.a.test-community-token",
            "confirmation": "a1b2c3d4", "secret": ""}  # fmt: skip
    refused = client.post("/console/messengers/vk/", form)
    assert refused.status_code == 200 and not Bot.objects.exists()  # the secret is required
    response = client.post("/console/messengers/vk/", {**form, "secret": "vk-secret"})
    assert response.status_code == 302
    bot = Bot.objects.get()
    assert (bot.name, bot.external_id, bot.webhook_secret) == ("Shop community", "777", "vk-secret")
    page = client.get("/console/messengers/").content.decode()
    assert f"http://testserver/messengers/vk/{bot.pk}/" in page
    assert "vk1.a.test-community-token" not in page
