"""The input rules and dialog bookkeeping of chat/messaging/posting.py, each at its edge:
what a client may send, and what a message changes on its dialog's row (the console's
preview, unread count, waiting time). Fast: no sockets."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings

from chat.dialogs import lifecycle
from chat.errors import ChatError
from chat.messaging import posting, uploads
from chat.models import Dialog
from chat.visitors import sessions


def refused(call, *args, **kwargs) -> tuple[str, str]:
    with pytest.raises(ChatError) as error:
        call(*args, **kwargs)
    return error.value.code, error.value.detail


# --- text ---------------------------------------------------------------------------------


def test_text_is_trimmed_and_loses_nul_characters():
    assert posting.clean_text("  Hel\x00lo \n") == "Hello"


@pytest.mark.parametrize("text", ["", "   ", "\x00", " \x00 "])
def test_blank_text_is_refused_as_empty(text):
    assert refused(posting.clean_text, text) == ("empty", "Message text is empty.")


def test_a_caption_may_be_left_out_but_must_still_be_text():
    assert posting.clean_text("  ", allow_empty=True) == ""
    assert refused(posting.clean_text, None, allow_empty=True)[0] == "invalid"
    assert refused(posting.clean_text, 5) == ("invalid", "Message text must be a string.")


@override_settings(CHAT_MESSAGE_MAX_LENGTH=10)
def test_text_may_be_exactly_as_long_as_the_limit_and_not_one_character_more():
    assert posting.clean_text("x" * 10) == "x" * 10
    assert posting.clean_text(" " + "x" * 10 + " ") == "x" * 10  # spaces around do not count
    assert refused(posting.clean_text, "x" * 11) == (
        "too_long",
        "Message text is longer than 10 characters.",
    )


# --- client_id ----------------------------------------------------------------------------


@pytest.mark.parametrize("client_id", ["a", "x" * 64, "é" * 64])
def test_client_ids_of_1_to_64_characters_are_taken(client_id):
    assert posting.clean_client_id(client_id) == client_id


@pytest.mark.parametrize("client_id", ["", "x" * 65, "a\x00b", None, 7, ["a"]])
def test_other_client_ids_are_refused(client_id):
    assert refused(posting.clean_client_id, client_id) == (
        "invalid",
        "client_id must be a string of 1 to 64 characters.",
    )


# --- what a message changes on its dialog ---------------------------------------------------

_ids = iter(range(1, 1_000_000))


@pytest.fixture
def session(site):
    return sessions.start_visitor_session(site=site, token=None, ip=None, user_agent="Firefox")


def visitor_writes(session, text="Hello"):
    message, created = posting.post_visitor_message(
        visitor_id=session.visitor.id,
        visit_id=session.visit.id,
        client_id=f"v-{next(_ids)}",
        text=text,
    )
    assert created
    return message


def operator_writes(operator, dialog_id, text="Hi"):
    message, created = posting.post_operator_message(
        operator=operator, dialog_id=dialog_id, client_id=f"o-{next(_ids)}", text=text
    )
    assert created
    return message


@pytest.mark.django_db
def test_the_console_preview_is_the_first_200_characters(session):
    text = "a" * 199 + "bc"
    dialog = visitor_writes(session, text).dialog
    dialog.refresh_from_db()
    assert dialog.last_message_text == "a" * 199 + "b"


@pytest.mark.django_db
def test_waiting_starts_at_the_first_unanswered_message_and_an_answer_ends_it(session, alice):
    first = visitor_writes(session, "One")
    second = visitor_writes(session, "Two")
    dialog = Dialog.objects.get(pk=first.dialog_id)
    assert dialog.unread_count == 2
    assert dialog.waiting_since == first.created_at != second.created_at
    assert dialog.last_message_at == second.created_at
    assert dialog.last_message_author == "visitor"

    lifecycle.connect_operator(operator=alice, dialog_id=dialog.id)
    answer = operator_writes(alice, dialog.id)
    dialog.refresh_from_db()
    assert (dialog.unread_count, dialog.waiting_since) == (0, None)
    assert (dialog.last_message_at, dialog.last_message_author) == (answer.created_at, "operator")

    again = visitor_writes(session, "Three")
    dialog.refresh_from_db()
    assert (dialog.unread_count, dialog.waiting_since) == (1, again.created_at)


@pytest.mark.django_db
def test_a_missed_dialog_waits_again_as_new_when_the_visitor_writes(session):
    dialog = visitor_writes(session).dialog
    Dialog.objects.filter(pk=dialog.pk).update(status=Dialog.Status.MISSED)
    visitor_writes(session, "Anyone?")
    dialog.refresh_from_db()
    assert dialog.status == Dialog.Status.NEW


# --- a file's caption, and who may write ----------------------------------------------------

PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def a_pdf():
    return uploads.prepare(SimpleUploadedFile("report.pdf", PDF, content_type="application/pdf"))


@pytest.mark.django_db
def test_a_file_may_go_without_a_caption_but_a_text_message_may_not_be_blank(session, alice, media):
    sent = {"visitor_id": session.visitor.id, "visit_id": session.visit.id}
    message, created = posting.post_visitor_message(
        **sent, client_id="v-file", text="  ", attachment=a_pdf()
    )
    assert created and message.text == "" and message.attachment.name == "report.pdf"
    assert refused(posting.post_visitor_message, **sent, client_id="v-blank", text=" ") == (
        "empty",
        "Message text is empty.",
    )

    dialog_id = message.dialog_id
    lifecycle.connect_operator(operator=alice, dialog_id=dialog_id)
    sent = {"operator": alice, "dialog_id": dialog_id}
    answer, created = posting.post_operator_message(
        **sent, client_id="o-file", text="", attachment=a_pdf()
    )
    assert created and answer.text == "" and answer.attachment.name == "report.pdf"
    assert refused(posting.post_operator_message, **sent, client_id="o-blank", text=" ") == (
        "empty",
        "Message text is empty.",
    )


@pytest.mark.django_db
def test_an_operator_is_told_why_he_cannot_write(session, alice):
    dialog_id = visitor_writes(session).dialog_id
    assert refused(operator_writes, alice, dialog_id) == (
        "not_connected",
        "Connect to the dialog before writing.",
    )
    lifecycle.connect_operator(operator=alice, dialog_id=dialog_id)
    lifecycle.end_dialog(operator=alice, dialog_id=dialog_id)
    assert refused(operator_writes, alice, dialog_id) == ("dialog_closed", "The dialog has ended.")
