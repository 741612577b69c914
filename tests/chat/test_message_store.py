"""The message store (chat/messaging/store.py): the PostgreSQL one takes fewer statements
and stores and announces exactly what the portable one does; both keep the contract."""

import pytest
from django.db import connection
from django.utils import timezone

from chat import hooks
from chat.dialogs import lifecycle
from chat.errors import AccessDenied, ChatError, NotFound
from chat.messaging import posting, store
from chat.models import Dialog, Message, Visit
from chat.realtime import events
from chat.visitors import sessions

pytestmark = pytest.mark.django_db
postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the PostgreSQL store"
)

_ids = iter(range(1, 1_000_000))


def client_id() -> str:
    return f"h-{next(_ids)}"


class Published(list):
    committed = None


@pytest.fixture
def published(monkeypatch, django_capture_on_commit_callbacks):
    """Every publish, as the (group, event) pairs it sends at commit; the callbacks run
    when the test's `with committed():` block ends."""
    sent = Published()
    monkeypatch.setattr(events, "publish", lambda *sends: sent.append(sends))
    sent.committed = lambda: django_capture_on_commit_callbacks(execute=True)
    return sent


@pytest.fixture(
    params=[pytest.param("postgres", marks=postgresql_only), "portable"],
)
def backend(request, monkeypatch):
    """Each store in turn (the portable one on PostgreSQL too): the same contract."""
    if request.param == "portable":
        monkeypatch.setattr(store, "backend", store.PortableMessageStore())
    return store.backend


def open_dialog(site, alice, *, connect=True):
    session = sessions.start_visitor_session(site=site, token=None, ip=None, user_agent="")
    first, _ = posting.post_visitor_message(
        visitor_id=session.visitor.id, visit_id=session.visit.id, client_id=client_id(), text="1"
    )
    if connect:
        lifecycle.connect_operator(operator=alice, dialog_id=first.dialog_id)
    return session, Dialog.objects.get(pk=first.dialog_id)


def visitor_says(session, text="Hello", cid=None):
    return posting.post_visitor_message(
        visitor_id=session.visitor.id,
        visit_id=session.visit.id,
        client_id=cid or client_id(),
        text=text,
    )


def operator_says(alice, dialog, text="Hi", cid=None, site_ids=None):
    return posting.post_operator_message(
        operator=alice, dialog_id=dialog.id, client_id=cid or client_id(), text=text,
        site_ids=site_ids,
    )  # fmt: skip


STORED_DIALOG_FIELDS = (
    "status",
    "unread_count",
    "last_message_text",
    "last_message_author",
    "waiting_since",
)


def stored(dialog_id):
    return Dialog.objects.values(*STORED_DIALOG_FIELDS).get(pk=dialog_id)


@postgresql_only
def test_visitor_text_takes_two_statements(
    site, alice, django_assert_num_queries, django_capture_on_commit_callbacks
):
    session, dialog = open_dialog(site, alice)
    # Inside the test's transaction atomic() is a savepoint: SAVEPOINT + RELEASE. The
    # dialog's tags for its live row come from the cache (tags/row_cache.py).
    with django_assert_num_queries(2 + 2), django_capture_on_commit_callbacks() as callbacks:
        message, created = visitor_says(session)
    assert created and message.pk and message.dialog_id == dialog.id
    assert len(callbacks) == 1  # the announcement (push, without VAPID keys, hears nothing)


@postgresql_only
def test_operator_text_takes_three_statements(site, alice, django_assert_num_queries):
    _session, dialog = open_dialog(site, alice)
    with django_assert_num_queries(3 + 2):  # the row's tags: cached (tags/row_cache.py)
        message, created = operator_says(alice, dialog, site_ids={site.id})
    assert created and message.operator_id == alice.id


