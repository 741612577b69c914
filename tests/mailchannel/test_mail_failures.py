"""What goes wrong on the way out: a temporary SMTP failure retried until sent, a
permanent one shown in the dialog with the reason and a Retry, a bounce that comes back
later, and no header injection from visitor data."""

import pytest
from django.core import mail as django_mail
from mail_cast import answer, left_visitor
from mail_peers import wait_until

from chat.models import Visitor
from mailchannel import addresses, compose, tasks
from mailchannel.models import MailDelivery

pytestmark = pytest.mark.django_db(transaction=True)


def dialog_page(client, dialog) -> str:
    return client.get(f"/console/dialogs/{dialog.pk}/").content.decode()


def test_a_temporary_failure_is_retried_then_sent(smtp, site, alice, alice_client):
    smtp.failures = ["451 4.3.0 Mailbox busy, try later"]
    dialog = left_visitor(site)
    message = answer(alice, dialog)
    delivery = MailDelivery.objects.get(message=message)
    assert delivery.status == MailDelivery.Status.RETRYING and delivery.attempts == 1
    assert "451 4.3.0 Mailbox busy" in delivery.reason and delivery.next_attempt_at
    page = dialog_page(alice_client, dialog)
    assert "retrying" in page and "Mailbox busy" in page and "channel-retry" in page
    tasks.send_mail.delay(delivery.pk)  # what Celery's retry runs after the countdown
    delivery.refresh_from_db()
    assert delivery.status == MailDelivery.Status.SENT and delivery.attempts == 2
    assert len(smtp.messages()) == 1
    assert "sent" in dialog_page(alice_client, dialog)


def test_the_server_down_is_temporary(smtp, site, alice, settings):
    settings.EMAIL_PORT = 1  # nothing listens there
    message = answer(alice, left_visitor(site))
    delivery = MailDelivery.objects.get(message=message)
    assert delivery.status == MailDelivery.Status.RETRYING and delivery.reason


def test_the_retries_end_as_not_delivered(smtp, site, alice, settings):
    settings.MAILCHANNEL_RETRY_MAX = 2
    smtp.failures = ["451 4.3.0 busy"] * 5
    message = answer(alice, left_visitor(site))
    delivery = MailDelivery.objects.get(message=message)
    tasks.send_mail.delay(delivery.pk)
    delivery.refresh_from_db()
    assert delivery.status == MailDelivery.Status.FAILED
    assert "Gave up after 2 attempts" in delivery.reason


def test_a_permanent_failure_shows_the_reason_and_retry_sends_it(smtp, site, alice, alice_client):
    smtp.refused["pavel@mail.test"] = "550 5.1.1 No such user here"
    dialog = left_visitor(site)
    message = answer(alice, dialog)
    delivery = MailDelivery.objects.get(message=message)
    assert delivery.status == MailDelivery.Status.FAILED and delivery.attempts == 1
    assert "550 5.1.1 No such user here" in delivery.reason
    page = dialog_page(alice_client, dialog)
    assert "not delivered" in page and "No such user here" in page
    assert f'data-url="/console/mail/deliveries/{delivery.pk}/retry/"' in page
    smtp.refused.clear()  # the visitor's mailbox was fixed
    response = alice_client.post(f"/console/mail/deliveries/{delivery.pk}/retry/")
    assert response.status_code == 200
    delivery.refresh_from_db()
    assert delivery.status == MailDelivery.Status.SENT and len(smtp.messages()) == 1


def test_retry_of_a_sent_email_or_by_a_stranger_is_refused(
    smtp, site, alice, make_operator, client
):
    message = answer(alice, left_visitor(site))
    delivery = MailDelivery.objects.get(message=message)
    stranger = make_operator(can_see_others=True)
    client.force_login(stranger.user)
    assert client.post(f"/console/mail/deliveries/{delivery.pk}/retry/").status_code in (403, 404)
    client.force_login(alice.user)
    assert client.post(f"/console/mail/deliveries/{delivery.pk}/retry/").status_code == 403
    assert len(smtp.messages()) == 1


def test_a_visitor_name_with_cr_lf_injects_no_header(smtp, site, alice):
    dialog = left_visitor(site, name="Eve\r\nBcc: victim@evil.test\r\nSubject: spam")
    answer(alice, dialog)
    [mail] = wait_until(smtp.messages)
    assert mail["to"] == ["pavel@mail.test"]
    lines = mail["raw"].split(b"\r\n\r\n")[0].decode().split("\r\n")
    assert not [line for line in lines if line.lower().startswith(("bcc:", "subject: spam"))]
    assert mail["message"].get_all("Bcc") is None
    assert mail["message"]["Subject"].startswith("New answer in your chat")
    # The name stays one quoted display name on the To line.
    assert mail["message"]["To"].addresses[0].display_name == (
        "Eve Bcc: victim@evil.test Subject: spam"
    )


def test_django_refuses_a_header_with_a_newline_and_it_shows_as_not_delivered(
    smtp, site, alice, monkeypatch
):
    # Without our cleaning, Django's mail itself refuses the header: never sent.
    monkeypatch.setattr(compose, "one_line", lambda value, limit=150: value)
    dialog = left_visitor(site)
    Visitor.objects.filter(pk=dialog.visitor_id).update(name="Eve\nBcc: victim@evil.test")
    message = answer(alice, dialog)
    delivery = MailDelivery.objects.get(message=message)
    assert delivery.status == MailDelivery.Status.FAILED
    assert "newlines" in delivery.reason
    assert smtp.messages() == []


def test_a_bounce_marks_the_sent_email_not_delivered(smtp, mailbox, site, alice, alice_client):
    from django.core.management import call_command

    dialog = left_visitor(site)
    message = answer(alice, dialog)
    delivery = MailDelivery.objects.get(message=message)
    assert delivery.status == MailDelivery.Status.SENT
    bounce = (
        "From: MAILER-DAEMON@mail.test\r\n"
        f"To: {addresses.bounce_address(delivery.pk)}\r\n"
        "Subject: Undelivered Mail Returned to Sender\r\n"
        "Message-ID: <bounce-1@mail.test>\r\n"
        "MIME-Version: 1.0\r\n"
        'Content-Type: multipart/report; report-type=delivery-status; boundary="b"\r\n\r\n'
        "--b\r\nContent-Type: text/plain\r\n\r\nYour message could not be delivered.\r\n"
        "--b\r\nContent-Type: message/delivery-status\r\n\r\n"
        "Reporting-MTA: dns; mail.test\r\n\r\n"
        "Final-Recipient: rfc822; pavel@mail.test\r\nAction: failed\r\nStatus: 5.1.1\r\n"
        "Diagnostic-Code: smtp; 550 5.1.1 mailbox unavailable\r\n\r\n--b--\r\n"
    ).encode()
    mailbox.append(bounce)
    call_command("mail_poll")
    delivery.refresh_from_db()
    assert delivery.status == MailDelivery.Status.FAILED
    assert "550 5.1.1 mailbox unavailable" in delivery.reason
    assert "mailbox unavailable" in dialog_page(alice_client, dialog)


def test_without_a_mail_server_the_demo_outbox_says_not_sent(site, alice, settings, tmp_path):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.MAILCHANNEL_DEMO_OUTBOX = True
    message = answer(alice, left_visitor(site))
    delivery = MailDelivery.objects.get(message=message)
    assert delivery.status == MailDelivery.Status.SENT and delivery.demo
    assert len(django_mail.outbox) == 1
    from mailchannel.events import delivery_html

    assert "demo outbox" in delivery_html(delivery) and "not sent" in delivery_html(delivery)
