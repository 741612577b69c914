"""The e-mails themselves: an answer to a visitor who left, the transcript of an ended
dialog (both in the visitor's language, with a signed Reply-To), a lead notice to the
site's addresses. Visitor data never reaches a header as is: names and subjects lose
their line breaks here, and Django's mail refuses any header that still has one.

Answers and transcripts are multipart/alternative: the plain text, and a simple HTML part
rendered by an autoescaping template (mailchannel/answer.html, transcript.html), so what
the visitor or operator wrote is text in it, never markup. A dialog opened by a new e-mail
is answered in that e-mail's thread: "Re: <its subject>", In-Reply-To / References naming it."""

from email.utils import formataddr

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from chat.models import Attachment, Message
from mailchannel import addresses
from mailchannel.models import InboundMail, MailDelivery


def one_line(value: str, limit: int = 150) -> str:
    """A header-safe piece of visitor data: no CR, LF or other control characters."""
    cleaned = "".join(" " if ord(ch) < 32 or ch == "\x7f" else ch for ch in value or "")
    return " ".join(cleaned.split())[:limit]


def _from_header(site) -> str:
    return formataddr((one_line(site.name), settings.DEFAULT_FROM_EMAIL))


def _visitor_to(visitor) -> str:
    return formataddr((one_line(visitor.name), visitor.email))


def _thread_headers(delivery: MailDelivery) -> dict:
    """Our Message-ID; In-Reply-To and References name the dialog's earlier e-mails (the
    new e-mail that opened it, then ours), so a mail program shows one thread."""
    headers = {"Message-ID": delivery.mail_id}
    if delivery.dialog_id:
        started = list(
            InboundMail.objects.filter(dialog_id=delivery.dialog_id, started_dialog=True)
            .order_by("pk")
            .values_list("message_id", flat=True)[:1]
        )
        earlier = started + list(
            MailDelivery.objects.filter(dialog_id=delivery.dialog_id, pk__lt=delivery.pk)
            .exclude(kind=MailDelivery.Kind.LEAD)
            .order_by("pk")
            .values_list("mail_id", flat=True)[:20]
        )
        if earlier:
            headers["In-Reply-To"] = earlier[-1]
            headers["References"] = " ".join(earlier)
    return headers


def _mail(
    delivery: MailDelivery, *, subject: str, body: str, to: list[str], reply_to=None, html=None
):
    headers = {"From": _from_header(delivery.site), **_thread_headers(delivery)}
    # The envelope sender is our signed bounce address: a bounce comes back to the mailbox
    # and marks this delivery "not delivered" (inbound.py).
    envelope = addresses.bounce_address(delivery.pk) or settings.DEFAULT_FROM_EMAIL
    mail = EmailMultiAlternatives(
        subject=subject,
        body=body,
        from_email=envelope,
        to=to,
        reply_to=reply_to or None,
        headers=headers,
    )
    if html:
        mail.attach_alternative(html, "text/html")
    return mail


def _started_subject(dialog_id: int) -> str:
    """The subject of the new e-mail that opened the dialog, "" when none did."""
    subject = (
        InboundMail.objects.filter(dialog_id=dialog_id, started_dialog=True)
        .order_by("pk")
        .values_list("subject", flat=True)
        .first()
    )
    return one_line(subject or "", 200)


def reply_subject(subject: str) -> str:
    """ "Re: <subject>", once: "Re: Re: …" and "RE:"/"Ответ:" are not stacked."""
    if subject.lower().startswith(("re:", "ответ:", "aw:")):
        return subject
    return f"Re: {subject}"


def _reply_to(delivery: MailDelivery) -> list[str]:
    address = addresses.reply_address(delivery.dialog_id)
    return [formataddr((one_line(delivery.site.name), address))] if address else []


def answer(delivery: MailDelivery) -> EmailMultiAlternatives:
    message = delivery.message
    dialog = message.dialog
    started = _started_subject(dialog.pk)
    with translation.override(delivery.language):
        if started:
            subject = reply_subject(started)
        else:
            subject = _("New answer in your chat with %(site)s") % {
                "site": one_line(dialog.site.name)
            }
        context = {
            "site": dialog.site,
            "operator": message.operator.name if message.operator else "",
            "text": message.text,
            "can_reply": bool(addresses.reply_address(dialog.pk)),
            "language": delivery.language,
        }
        body = render_to_string("mailchannel/answer.txt", context)
        html = render_to_string("mailchannel/answer.html", context)
    mail = _mail(
        delivery, subject=subject, body=body, to=[_visitor_to(dialog.visitor)],
        reply_to=_reply_to(delivery), html=html,
    )  # fmt: skip
    attachment = Attachment.objects.filter(message_id=message.pk).first()
    if attachment is not None:
        with attachment.file.open("rb") as file:
            mail.attach(one_line(attachment.name, 200), file.read(), attachment.content_type)
    return mail


def transcript(delivery: MailDelivery) -> EmailMultiAlternatives:
    dialog = delivery.dialog
    messages = (
        Message.objects.for_visitor()
        .filter(dialog_id=dialog.pk)
        .select_related("operator", "attachment")
        .order_by("id")
    )
    zone = timezone.get_default_timezone()
    with translation.override(delivery.language), timezone.override(zone):
        subject = _("Your chat with %(site)s") % {"site": one_line(dialog.site.name)}
        context = {
            "site": dialog.site,
            "dialog": dialog,
            "messages": list(messages),
            "visitor_label": _("You"),
            "can_reply": bool(addresses.reply_address(dialog.pk)),
            "language": delivery.language,
        }
        body = render_to_string("mailchannel/transcript.txt", context)
        html = render_to_string("mailchannel/transcript.html", context)
    return _mail(
        delivery, subject=subject, body=body, to=[_visitor_to(dialog.visitor)],
        reply_to=_reply_to(delivery), html=html,
    )  # fmt: skip


def lead_notice(delivery: MailDelivery) -> EmailMultiAlternatives:
    lead = delivery.lead
    with translation.override(delivery.language):
        subject = _("New lead on %(site)s: %(name)s") % {
            "site": one_line(lead.site.name),
            "name": one_line(lead.name or lead.email or lead.phone) or _("no name"),
        }
        body = render_to_string("mailchannel/lead.txt", {"lead": lead})
    reply_to = [formataddr((one_line(lead.name), lead.email))] if lead.email else []
    return _mail(
        delivery, subject=subject, body=body, to=delivery.recipients.split(","),
        reply_to=reply_to,
    )  # fmt: skip


BUILDERS = {
    MailDelivery.Kind.ANSWER: answer,
    MailDelivery.Kind.TRANSCRIPT: transcript,
    MailDelivery.Kind.LEAD: lead_notice,
}


def build(delivery: MailDelivery) -> EmailMultiAlternatives:
    return BUILDERS[delivery.kind](delivery)
