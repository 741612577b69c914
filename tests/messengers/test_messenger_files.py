"""Photos and documents both ways, through the product's attachment checks and what each
channel can carry."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from messengers_cast import telegram_update, vk_event
from PIL import Image

from chat.dialogs import lifecycle
from chat.models import Attachment, Dialog, Message

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 30, 30)).save(out, "PNG")
    return out.getvalue()


def photo_update(update_id, file_id="ph-1", caption="My order"):
    update = telegram_update(update_id, text=None, caption=caption)
    update["message"]["photo"] = [
        {"file_id": f"{file_id}-small", "file_unique_id": "s", "width": 9, "height": 9},
        {"file_id": file_id, "file_unique_id": "b", "width": 40, "height": 30},
    ]
    return update


def document_update(update_id, file_id, name):
    update = telegram_update(update_id, text=None)
    update["message"]["document"] = {"file_id": file_id, "file_unique_id": "d", "file_name": name}
    return update


def upload(alice_client, dialog, name, content, text=""):
    return alice_client.post(
        f"/console/dialogs/{dialog.pk}/attachments/",
        {"file": SimpleUploadedFile(name, content), "client_id": f"o-{name}", "text": text},
    )


def test_a_photo_from_telegram_passes_the_checks_and_is_shown(peer, bot, deliver_webhook):
    peer.add_file("ph-1", "photos/file_1.png", png())
    deliver_webhook(bot, photo_update(11))
    message = Message.objects.get()
    assert message.text == "My order"
    attachment = Attachment.objects.get(message=message)
    assert attachment.content_type == "image/png" and attachment.width == 40


def test_a_forbidden_file_from_telegram_is_refused_with_a_note(peer, bot, deliver_webhook):
    peer.add_file("doc-1", "documents/page.html", b"<html><script>alert(1)</script></html>")
    deliver_webhook(bot, document_update(12, "doc-1", "page.html"))
    message = Message.objects.get()
    assert not Attachment.objects.exists()
    assert "not accepted" in message.text and "text/html" in message.text


def test_an_oversize_file_from_telegram_is_refused(peer, bot, deliver_webhook, settings):
    settings.CHAT_ATTACHMENT_MAX_BYTES = 1000
    peer.add_file("doc-2", "documents/big.pdf", b"%PDF-1.4\n" + b"0" * 5000)
    deliver_webhook(bot, document_update(13, "doc-2", "big.pdf"))
    assert not Attachment.objects.exists()
    assert "larger than" in Message.objects.get().text


def test_an_operators_photo_and_document_reach_telegram(
    peer, bot, alice, alice_client, deliver_webhook
):
    deliver_webhook(bot, telegram_update(14))
    dialog = Dialog.objects.get()
    lifecycle.connect_operator(operator=alice, dialog_id=dialog.pk)
    assert upload(alice_client, dialog, "label.png", png(), "Your label").status_code == 200
    pdf = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    assert upload(alice_client, dialog, "invoice.pdf", pdf).status_code == 200
    sent = [(c["method"], c["params"].get("caption"), c["files"]) for c in peer.sent("telegram")]
    assert sent == [
        ("sendPhoto", "Your label", {"photo": ("label.png", len(png()))}),
        ("sendDocument", None, {"document": ("invoice.pdf", len(pdf))}),
    ]


def test_a_file_larger_than_telegram_takes_is_refused_before_sending(
    peer, bot, alice, alice_client, deliver_webhook, settings
):
    settings.MESSENGERS_TELEGRAM_MAX_FILE_BYTES = 100
    deliver_webhook(bot, telegram_update(15))
    dialog = Dialog.objects.get()
    lifecycle.connect_operator(operator=alice, dialog_id=dialog.pk)
    response = upload(alice_client, dialog, "label.png", png())
    assert response.status_code == 413
    assert response.json()["detail"] == "Telegram does not take files larger than 100 B."
    assert not Message.objects.filter(author_kind="operator").exists() and not peer.sent("telegram")


def test_vk_refuses_files_before_sending(peer, community, alice, alice_client, deliver_vk):
    deliver_vk(community, vk_event("ev-f"))
    dialog = Dialog.objects.get()
    lifecycle.connect_operator(operator=alice, dialog_id=dialog.pk)
    response = upload(alice_client, dialog, "label.png", png())
    assert response.status_code == 400
    assert "cannot be sent to VK" in response.json()["detail"]
    assert not Message.objects.filter(author_kind="operator").exists() and not peer.sent("vk")
