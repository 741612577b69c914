"""The transcript at a dialog's end (the site opts in) in the visitor's language, and a
lead notice to the site's addresses."""

import pytest
from django.utils import translation
from mail_cast import answer, left_visitor
from mail_peers import wait_until

from chat.dialogs import lifecycle
from leads import services as leads
from mailchannel import addresses
from mailchannel.models import MailDelivery, SiteMail

pytestmark = pytest.mark.django_db(transaction=True)


def ended_with_transcript(site, alice, smtp, *, language_of_form=None):
    SiteMail.objects.create(site=site, send_transcripts=True)
    dialog = left_visitor(site, email="")
    if language_of_form:
        with translation.override(language_of_form):  # the widget's request language
            leads.introduce_visitor(
                visitor_id=dialog.visitor_id, ip=None, contact={"email": "pavel@mail.test"}
            )
    else:
        dialog.visitor.email = "pavel@mail.test"
        dialog.visitor.save(update_fields=["email"])
    answer(alice, dialog, text="Доставим в воскресенье." if language_of_form else "Sunday.")
    lifecycle.end_dialog(operator=alice, dialog_id=dialog.pk)
    # The answer went by e-mail too (he had left): the transcript is the second mail.
    answer_mail, transcript = wait_until(lambda: len(smtp.messages()) == 2 and smtp.messages())
    return dialog, transcript["message"]


def test_the_transcript_in_russian_for_a_russian_visitor(smtp, site, alice):
    dialog, mail = ended_with_transcript(site, alice, smtp, language_of_form="ru")
    body = mail.get_body(preferencelist=("plain",)).get_content()
    assert mail["Subject"] == f"Ваш чат с {site.name}"
    assert f"Переписка с {site.name} (#{dialog.number})" in body
    assert "Вы: Do you deliver?" in body and "Доставим в воскресенье." in body
    assert "Ответьте на это письмо" in body
    assert addresses.reply_address(dialog.pk) in mail["Reply-To"]
    delivery = MailDelivery.objects.get(kind="transcript")
    assert delivery.status == MailDelivery.Status.SENT and delivery.language == "ru"


def test_the_transcript_in_english(smtp, site, alice):
    dialog, mail = ended_with_transcript(site, alice, smtp)
    body = mail.get_body(preferencelist=("plain",)).get_content()
    assert mail["Subject"] == f"Your chat with {site.name}"
    assert "You: Do you deliver?" in body and "Sunday." in body


def test_no_transcript_without_the_sites_opt_in(smtp, site, alice):
    dialog = left_visitor(site)
    answer(alice, dialog)
    lifecycle.end_dialog(operator=alice, dialog_id=dialog.pk)
    assert not MailDelivery.objects.filter(kind="transcript").exists()


def test_a_lead_notice_goes_to_the_sites_addresses(smtp, site, alice):
    SiteMail.objects.create(site=site, lead_addresses="sales@shop.test\nboss@shop.test")
    dialog = left_visitor(site, email="")
    leads.submit_offline_lead(
        visitor_id=dialog.visitor_id,
        ip=None,
        contact={"name": "Eve\r\nBcc: victim@evil.test", "email": "eve@mail.test",
                 "phone": "", "message": "Call me about the sofa"},
    )  # fmt: skip
    [mail] = wait_until(smtp.messages)
    assert sorted(mail["to"]) == ["boss@shop.test", "sales@shop.test"]
    got = mail["message"]
    assert got.get_all("Bcc") is None and "\n" not in got["Subject"]
    assert got["Subject"] == f"New lead on {site.name}: Eve Bcc: victim@evil.test"
    assert "Call me about the sofa" in got.get_body(preferencelist=("plain",)).get_content()
    assert "eve@mail.test" in got["Reply-To"]
    assert MailDelivery.objects.get(kind="lead").status == MailDelivery.Status.SENT


def test_no_lead_notice_without_addresses(smtp, site):
    dialog = left_visitor(site, email="")
    leads.submit_offline_lead(
        visitor_id=dialog.visitor_id, ip=None,
        contact={"name": "Eve", "email": "eve@mail.test", "phone": "", "message": "hi"},
    )  # fmt: skip
    assert not MailDelivery.objects.exists()
