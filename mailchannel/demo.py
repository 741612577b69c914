"""The demo e-mail of `make run` (seed_demo_mail): the demo shop opts in to transcripts and
lead notices, and Pavel, who left the page after giving his e-mail address, gets Anna's
answer by e-mail, written to the DEMO outbox (var/mail-outbox/: no mail server is set up,
nothing is sent), and answers it; his reply is threaded back into the dialog. Olga, who never
opened the widget, writes a new e-mail (an HTML one) to the shop's inbox address: it opens
a dialog waiting for an operator, like a widget's first message."""

from email.message import EmailMessage
from email.utils import make_msgid

from chat.dialogs import lifecycle
from chat.messaging import posting
from chat.models import Dialog, Site, Visitor
from chat.visitors import animals
from mailchannel import inbound
from mailchannel.models import MailDelivery, SiteMail
from operators.models import Operator

EMAIL = "pavel.demo@example.com"
ASKED = "Hello! Can you deliver the blue sofa (order 7713) on Sunday?"
ANSWER = "Hello Pavel! Yes, Sunday between 10:00 and 14:00 works. The courier will call first."
REPLIED = "Great, Sunday it is. Thank you! (a demo reply by e-mail)"
INBOX = "support@demo-shop.example"
NEW_SENDER = "olga.demo@example.com"
NEW_SUBJECT = "Gift wrapping for order 8120?"
NEW_HTML = (
    "<html><head><style>p{color:red}</style></head><body>"
    "<p>Hello!</p><p>Could you <b>gift-wrap</b> my order 8120 and add a card saying "
    "&laquo;Happy birthday, Ivan!&raquo;?</p><p>Thanks,<br>Olga</p>"
    "<p><small>(a demo e-mail: a new e-mail to the shop's address opens a dialog)</small></p>"
    "</body></html>"
)


def write_conversation(site: Site, operator: Operator) -> Dialog | None:
    """None when Pavel is there already (the command ran before)."""
    site_mail, _ = SiteMail.objects.update_or_create(
        site=site,
        defaults={
            "send_transcripts": True,
            "lead_addresses": "sales@demo-shop.example",
            "inbox_address": INBOX,
        },
    )
    if not Visitor.objects.filter(site=site, email=NEW_SENDER).exists():
        mail, _new = inbound.store(new_mail())
        inbound.process(mail.pk)
    if Visitor.objects.filter(site=site, email=EMAIL).exists():
        return None
    visitor = Visitor(site=site, name="Pavel", email=EMAIL)
    visitor.animal = animals.animal_for(visitor.token)
    visitor.save()
    message, _ = posting.post_visitor_message(
        visitor_id=visitor.pk, visit_id=None, client_id="seed-mail-1", text=ASKED
    )
    dialog_id = message.dialog_id
    lifecycle.connect_operator(operator=operator, dialog_id=dialog_id)
    answer, _ = posting.post_operator_message(
        operator=operator, dialog_id=dialog_id, client_id="seed-mail-2", text=ANSWER
    )
    delivery = MailDelivery.objects.filter(message=answer).first()
    if delivery is not None:
        mail, _new = inbound.store(reply_to(delivery))
        inbound.process(mail.pk)
    return Dialog.objects.get(pk=dialog_id)


def reply_to(delivery: MailDelivery) -> bytes:
    mail = EmailMessage()
    mail["From"] = f"Pavel <{EMAIL}>"
    mail["To"] = "chat@demo-shop.example"
    mail["Subject"] = "Re: New answer in your chat with Demo shop"
    mail["Message-ID"] = make_msgid("demo-reply", domain="example.com")
    mail["In-Reply-To"] = delivery.mail_id
    mail["References"] = delivery.mail_id
    mail.set_content(f"{REPLIED}\n\nOn Sunday, Demo shop wrote:\n> {ANSWER}\n")
    return mail.as_bytes()


def new_mail() -> bytes:
    """Olga's new e-mail to the shop's inbox address: HTML only, read as text."""
    mail = EmailMessage()
    mail["From"] = f"Olga <{NEW_SENDER}>"
    mail["To"] = f"Demo shop <{INBOX}>"
    mail["Subject"] = NEW_SUBJECT
    mail["Message-ID"] = make_msgid("demo-new", domain="example.com")
    mail.set_content(NEW_HTML, subtype="html")
    return mail.as_bytes()
