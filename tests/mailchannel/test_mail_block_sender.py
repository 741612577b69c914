"""Block visitor on a dialog opened by an e-mail: the visitor wrote only by e-mail (no IP
address), so Block takes his e-mail address, and the dialog menu says so before the
operator confirms. The dialog ends; his new e-mails open no dialog, his replies in the old
thread are added to none and reopen nothing; the Blocked page lists his address, and
Unblock lets him write again. Real peers: Dovecot holds the mail, aiosmtpd gets ours."""

from email.message import EmailMessage

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from mail_cast import answer
from mail_peers import wait_until

from chat.models import BlockedIP, Dialog, Message
from mailchannel.models import InboundMail, SiteMail

pytestmark = pytest.mark.django_db(transaction=True)

INBOX = "support@shop.test"


def olgas_mail(text, message_id, headers=()) -> bytes:
    mail = EmailMessage()
    mail["From"] = "Olga <Olga@Mail.test>"
    mail["To"] = f"Shop <{INBOX}>"
    mail["Subject"] = "Shipping question"
    mail["Message-ID"] = message_id
    for name, value in headers:
        mail[name] = value
    mail.set_content(text)
    return mail.as_bytes()


def console(operator) -> Client:
    browser = Client()
    browser.force_login(operator.user)
    return browser


def test_blocking_an_email_visitor_blocks_his_address(smtp, mailbox, site, alice):
    SiteMail.objects.create(site=site, inbox_address=INBOX)
    mailbox.append(olgas_mail("Do you ship to Kazan?", "<first@mail.test>"))
    call_command("mail_poll")
    dialog = Dialog.objects.get()
    answer(alice, dialog, text="Yes, in 3 days.")
    [sent] = wait_until(smtp.messages, what="the answer at the SMTP server")
    our_answer = sent["message"]["Message-ID"]

    browser = console(alice)
    page = browser.get(reverse("console:dialog", args=[dialog.pk])).content.decode()
    assert "his address olga@mail.test goes on the blacklist" in page
    response = browser.post(reverse("console:block", args=[dialog.pk]), {"reason": "Spam"})
    assert response.status_code == 302
    page = browser.get(response.url, follow=True).content.decode()
    assert "Unblock visitor" in page and "olga@mail.test" in page
    dialog.refresh_from_db()
    assert dialog.status == Dialog.Status.CLOSED
    entry = BlockedIP.objects.get()
    assert (entry.email, entry.network, entry.reason) == ("olga@mail.test", "", "Spam")

    # A new e-mail opens no dialog; a reply in the old thread reaches none, reopens nothing.
    mailbox.append(olgas_mail("Hello again", "<second@mail.test>"))
    mailbox.append(
        olgas_mail(
            "Why no answer?",
            "<third@mail.test>",
            headers=[("In-Reply-To", our_answer), ("References", our_answer)],
        )
    )
    call_command("mail_poll")
    refused = InboundMail.objects.exclude(message_id="<first@mail.test>")
    assert sorted(refused.values_list("outcome", "error")) == [
        ("refused", "The sender is blocked."),
        ("refused", "The sender is blocked."),
    ]
    assert Dialog.objects.count() == 1
    dialog.refresh_from_db()
    assert dialog.status == Dialog.Status.CLOSED
    assert not Message.objects.filter(text__contains="again").exists()
    assert not Message.objects.filter(text__contains="no answer").exists()

    # The Blocked page lists his address; Unblock lets him write again.
    page = browser.get(reverse("console:blocked")).content.decode()
    assert "<code>olga@mail.test</code>" in page
    browser.post(reverse("console:unblock", args=[entry.pk]))
    mailbox.append(olgas_mail("Back again", "<fourth@mail.test>"))
    call_command("mail_poll")
    assert InboundMail.objects.get(message_id="<fourth@mail.test>").outcome == "opened"
