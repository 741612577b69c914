"""A resend (a message whose client_id the server already stored: the client never got its
ack) is answered with the stored message and announced again to everyone who shows the
dialog, as the first announcement was (chat/messaging/posting.py, _stored_message). Its
cost is fixed, as a send's is. Fast: no sockets."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection

from chat.dialogs import lifecycle
from chat.messaging import posting, store, uploads
from chat.models import Message
from chat.realtime import events
from chat.visitors import sessions

pytestmark = pytest.mark.django_db

POSTGRESQL = connection.vendor == "postgresql"


@pytest.fixture
def published(monkeypatch, django_capture_on_commit_callbacks):
    """Every publish as its (group, event) sends, once the `with committed():` block ends."""
    sent = []
    monkeypatch.setattr(events, "publish", lambda *sends: sent.append(sends))
    return sent, lambda: django_capture_on_commit_callbacks(execute=True)


def new_session(site):
    return sessions.start_visitor_session(site=site, token=None, ip=None, user_agent="")


def visitor_says(session, client_id, text="Hello"):
    return posting.post_visitor_message(
        visitor_id=session.visitor.id, visit_id=session.visit.id, client_id=client_id, text=text
    )


def operator_says(operator, dialog_id, client_id, text="Hi", site_ids=None):
    return posting.post_operator_message(
        operator=operator, dialog_id=dialog_id, client_id=client_id, text=text, site_ids=site_ids
    )


def rows(sends) -> list[dict]:
    return [event for _group, event in sends if event["type"] == "chat.row"]


def test_a_visitors_resend_reaches_the_console_row_with_its_operators(site, alice, published):
    """The console's row of the dialog still shows who talks to him after a resend."""
    sent, committed = published
    session = new_session(site)
    first, _ = visitor_says(session, "c-1", "Where is my order?")
    lifecycle.connect_operator(operator=alice, dialog_id=first.dialog_id)
    sent.clear()

    with committed():
        again, created = visitor_says(session, "c-1", "Where is my order?")

    assert (again.id, created) == (first.id, False)
    (sends,) = sent
    (row,) = rows(sends)
    assert (row["dialog"], row["operators"]) == (first.dialog_id, [alice.id])
    assert "Where is my order?" in row["html"]["en"]


def test_an_operators_resend_answers_with_his_own_message_of_this_dialog(site, alice, published):
    """Another dialog holds a message with the same client_id (another visitor's widget
    counter, or the operator's own client in another dialog): a resend is still answered
    with the message the operator sent here."""
    sent, committed = published
    elsewhere, _ = visitor_says(new_session(site), "c-1", "Unrelated")
    first, _ = visitor_says(new_session(site), "v-1")
    dialog_id = first.dialog_id
    lifecycle.connect_operator(operator=alice, dialog_id=dialog_id)
    answer, created = operator_says(alice, dialog_id, "c-1", "On its way")
    assert created
    sent.clear()

    with committed():
        again, created = operator_says(alice, dialog_id, "c-1", "On its way")

    assert (again.id, again.dialog_id, again.text, created) == (
        answer.id,
        dialog_id,
        "On its way",
        False,
    )
    (sends,) = sent
    (row,) = rows(sends)
    assert (row["dialog"], row["operators"]) == (dialog_id, [alice.id])
    assert Message.objects.filter(client_id="c-1").count() == 2  # nothing stored twice
    assert elsewhere.id != answer.id


def test_a_visitors_resend_takes_a_fixed_number_of_statements(
    site, alice, django_assert_num_queries
):
    """The stored message is read with its dialog, site and visitor in one statement."""
    session = new_session(site)
    first, _ = visitor_says(session, "c-1")
    lifecycle.connect_operator(operator=alice, dialog_id=first.dialog_id)
    visitor_says(session, "c-2")  # the caches of the row (tags, channel) are warm

    # SAVEPOINT, RELEASE; the lock with the resend check; the stored message with its
    # dialog, site and visitor; the operators connected to it; its attachments (payload).
    with django_assert_num_queries(2 + 4):
        again, created = visitor_says(session, "c-1")
    assert (again.id, created) == (first.id, False)


def test_an_operators_resend_takes_a_fixed_number_of_statements(
    site, alice, django_assert_num_queries
):
    """The operators connected to the dialog, read for the access check, are not read again."""
    first, _ = visitor_says(new_session(site), "v-1")
    lifecycle.connect_operator(operator=alice, dialog_id=first.dialog_id)
    answer, _ = operator_says(alice, first.dialog_id, "c-1", site_ids={site.id})

    # SAVEPOINT, RELEASE; the dialog's lock; who is connected and the resend check (one
    # statement on PostgreSQL, two on the portable store); the stored message; its author
    # and attachments (payload).
    with django_assert_num_queries(2 + 5 if POSTGRESQL else 2 + 6):
        again, created = operator_says(alice, first.dialog_id, "c-1", site_ids={site.id})
    assert (again.id, created) == (answer.id, False)


PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"


def stored_files(root):
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


@pytest.mark.skipif(not POSTGRESQL, reason="the PostgreSQL store's ON CONFLICT")
def test_a_file_whose_first_send_was_stored_meanwhile_leaves_no_copy(
    site, alice, monkeypatch, settings, tmp_path
):
    """A send with a file that finds its client_id stored meanwhile (its first send committed
    while this one waited for the lock) is answered as a resend: the copy of the file it
    had put in storage is removed, on either side."""
    settings.MEDIA_ROOT = tmp_path / "media"
    session = new_session(site)
    first, _ = visitor_says(session, "v-1")
    dialog = first.dialog
    lifecycle.connect_operator(operator=alice, dialog_id=dialog.id)

    def stored_meanwhile(original, **fields):
        def race(*args):
            answer = original(*args)
            Message.objects.create(dialog=dialog, client_id=args[1], text="first send", **fields)
            return answer

        return race

    backend = store.backend
    monkeypatch.setattr(
        backend,
        "lock_open_dialog",
        stored_meanwhile(backend.lock_open_dialog, author_kind="visitor"),
    )
    pdf = uploads.prepare(SimpleUploadedFile("report.pdf", PDF))
    message, created = posting.post_visitor_message(
        visitor_id=session.visitor.id, visit_id=session.visit.id, client_id="v-2", text="",
        attachment=pdf,
    )  # fmt: skip
    assert (message.text, created) == ("first send", False)

    monkeypatch.setattr(
        backend,
        "connected_and_resent",
        stored_meanwhile(backend.connected_and_resent, author_kind="operator", operator=alice),
    )
    pdf = uploads.prepare(SimpleUploadedFile("label.pdf", PDF))
    message, created = posting.post_operator_message(
        operator=alice, dialog_id=dialog.id, client_id="o-2", text="", attachment=pdf
    )
    assert (message.text, created) == ("first send", False)
    assert stored_files(settings.MEDIA_ROOT) == []
    assert not Message.objects.filter(attachment__isnull=False).exists()
