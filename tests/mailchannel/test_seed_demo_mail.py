"""`make run`'s demo e-mail: no mail server, so Anna's answer to Pavel is written to the
demo outbox (labelled so in the dialog), and his demo reply is threaded back in."""

import pytest
from django.core.management import call_command
from django.test import Client

from chat.models import Dialog, Message
from mailchannel.models import InboundMail, MailDelivery, SiteMail

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_demo_shows_an_answer_by_email_in_the_demo_outbox(settings, tmp_path):
    settings.EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    settings.EMAIL_FILE_PATH = tmp_path / "mail-outbox"
    settings.MAILCHANNEL_DEMO_OUTBOX = True
    call_command("seed_demo")
    call_command("seed_demo_mail")
    call_command("seed_demo_mail")  # again: nothing more
    delivery = MailDelivery.objects.get()
    assert delivery.status == MailDelivery.Status.SENT and delivery.demo
    [written] = list((tmp_path / "mail-outbox").iterdir())
    assert "pavel.demo@example.com" in written.read_text()
    dialog = Dialog.objects.get(pk=delivery.dialog_id)
    assert Message.objects.filter(dialog=dialog, text__contains="a demo reply by e-mail").exists()
    assert InboundMail.objects.get(outcome=InboundMail.Outcome.ADDED).dialog_id == dialog.pk
    assert SiteMail.objects.get(site=dialog.site).send_transcripts

    # Olga's new (HTML) e-mail to the shop's inbox address opened a dialog of its own.
    opened = InboundMail.objects.get(outcome=InboundMail.Outcome.OPENED)
    olga = Dialog.objects.select_related("visitor").get(pk=opened.dialog_id)
    assert olga.site == dialog.site and olga.status == Dialog.Status.NEW
    assert olga.visitor.email == "olga.demo@example.com" and olga.visitor.name == "Olga"
    first = Message.objects.get(dialog=olga)
    assert first.text.startswith("Gift wrapping for order 8120?\n\nHello!\n\nCould you gift-wrap")
    assert "«Happy birthday, Ivan!»" in first.text and "<" not in first.text
    assert InboundMail.objects.count() == 2  # the second run added nothing

    client = Client()
    client.force_login(dialog.site.operators.get(user__username="anna").user)
    page = client.get(f"/console/dialogs/{dialog.pk}/").content.decode()
    assert "written to the demo outbox (no mail server is configured: not sent)" in page
