"""A new e-mail (not a reply) to a site's inbox address opens a dialog, like a widget's
first message; the operator's answer goes back in that e-mail's thread. Robots, blocked
senders and floods open nothing. Real peers: Dovecot holds the mail, aiosmtpd gets ours."""

import io
from email.message import EmailMessage

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from mail_cast import answer, left_visitor, reply
from mail_peers import wait_until
from PIL import Image

from chat import hooks
from chat.dialogs import lifecycle
from chat.models import BlockedIP, Dialog, Message, Visitor
from mailchannel import addresses, parsing
from mailchannel.models import InboundMail, SiteMail

pytestmark = pytest.mark.django_db(transaction=True)

INBOX = "support@shop.test"


def new_mail(
    *, text="Do you ship to Kazan?", subject="Shipping question", sender="Olga <olga@mail.test>",
    to=f"Shop <{INBOX}>", message_id="<first@mail.test>", html=None, headers=(), files=(),
) -> bytes:  # fmt: skip
    mail = EmailMessage()
    mail["From"] = sender
    mail["To"] = to
    mail["Subject"] = subject
    mail["Message-ID"] = message_id
    for name, value in headers:
        mail[name] = value
    if text is not None:
        mail.set_content(text)
        if html:
            mail.add_alternative(html, subtype="html")
    else:
        mail.set_content(html, subtype="html")
    for name, content, maintype, subtype in files:
        mail.add_attachment(content, maintype=maintype, subtype=subtype, filename=name)
    return mail.as_bytes()


@pytest.fixture
def inbox(site):
    return SiteMail.objects.create(site=site, inbox_address=INBOX)


@pytest.fixture
def opened():
    """The dialogs hooks.dialog_opened announced (routing, alerts and push hear it)."""
    seen = []

    def receiver(*, dialog):
        seen.append(dialog.pk)

    hooks.dialog_opened.connect(receiver)
    yield seen
    hooks.dialog_opened.disconnect(receiver)


def test_a_new_email_opens_a_dialog_and_the_answer_goes_back_in_its_thread(
    smtp, mailbox, site, alice, inbox, opened
):
    picture = io.BytesIO()
    Image.new("RGB", (4, 4), "red").save(picture, "PNG")
    png = picture.getvalue()
    mailbox.append(new_mail(files=[("photo.png", png, "image", "png")]))
    call_command("mail_poll")
    stored = InboundMail.objects.get()
    assert stored.outcome == InboundMail.Outcome.OPENED and stored.started_dialog
    dialog = Dialog.objects.select_related("visitor").get(pk=stored.dialog_id)
    assert dialog.site == site and dialog.status == Dialog.Status.NEW
    assert dialog.visitor.email == "olga@mail.test" and dialog.visitor.name == "Olga"
    assert opened == [dialog.pk]
    first = Message.objects.filter(dialog=dialog).order_by("id").first()
    assert first.author_kind == "visitor"
    assert first.text == "Shipping question\n\nDo you ship to Kazan?"
    photo = Message.objects.filter(dialog=dialog).order_by("id").last()
    assert photo.attachment.name == "photo.png"

    answer(alice, dialog, text="Yes, in 3 days.")
    [sent] = wait_until(smtp.messages, what="the answer at the SMTP server")
    got = sent["message"]
    assert sent["to"] == ["olga@mail.test"]
    assert got["Subject"] == "Re: Shipping question"
    assert got["In-Reply-To"] == "<first@mail.test>"
    assert "<first@mail.test>" in got["References"]

    # Her next e-mail, in the thread, comes into the same dialog.
    mailbox.append(
        new_mail(
            text="Great!",
            subject="Re: Shipping question",
            message_id="<second@mail.test>",
            headers=[("In-Reply-To", got["Message-ID"]), ("References", got["Message-ID"])],
        )  # fmt: skip
    )
    call_command("mail_poll")
    assert Message.objects.filter(dialog=dialog, text="Great!").exists()
    assert Dialog.objects.count() == 1 and Visitor.objects.count() == 1


def test_a_second_new_email_of_the_same_sender_finds_his_visitor(smtp, mailbox, site, inbox):
    mailbox.append(new_mail())
    mailbox.append(new_mail(text="And to Kazan?", message_id="<again@mail.test>"))
    mailbox.append(new_mail())  # the same Message-ID again: stored once
    call_command("mail_poll")
    outcomes = list(InboundMail.objects.order_by("pk").values_list("outcome", "started_dialog"))
    assert outcomes == [("opened", True), ("added", False)]
    assert Visitor.objects.filter(email="olga@mail.test").count() == 1
    dialog = Dialog.objects.get()
    texts = list(Message.objects.filter(dialog=dialog).values_list("text", flat=True))
    assert texts == [
        "Shipping question\n\nDo you ship to Kazan?",
        "Shipping question\n\nAnd to Kazan?",
    ]


