"""A VK community conversation both ways through the fake VK API on 127.0.0.1."""

import pytest
from messengers_cast import VK_GROUP, vk_event

from chat.dialogs import lifecycle
from chat.messaging import posting
from chat.models import Dialog, Message
from messengers import linking, tasks
from messengers.models import Delivery, InboundUpdate

pytestmark = pytest.mark.django_db(transaction=True)


def _answer(alice, dialog, text="Да, доставляем."):
    lifecycle.connect_operator(operator=alice, dialog_id=dialog.pk)
    message, _ = posting.post_operator_message(
        operator=alice, dialog_id=dialog.pk, client_id="o-vk", text=text
    )
    return message


def test_confirmation_answers_the_communitys_string(peer, community, deliver_vk):
    event = {"type": "confirmation", "group_id": VK_GROUP, "secret": "vk-secret"}
    response = deliver_vk(community, event)
    assert response.status_code == 200 and response.content == b"a1b2c3d4"


def test_a_wrong_token_is_refused(peer, site):
    with pytest.raises(linking.LinkRefused, match="User authorization failed"):
        linking.link_vk(site, group_id="777", token="bad", confirmation="x", secret="s")


def test_a_message_in_and_the_answer_out(peer, community, alice, deliver_vk):
    response = deliver_vk(community, vk_event("ev-1"))
    assert response.status_code == 200 and response.content == b"ok"
    dialog = Dialog.objects.select_related("visitor__messenger_contact").get()
    assert dialog.visitor.messenger_contact.profile_url == "https://vk.com/id5151"
    assert Message.objects.get().text == "Привет из VK"

    message = _answer(alice, dialog)
    [sent] = peer.sent("vk")
    params = sent["params"]
    assert (sent["method"], params["peer_id"], params["message"]) == (
        "messages.send",
        "5151",
        "Да, доставляем.",
    )
    assert params["random_id"] == str(Delivery.objects.get(message=message).pk)


def test_a_redelivered_event_is_stored_once(peer, community, deliver_vk):
    for _ in range(3):
        assert deliver_vk(community, vk_event("ev-2")).content == b"ok"
    assert InboundUpdate.objects.count() == 1 and Message.objects.count() == 1


def test_a_wrong_secret_is_refused(peer, community, deliver_vk):
    response = deliver_vk(community, vk_event("ev-3", secret="forged"))
    assert response.status_code == 403
    assert not InboundUpdate.objects.exists()


def test_too_many_requests_is_retried_and_sent_once(peer, community, alice, deliver_vk):
    deliver_vk(community, vk_event("ev-4"))
    peer.fail_next(
        "vk", 200, {"error": {"error_code": 6, "error_msg": "Too many requests per second"}}
    )
    message = _answer(alice, Dialog.objects.get())
    delivery = Delivery.objects.get(message=message)
    assert delivery.status == Delivery.Status.RETRYING
    assert delivery.reason.startswith("6: Too many requests")
    tasks.deliver(delivery.pk)
    tasks.deliver(delivery.pk)  # a duplicate task changes nothing
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.SENT and len(peer.sent("vk")) == 1


def test_a_server_error_is_retried(peer, community, alice, deliver_vk):
    deliver_vk(community, vk_event("ev-5"))
    peer.fail_next("vk", 500, {})
    message = _answer(alice, Dialog.objects.get())
    delivery = Delivery.objects.get(message=message)
    assert delivery.status == Delivery.Status.RETRYING and delivery.reason == "HTTP 500"
    tasks.deliver(delivery.pk)
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.SENT


def test_an_attachment_from_vk_is_shown_as_not_carried(peer, community, deliver_vk):
    event = vk_event("ev-6", text="")
    event["object"]["message"]["attachments"] = [{"type": "sticker", "sticker": {}}]
    deliver_vk(community, event)
    assert "cannot show" in Message.objects.get().text