def test_both_stores_store_and_announce_the_same(site, alice, published, backend):
    session, dialog = open_dialog(site, alice)
    Dialog.objects.filter(pk=dialog.pk).update(status=Dialog.Status.MISSED, waiting_since=None)
    published.clear()
    before = timezone.now()

    with published.committed():
        message, _ = visitor_says(session, "Where is my order?")
    assert stored(dialog.id) == {
        "status": "new",  # a missed dialog waits again when he writes
        "unread_count": 2,
        "last_message_text": "Where is my order?",
        "last_message_author": "visitor",
        "waiting_since": message.created_at,
    }
    assert Visit.objects.get(pk=session.visit.pk).last_activity_at == message.created_at
    assert message.created_at >= before
    stored_message = Message.objects.get(pk=message.pk)
    assert (stored_message.text, stored_message.client_id) == (
        "Where is my order?",
        message.client_id,
    )

    # What the commit publishes: to the visitor, the open dialog pages and the site's rows.
    (sends,) = published
    (visitor_group, to_visitor), (dialog_group, to_pages), (site_group, row) = sends
    assert visitor_group == events.visitor_group(session.visitor.id)
    assert to_visitor["message"]["id"] == message.id
    assert to_visitor["message"]["author"] == {"kind": "visitor"}
    assert to_pages["message"]["text"] == "Where is my order?"
    assert f'data-id="{message.id}"' in to_pages["html"]
    assert site_group == events.site_group(site.id)
    assert row["operators"] == [alice.id] and row["status"] == "new"
    assert session.visitor.display_name in row["html"]["en"]
    assert "Where is my order?" in row["html"]["ru"]

    published.clear()
    with published.committed():
        answer, _ = operator_says(alice, dialog, "On its way")
    assert stored(dialog.id) == {
        "status": "new",
        "unread_count": 0,
        "last_message_text": "On its way",
        "last_message_author": "operator",
        "waiting_since": None,
    }
    (sends,) = published
    assert sends[0][1]["message"]["author"] == {"kind": "operator", "name": alice.name}
    assert sends[2][1]["operators"] == [alice.id]


def test_a_resend_stores_nothing_and_is_announced_again(site, alice, published, backend):
    session, dialog = open_dialog(site, alice)
    first, created = visitor_says(session, "Once", cid="same")
    assert created
    published.clear()
    with published.committed():
        again, created = visitor_says(session, "Once", cid="same")
    assert (again.pk, created) == (first.pk, False)
    assert len(published) == 1  # announced again: the first announcement may have been lost
    answer, _ = operator_says(alice, dialog, cid="mine")
    again, created = operator_says(alice, dialog, cid="mine")
    assert (again.pk, created) == (answer.pk, False)
    assert Message.objects.filter(dialog=dialog).count() == 4  # "1", joined, "Once", answer


@postgresql_only
def test_the_same_client_id_stored_while_waiting_for_the_lock_is_a_resend(site, alice, monkeypatch):
    """The lock statement's resend check reads the snapshot from before its wait: a send of
    the same client_id committed meanwhile is caught by the insert's ON CONFLICT."""
    session, dialog = open_dialog(site, alice)
    original = store.backend.lock_open_dialog

    def lock_then_race(visitor_id, cid):
        locked = original(visitor_id, cid)
        assert locked == (dialog, False)
        Message.objects.create(dialog=dialog, author_kind="visitor", client_id=cid, text="x")
        return locked

    monkeypatch.setattr(store.backend, "lock_open_dialog", lock_then_race)
    before = stored(dialog.id)
    message, created = visitor_says(session, "y", cid="raced")
    assert created is False and message.text == "x"
    assert Message.objects.filter(client_id="raced").count() == 1
    assert stored(dialog.id) == before  # nothing of "y" was written


def test_visitor_without_open_dialog_gets_a_new_one(site, alice, backend):
    session, dialog = open_dialog(site, alice)
    lifecycle.end_dialog(operator=alice, dialog_id=dialog.id)
    message, created = visitor_says(session, "Me again")
    assert created and message.dialog_id != dialog.id
    assert message.dialog.number == dialog.number + 1


def test_operator_rules_hold_on_both_stores(site, alice, make_operator, backend):
    _session, dialog = open_dialog(site, alice, connect=False)
    with pytest.raises(ChatError) as error:
        operator_says(alice, dialog)
    assert error.value.code == "not_connected"
    stranger = make_operator()  # another account
    with pytest.raises(AccessDenied):
        operator_says(stranger, dialog)
    with pytest.raises(NotFound):
        posting.post_operator_message(
            operator=alice, dialog_id=dialog.id + 10_000, client_id="x", text="Hi"
        )
    lifecycle.connect_operator(operator=alice, dialog_id=dialog.id)
    lifecycle.end_dialog(operator=alice, dialog_id=dialog.id)
    with pytest.raises(ChatError) as error:
        operator_says(alice, dialog)
    assert error.value.code == "dialog_closed"