@pytest.mark.parametrize(
    "headers, sender",
    [
        ([("Auto-Submitted", "auto-replied")], "Olga <olga@mail.test>"),
        ([("Precedence", "bulk")], "Olga <olga@mail.test>"),
        ([("Precedence", "list")], "Olga <olga@mail.test>"),
        ([("X-Autoreply", "yes")], "Olga <olga@mail.test>"),
        ([], "MAILER-DAEMON@mail.test"),
        ([], "Shop news <noreply@news.test>"),
        ([], "chat@shop.test"),
    ],
)
def test_automatic_and_bulk_mail_opens_no_dialog(mailbox, site, inbox, headers, sender):
    mailbox.append(new_mail(headers=headers, sender=sender))
    call_command("mail_poll")
    assert not Dialog.objects.exists()
    assert InboundMail.objects.get().outcome == InboundMail.Outcome.IGNORED


def test_a_mail_to_no_sites_inbox_is_refused(mailbox, site, inbox):
    mailbox.append(new_mail(to="someone@else.test"))
    call_command("mail_poll")
    assert not Dialog.objects.exists()
    mail = InboundMail.objects.get()
    assert mail.outcome == InboundMail.Outcome.REFUSED and "inbox address" in mail.error


def test_a_blocked_visitors_address_opens_nothing(mailbox, site, alice, inbox):
    visitor = Visitor.objects.create(site=site, email="olga@mail.test", animal="fox")
    BlockedIP.objects.create(
        account=site.account, network="203.0.113.7/32", visitor=visitor, blocked_by=alice
    )
    mailbox.append(new_mail(sender="OLGA <Olga@Mail.test>"))
    call_command("mail_poll")
    assert not Dialog.objects.exists()
    mail = InboundMail.objects.get()
    assert mail.outcome == InboundMail.Outcome.REFUSED and mail.error == "The sender is blocked."


def test_a_flood_of_new_emails_from_one_sender_is_cut(mailbox, site, inbox, settings):
    settings.CHAT_RATE_DIALOGS_PER_VISITOR = 2
    for number in range(3):
        mailbox.append(new_mail(text=f"Spam {number}", message_id=f"<spam{number}@mail.test>"))
    call_command("mail_poll")
    outcomes = sorted(InboundMail.objects.values_list("outcome", flat=True))
    assert outcomes == ["added", "opened", "refused"]  # the second joins the open dialog
    assert Message.objects.count() == 2


def test_an_html_only_email_is_read_as_text_and_shown_escaped(mailbox, site, alice, inbox):
    html = (
        "<html><head><style>p{color:red}</style><script>alert(1)</script></head><body>"
        "<p>Hello,</p><p>is <b>this</b> &lt;sofa&gt; in stock?</p>"
        "<ul><li>blue</li><li>green</li></ul>"
        '<p><a href="https://shop.test/sofa">the sofa</a><br><img src=x onerror=alert(2)></p>'
        "<blockquote>old quoted text</blockquote></body></html>"
    )
    mailbox.append(new_mail(text=None, html=html, subject="<i>Sofa</i>"))
    call_command("mail_poll")
    message = Message.objects.get()
    assert message.text == (
        "<i>Sofa</i>\n\nHello,\n\nis this <sofa> in stock?\n\n- blue\n- green\n\n"
        "the sofa (https://shop.test/sofa)"
    )
    client = Client()
    client.force_login(alice.user)
    page = client.get(f"/console/dialogs/{message.dialog_id}/").content.decode()
    assert "&lt;sofa&gt;" in page and "&lt;i&gt;Sofa&lt;/i&gt;" in page
    assert "<sofa>" not in page and "onerror" not in page


def test_the_inbox_address_is_set_in_site_settings(site, make_operator, make_site):
    manager = make_operator(username="mira", sites=[site], can_manage_site_settings=True)
    client = Client()
    client.force_login(manager.user)
    url = reverse("site_settings:email", kwargs={"site_id": site.pk})
    response = client.post(url, {"lead_addresses": "", "inbox_address": " Support@Shop.test "})
    assert response.status_code == 302
    assert SiteMail.objects.get(site=site).inbox_address == "support@shop.test"
    page = client.get(url).content.decode()
    assert "New e-mails to this address open dialogs" in page
    # Another site may not take the same address: one mail, one site.
    other = make_site(name="blog.example")
    SiteMail.objects.create(site=other, inbox_address="help@shop.test")
    response = client.post(url, {"lead_addresses": "", "inbox_address": "HELP@shop.test"})
    assert response.status_code == 200
    assert "Another site already uses this address." in response.content.decode()
    assert SiteMail.objects.get(site=site).inbox_address == "support@shop.test"


def test_an_auto_reply_to_an_answer_does_not_reopen_the_dialog(smtp, mailbox, site, alice):
    dialog = left_visitor(site)
    answer(alice, dialog)
    lifecycle.end_dialog(operator=alice, dialog_id=dialog.pk)
    message = parsing.parse_bytes(
        reply(to=addresses.reply_address(dialog.pk), text="I am on vacation until Monday.")
    )
    message["Auto-Submitted"] = "auto-replied"
    mailbox.append(message.as_bytes())
    call_command("mail_poll")
    dialog.refresh_from_db()
    assert dialog.status == Dialog.Status.CLOSED
    assert not Message.objects.filter(dialog=dialog, text__contains="vacation").exists()
    assert InboundMail.objects.get().outcome == InboundMail.Outcome.IGNORED
