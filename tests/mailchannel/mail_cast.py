"""The people and mails of the e-mail tests."""

from email.message import EmailMessage
from email.utils import make_msgid

from chat.dialogs import lifecycle
from chat.messaging import posting
from chat.models import Dialog, Visitor
from chat.visitors import animals


def left_visitor(site, *, email="pavel@mail.test", name="Pavel"):
    """A visitor who wrote, gave his e-mail address and closed the page (no widget open)."""
    visitor = Visitor(site=site, name=name, email=email)
    visitor.animal = animals.animal_for(visitor.token)
    visitor.save()
    message, _ = posting.post_visitor_message(
        visitor_id=visitor.pk, visit_id=None, client_id="v-first", text="Do you deliver?"
    )
    return Dialog.objects.select_related("site", "visitor").get(pk=message.dialog_id)


def answer(operator, dialog, text="Yes, on Sunday.", attachment=None):
    lifecycle.connect_operator(operator=operator, dialog_id=dialog.pk)
    message, _ = posting.post_operator_message(
        operator=operator, dialog_id=dialog.pk, client_id=f"o-{text[:30]}", text=text,
        attachment=attachment,
    )  # fmt: skip
    return message


def reply(
    *, to, text, sender="pavel@mail.test", in_reply_to=None, message_id=None, files=(),
    html=None,
) -> bytes:  # fmt: skip
    mail = EmailMessage()
    mail["From"] = f"Pavel <{sender}>"
    mail["To"] = to
    mail["Subject"] = "Re: New answer in your chat"
    mail["Message-ID"] = message_id or make_msgid("visitor", domain="mail.test")
    if in_reply_to:
        mail["In-Reply-To"] = in_reply_to
        mail["References"] = in_reply_to
    mail.set_content(text)
    if html:
        mail.add_alternative(html, subtype="html")
    for name, content, maintype, subtype in files:
        mail.add_attachment(content, maintype=maintype, subtype=subtype, filename=name)
    return mail.as_bytes()


EMAIL_BADGE = (
    '<span class="channel-badge channel-email" title="E-mail"><span class="channel-icon" '
    'aria-hidden="true">✉</span> E-mail</span>'
)
RU_BADGE = (
    '<span class="channel-badge channel-email" title="Почта"><span class="channel-icon" '
    'aria-hidden="true">✉</span> Почта</span>'
)


def new_mail(sender: str, n: int, *, to: str) -> bytes:
    """A first mail from someone to the shop's inbox `to` (a new dialog)."""
    mail = EmailMessage()
    mail["From"] = sender
    mail["To"] = f"Shop <{to}>"
    mail["Subject"] = f"Question {n}"
    mail["Message-ID"] = f"<new{n}@mail.test>"
    mail.set_content("Do you ship to Kazan?")
    return mail.as_bytes()