def test_message_posted_is_heard_once_committed(
    site, alice, backend, django_capture_on_commit_callbacks
):
    """Web Push (push/receivers.py) hears new messages through hooks.message_posted, and
    new dialogs through hooks.dialog_opened; resends are not heard again."""
    heard = []

    def posted(*, message, dialog):
        heard.append(("message", message.pk, message.text, dialog.pk))

    def opened(*, dialog):
        heard.append(("dialog", dialog.pk))

    hooks.message_posted.connect(posted)
    hooks.dialog_opened.connect(opened)
    try:
        session = sessions.start_visitor_session(site=site, token=None, ip=None, user_agent="")
        with django_capture_on_commit_callbacks(execute=True):
            first, _ = visitor_says(session, "Hi", cid="first")
        assert heard == [("dialog", first.dialog_id), ("message", first.pk, "Hi", first.dialog_id)]
        heard.clear()
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            message, _ = visitor_says(session, "Ping")
            visitor_says(session, "Ping", cid=message.client_id)  # a resend
            assert heard == []  # nothing before the commit
        assert len(callbacks) == 3  # two announcements, one hook
        assert heard == [("message", message.pk, "Ping", message.dialog_id)]
    finally:
        hooks.message_posted.disconnect(posted)
        hooks.dialog_opened.disconnect(opened)


@postgresql_only
def test_a_first_message_looks_for_an_open_dialog_once(site, django_assert_num_queries):
    """The lock statement found none: the visitor's lock, the look again under it, the
    resend check, then the dialog is opened and the message written in one statement."""
    session = sessions.start_visitor_session(site=site, token=None, ip=None, user_agent="")
    # 8 statements (one: nicknames; the visitor's lock reads him with his site, the
    # dialog's number comes back from its UPDATE: 12 before), SAVEPOINT, RELEASE; the
    # site's business hours and routing mode (each cached per site, cold for a new
    # site). A new dialog has no tags: its row reads none (tags/row_cache.py).
    # Webhooks' listeners (cached for the installation, cold in a new test: then a
    # cache read; tests/webhooks). The row's messenger channel
    # (messengers/row_cache.py: once per visitor, then cached).
    with django_assert_num_queries(10 + 2 + 1 + 1):
        message, created = visitor_says(session, "First")
    assert created and message.dialog.number == 1


@postgresql_only
def test_an_operator_send_stored_meanwhile_is_answered_as_a_resend(site, alice, monkeypatch):
    """Defensive: should the insert find the client_id taken after the resend check, the
    service answers with the stored message instead of failing or storing twice."""
    _session, dialog = open_dialog(site, alice)
    original = store.backend.connected_and_resent
    calls = []

    def check_then_race(dialog_id, cid):
        operator_ids, resent = original(dialog_id, cid)
        Message.objects.create(
            dialog=dialog, author_kind="operator", operator=alice, client_id=cid, text="x"
        )
        calls.append(resent)
        return operator_ids, resent

    monkeypatch.setattr(store.backend, "connected_and_resent", check_then_race)
    before = stored(dialog.id)
    message, created = operator_says(alice, dialog, "y", cid="raced")
    assert created is False and message.text == "x"
    assert calls == [False]  # the insert's ON CONFLICT, not a second look
    assert Message.objects.filter(client_id="raced").count() == 1
    assert stored(dialog.id) == before  # nothing of "y" was written


def test_a_connect_stores_the_same_on_each_store(backend, site, alice, published):
    """write_join: the operator is connected, the dialog active since his join, the
    visitor reads "joined", and every row the consoles get shows him in it."""
    _session, dialog = open_dialog(site, alice, connect=False)
    with published.committed():
        lifecycle.connect_operator(operator=alice, dialog_id=dialog.id)
    dialog.refresh_from_db()
    line = Message.objects.filter(dialog=dialog).order_by("-id").first()
    assert dialog.status == Dialog.Status.ACTIVE and dialog.accepted_at is not None
    assert list(store.connected_operator_ids(dialog.id)) == [alice.id]
    assert (line.author_kind, line.text) == ("system", f"{alice.name} joined the dialog")
    sent = [(group, event["type"]) for sends in published for group, event in sends]
    rows = [e for sends in published for g, e in sends if e["type"] == "chat.row"]
    assert rows and all(r["operators"] == [alice.id] for r in rows)
    assert all(r["status"] == "active" for r in rows)
    assert (events.visitor_group(dialog.visitor_id), "chat.message") in sent


@postgresql_only
def test_a_connect_writes_in_one_statement(site, alice, django_assert_num_queries):
    """The dialog's lock, the connected operators, the operator's sites, then the
    participant, the dialog and the "joined" line in one statement (three before), with
    SAVEPOINT and RELEASE."""
    _session, dialog = open_dialog(site, alice, connect=False)
    with django_assert_num_queries(4 + 2):
        lifecycle.connect_operator(operator=alice, dialog_id=dialog.id)
