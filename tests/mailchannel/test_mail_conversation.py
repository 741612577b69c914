"""A conversation both ways: the operator's answer to a visitor who left goes out by SMTP
(aiosmtpd on 127.0.0.1); the visitor's reply, put in the IMAP mailbox (Dovecot), comes
back into the same dialog, reopening it, without the quoted history."""

import pytest
from django.core.management import call_command
from mail_cast import answer, left_visitor, reply
from mail_peers import wait_until

from chat.dialogs import lifecycle
from chat.models import Dialog, Message, Visitor
from mailchannel import addresses, tasks
from mailchannel.models import InboundMail, MailDelivery

pytestmark = pytest.mark.django_db(transaction=True)


def test_an_answer_to_a_visitor_who_left_goes_by_email(smtp, site, alice):
    dialog = left_visitor(site)
    message = answer(alice, dialog)
    [mail] = wait_until(smtp.messages, what="the e-mail at the SMTP server")
    got = mail["message"]
    assert mail["to"] == ["pavel@mail.test"]
    assert got["To"] == "Pavel <pavel@mail.test>"
    assert "Yes, on Sunday." in got.get_body(preferencelist=("plain",)).get_content()
    assert addresses.reply_address(dialog.pk) in got["Reply-To"]
    delivery = MailDelivery.objects.get(message=message)
    assert got["Message-ID"] == delivery.mail_id
    assert delivery.status == MailDelivery.Status.SENT and not delivery.demo
    # The bounce address is the envelope sender: a bounce names this delivery.
    assert mail["from"] == addresses.bounce_address(delivery.pk)


def test_no_email_while_the_visitor_has_the_widget_open(smtp, site, alice):
    dialog = left_visitor(site)
    Visitor.objects.filter(pk=dialog.visitor_id).update(open_sockets=1)
    answer(alice, dialog)
    assert not MailDelivery.objects.exists() and smtp.messages() == []


def test_no_email_to_a_visitor_without_an_address(smtp, site, alice):
    answer(alice, left_visitor(site, email=""))
    assert not MailDelivery.objects.exists()


def test_the_reply_comes_back_into_the_ended_dialog_and_reopens_it(smtp, mailbox, site, alice):
    dialog = left_visitor(site)
    answer(alice, dialog)
    [sent] = wait_until(smtp.messages)
    lifecycle.end_dialog(operator=alice, dialog_id=dialog.pk)
    quoted = "Sunday is fine, thanks!\n\nOn Mon, 7 Dec 2026 at 12:00, Shop <chat@shop.test> wrote:\n> Yes, on Sunday.\n"  # noqa: E501
    mailbox.append(
        reply(
            to=sent["message"]["Reply-To"], text=quoted, in_reply_to=sent["message"]["Message-ID"]
        )
    )
    call_command("mail_poll")
    dialog.refresh_from_db()
    assert dialog.status == Dialog.Status.NEW and dialog.closed_at is None
    last = Message.objects.filter(dialog=dialog).order_by("-id").first()
    assert last.author_kind == "visitor" and last.text == "Sunday is fine, thanks!"
    assert Message.objects.filter(dialog=dialog, text__contains="by e-mail").exists()
    assert InboundMail.objects.get().outcome == InboundMail.Outcome.ADDED
    assert all("\\Seen" in line for line in mailbox.flags())


def test_the_beat_task_polls_the_mailbox(smtp, mailbox, site, alice):
    dialog = left_visitor(site)
    answer(alice, dialog)
    mailbox.append(reply(to=addresses.reply_address(dialog.pk), text="Ответ по почте"))
    tasks.poll_mailbox.delay()
    assert Message.objects.filter(dialog=dialog, text="Ответ по почте").exists()


def test_a_reply_without_a_signed_address_threads_by_in_reply_to(smtp, mailbox, site, alice):
    dialog = left_visitor(site)
    answer(alice, dialog)
    [sent] = wait_until(smtp.messages)
    mailbox.append(
        reply(to="chat@shop.test", text="Threaded", in_reply_to=sent["message"]["Message-ID"])
    )
    call_command("mail_poll")
    assert Message.objects.filter(dialog=dialog, text="Threaded").exists()


def test_a_redelivered_mail_is_stored_and_posted_once(smtp, mailbox, site, alice):
    dialog = left_visitor(site)
    raw = reply(to=addresses.reply_address(dialog.pk), text="Only once", message_id="<once@x>")
    mailbox.append(raw)
    call_command("mail_poll")
    mailbox.append(raw)  # the same mail again (a server redelivers, a client copies it back)
    call_command("mail_poll")
    assert InboundMail.objects.count() == 1
    assert Message.objects.filter(text="Only once").count() == 1


def test_the_watching_worker_takes_a_reply_as_it_arrives(smtp, mailbox, site, alice):
    """`mail_poll --forever`: Dovecot offers IDLE, the worker waits in it and wakes for
    the new mail."""
    import threading

    from django.db import connection

    from mailchannel import imap, inbound

    dialog = left_visitor(site)
    stop = threading.Event()

    def work():
        try:
            imap.run_forever(on_stored=inbound.process, wait_seconds=30, stop=stop.is_set)
        finally:
            connection.close()

    worker = threading.Thread(target=work, daemon=True)
    worker.start()
    try:
        mailbox.append(reply(to=addresses.reply_address(dialog.pk), text="Live reply"))
        wait_until(
            lambda: Message.objects.filter(dialog=dialog, text="Live reply").exists(),
            seconds=20,
            what="the reply in the dialog",
        )
    finally:
        stop.set()
        mailbox.append(reply(to="nobody@elsewhere.test", text="wake up"))  # ends the IDLE
        worker.join(timeout=40)
    assert not worker.is_alive()


def test_a_messenger_visitor_gets_no_email(smtp, site, alice, monkeypatch):
    from messengers import outbound as messenger_outbound
    from messengers.models import Bot, Contact

    dialog = left_visitor(site)
    bot = Bot.objects.create(site=site, kind="telegram", name="b", external_id="1", token="t")
    Contact.objects.create(visitor=dialog.visitor, bot=bot, user_id="42")
    # Telegram itself is not part of this test: only that no e-mail is queued.
    monkeypatch.setattr(messenger_outbound, "_queue", lambda delivery: None)
    answer(alice, dialog)
    assert not MailDelivery.objects.exists()


def test_a_mail_whose_processing_failed_is_kept_and_taken_again(smtp, mailbox, site, monkeypatch):
    from datetime import timedelta

    from django.utils import timezone

    from mailchannel import inbound

    dialog = left_visitor(site)
    mailbox.append(reply(to=addresses.reply_address(dialog.pk), text="Not lost"))
    real = inbound.process

    def broken(mail_id):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(inbound, "process", broken)
    with pytest.raises(RuntimeError):
        call_command("mail_poll")
    # Stored (and committed) before the IMAP message was marked seen.
    mail = InboundMail.objects.get()
    assert mail.processed_at is None and b"Not lost" in bytes(mail.raw)
    assert all("\\Seen" in line for line in mailbox.flags())
    monkeypatch.setattr(inbound, "process", real)
    InboundMail.objects.update(received_at=timezone.now() - timedelta(minutes=2))
    tasks.poll_mailbox.delay()  # the beat
    assert Message.objects.filter(dialog=dialog, text="Not lost").count() == 1
    assert InboundMail.objects.get().outcome == InboundMail.Outcome.ADDED
