"""A Telegram conversation both ways through the fake Bot API on 127.0.0.1."""

import pytest
from messengers_cast import BOT_TOKEN, telegram_update

from chat.dialogs import lifecycle
from chat.messaging import posting
from chat.models import Dialog, Message
from messengers import linking, tasks
from messengers.models import Bot, Delivery, InboundUpdate

pytestmark = pytest.mark.django_db(transaction=True)


def _answer(alice, dialog, text="We deliver on Sunday."):
    lifecycle.connect_operator(operator=alice, dialog_id=dialog.pk)
    message, _ = posting.post_operator_message(
        operator=alice, dialog_id=dialog.pk, client_id=f"o-{text[:20]}", text=text
    )
    return message


def test_linking_checks_the_token_and_points_the_webhook_at_us(peer, bot):
    assert bot.name == "shop_help_bot" and bot.external_id == "123456"
    hook = peer.webhooks[BOT_TOKEN]
    assert hook["url"] == f"https://chat.example.com/messengers/telegram/{bot.pk}/"
    assert hook["secret"] == bot.webhook_secret
    assert BOT_TOKEN not in bot.masked_token


def test_a_wrong_token_is_refused_with_telegrams_reason(peer, site):
    with pytest.raises(linking.LinkRefused, match="Unauthorized"):
        linking.link_telegram(site, "999:wrong", public_base="https://chat.example.com")
    assert not Bot.objects.exists()


def test_a_message_in_and_the_answer_out(peer, bot, alice, deliver_webhook):
    response = deliver_webhook(bot, telegram_update(1001))
    assert response.status_code == 200
    dialog = Dialog.objects.select_related("visitor__messenger_contact").get()
    assert dialog.site_id == bot.site_id
    assert dialog.visitor.name == "Ivan"
    assert dialog.visitor.messenger_contact.handle == "ivan_tg"
    assert Message.objects.get().text == "Hello from Telegram"

    message = _answer(alice, dialog)
    sent = peer.sent("telegram")
    assert [(c["method"], c["params"]["chat_id"], c["params"]["text"]) for c in sent] == [
        ("sendMessage", "4242", "We deliver on Sunday.")
    ]
    delivery = Delivery.objects.get(message=message)
    assert delivery.status == Delivery.Status.SENT and delivery.external_id


def test_a_redelivered_update_is_stored_once(peer, bot, deliver_webhook):
    for _ in range(3):
        assert deliver_webhook(bot, telegram_update(2002)).status_code == 200
    assert InboundUpdate.objects.count() == 1
    assert Message.objects.count() == 1


def test_a_forged_webhook_is_refused_and_stores_nothing(peer, bot, deliver_webhook):
    response = deliver_webhook(bot, telegram_update(3003), secret="forged-secret")
    assert response.status_code == 403
    assert not InboundUpdate.objects.exists() and not Message.objects.exists()


def test_an_update_that_fails_to_process_stays_stored_and_is_taken_again(
    peer, bot, deliver_webhook, monkeypatch
):
    def down(*args, **kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr("messengers.contacts.visitor_for", down)
    assert deliver_webhook(bot, telegram_update(4004)).status_code == 200
    update = InboundUpdate.objects.get()
    assert update.processed_at is None  # stored before the answer: nothing lost
    monkeypatch.undo()
    tasks.process_update(update.pk)
    assert Message.objects.get().text == "Hello from Telegram"


def test_429_waits_retry_after_then_sends(peer, bot, alice, deliver_webhook):
    deliver_webhook(bot, telegram_update(5005))
    peer.fail_next(
        "telegram",
        429,
        {"ok": False, "error_code": 429, "description": "Too Many Requests: retry after 7",
         "parameters": {"retry_after": 7}},
    )  # fmt: skip
    message = _answer(alice, Dialog.objects.get())
    delivery = Delivery.objects.get(message=message)
    assert delivery.status == Delivery.Status.RETRYING
    assert "Too Many Requests" in delivery.reason
    assert (delivery.next_attempt_at - delivery.updated_at).total_seconds() >= 7
    tasks.deliver(delivery.pk)  # the retry
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.SENT and delivery.attempts == 2
    assert len(peer.sent("telegram")) == 1


def test_500_backs_off_then_sends(peer, bot, alice, deliver_webhook):
    deliver_webhook(bot, telegram_update(6006))
    peer.fail_next("telegram", 502, {"ok": False, "error_code": 502, "description": "Bad Gateway"})
    message = _answer(alice, Dialog.objects.get())
    delivery = Delivery.objects.get(message=message)
    assert delivery.status == Delivery.Status.RETRYING and delivery.reason == "Bad Gateway"
    tasks.deliver(delivery.pk)
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.SENT


def test_a_refusal_shows_not_delivered_with_the_reason_and_retry_sends_it(
    peer, bot, alice, alice_client, deliver_webhook
):
    deliver_webhook(bot, telegram_update(7007))
    peer.fail_next(
        "telegram",
        403,
        {"ok": False, "error_code": 403, "description": "Forbidden: bot was blocked by the user"},
    )
    dialog = Dialog.objects.get()
    message = _answer(alice, dialog)
    delivery = Delivery.objects.get(message=message)
    assert delivery.status == Delivery.Status.FAILED
    page = alice_client.get(f"/console/dialogs/{dialog.pk}/").content.decode()
    assert "bot was blocked by the user" in page and "channel-retry" in page
    assert "@ivan_tg" in page and "Profile in Telegram" in page  # the header
    assert "<dt>Channel</dt>" in page  # the visitor card

    response = alice_client.post(f"/console/messengers/deliveries/{delivery.pk}/retry/")
    assert response.status_code == 200
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.SENT
    assert len(peer.sent("telegram")) == 1


def test_start_with_the_widgets_payload_continues_the_visitors_chat(
    peer, bot, site, deliver_webhook
):
    from chat.visitors import sessions

    session = sessions.start_visitor_session(site=site, token=None, ip="203.0.113.9",
                                             user_agent="Mozilla/5.0")  # fmt: skip
    link = linking.start_link(bot, session.visitor.pk)
    payload = link.split("start=")[1]
    assert len(payload) <= 64
    deliver_webhook(bot, telegram_update(8008, f"/start {payload}"))
    deliver_webhook(bot, telegram_update(8009, "It is me again"))
    message = Message.objects.select_related("dialog").get()
    assert message.dialog.visitor_id == session.visitor.pk


def test_a_forged_start_payload_links_nobody(peer, bot, site, deliver_webhook):
    deliver_webhook(bot, telegram_update(8010, "/start v1_" + "0" * 32))
    deliver_webhook(bot, telegram_update(8011, "Hi"))
    dialog = Dialog.objects.select_related("visitor").get()
    assert dialog.visitor.name == "Ivan"  # a new visitor of his own
