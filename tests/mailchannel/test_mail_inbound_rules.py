"""What a reply from the mailbox may and may not do: a forged or foreign signed address
adds nothing anywhere, another account's dialog is never reached, the quoted history is
cut, a refused file leaves the rest of the mail in the dialog."""

import pytest
from django.core.management import call_command
from mail_cast import answer, left_visitor, reply

from chat.models import Attachment, Dialog, Message
from mailchannel import addresses, parsing
from mailchannel.models import InboundMail

pytestmark = pytest.mark.django_db(transaction=True)

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 200


def poll():
    call_command("mail_poll")


def visitor_messages(dialog):
    return list(
        Message.objects.filter(dialog__visitor_id=dialog.visitor_id, author_kind="visitor")
        .order_by("id")
        .values_list("text", flat=True)
    )


def test_a_forged_signature_is_refused_and_adds_nothing(mailbox, site):
    dialog = left_visitor(site)
    good = addresses.reply_address(dialog.pk)
    forged = good.replace(good.split("-")[1][:4], "0000")
    before = Message.objects.count()
    mailbox.append(reply(to=forged, text="let me in"))
    poll()
    assert Message.objects.count() == before
    mail = InboundMail.objects.get()
    assert mail.outcome == InboundMail.Outcome.REFUSED and mail.dialog_id is None
    assert "\\Seen" in mailbox.flags()[0]  # stored and seen: not fetched again and again


def test_another_accounts_dialog_is_never_reached(mailbox, site, make_site, make_account):
    ours = left_visitor(site)
    theirs = left_visitor(make_site(account=make_account()), email="olga@mail.test")
    signature = addresses.reply_address(ours.pk).split("-")[1].split("@")[0]
    # Our dialog's signature with their dialog's number; a bounce signature as a reply's.
    swapped = f"chat+r{theirs.pk}-{signature}@shop.test"
    as_reply = addresses.bounce_address(theirs.pk).replace("+b", "+r")
    before = visitor_messages(theirs)
    for number, to in enumerate((swapped, as_reply)):
        mailbox.append(reply(to=to, text=f"intrusion {number}", message_id=f"<i{number}@x>"))
    poll()
    assert visitor_messages(theirs) == before
    assert not Message.objects.filter(text__startswith="intrusion").exists()
    assert set(InboundMail.objects.values_list("outcome", flat=True)) == {"refused"}


def test_a_mail_naming_no_dialog_is_refused(mailbox, site):
    mailbox.append(reply(to="chat@shop.test", text="hello?", in_reply_to="<unknown@x>"))
    poll()
    assert InboundMail.objects.get().outcome == InboundMail.Outcome.REFUSED
    assert not Message.objects.filter(text="hello?").exists()


def test_the_quoted_history_is_cut_in_russian_and_html(mailbox, site, alice):
    dialog = left_visitor(site)
    russian = (
        "Спасибо, жду в воскресенье!\n\n"
        "пн, 7 дек. 2026 г. в 12:00, Demo shop <chat@shop.test>:\n> Доставим в воскресенье.\n"
    )
    mailbox.append(reply(to=addresses.reply_address(dialog.pk), text=russian, message_id="<r@x>"))
    html = "<p>Only the new line</p><blockquote>old</blockquote>"
    mailbox.append(
        reply(
            to=addresses.reply_address(dialog.pk),
            text="Only the new line\n\nOn Mon, Dec 7, 2026, Shop wrote:\n> old\n",
            html=html,
            message_id="<h@x>",
        )
    )
    poll()
    assert visitor_messages(dialog)[-2:] == ["Спасибо, жду в воскресенье!", "Only the new line"]


def test_strip_quoted_keeps_what_was_written():
    text = "Line one\nLine two\n\n-----Original Message-----\nFrom: shop\nold"
    assert parsing.strip_quoted(text) == "Line one\nLine two"
    assert parsing.strip_quoted("No quote at all") == "No quote at all"


def test_a_refused_file_is_a_note_and_the_rest_is_kept(mailbox, site, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.CHAT_ATTACHMENT_MAX_BYTES = 4000
    dialog = left_visitor(site)
    files = [
        ("order.pdf", PDF, "application", "pdf"),
        ("tool.exe", EXE, "application", "octet-stream"),
        ("huge.pdf", PDF + b"0" * 5000, "application", "pdf"),
    ]
    mailbox.append(
        reply(to=addresses.reply_address(dialog.pk), text="My order, see attached", files=files)
    )
    poll()
    texts = visitor_messages(dialog)
    note = texts[-2]
    assert note.startswith("My order, see attached")
    assert "tool.exe: Files of this type cannot be sent" in note
    assert "huge.pdf:" in note and "[The visitor sent a file that was not accepted" in note
    [attachment] = Attachment.objects.filter(message__dialog__visitor_id=dialog.visitor_id)
    assert attachment.name == "order.pdf" and attachment.content_type == "application/pdf"
    assert InboundMail.objects.get().outcome == InboundMail.Outcome.ADDED


def test_a_reply_while_another_dialog_is_open_goes_to_the_open_one(mailbox, site, alice):
    from chat.dialogs import lifecycle
    from chat.messaging import posting

    first = left_visitor(site)
    answer(alice, first)
    lifecycle.end_dialog(operator=alice, dialog_id=first.pk)
    second, _ = posting.post_visitor_message(
        visitor_id=first.visitor_id, visit_id=None, client_id="v-again", text="Me again"
    )
    mailbox.append(reply(to=addresses.reply_address(first.pk), text="Late reply"))
    poll()
    assert Message.objects.get(text="Late reply").dialog_id == second.dialog_id
    assert Dialog.objects.get(pk=first.pk).status == Dialog.Status.CLOSED


def test_erasing_the_visitor_erases_his_emails(smtp, mailbox, site, alice):
    from chat.visitors import erasure
    from mailchannel.models import MailDelivery

    dialog = left_visitor(site)
    answer(alice, dialog)
    mailbox.append(reply(to=addresses.reply_address(dialog.pk), text="My secret reply"))
    poll()
    assert MailDelivery.objects.exists() and InboundMail.objects.exists()
    erasure.erase_visitors([dialog.visitor_id])
    assert not MailDelivery.objects.exists() and not InboundMail.objects.exists()
