"""Business rules of the chat services and chat.dialogs.access, without sockets."""

import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from chat.console import selectors
from chat.dialogs import access, lifecycle
from chat.errors import AccessDenied, ChatError, NotFound
from chat.messaging import posting
from chat.models import Dialog, Message, Participant, Visit, Visitor
from chat.realtime import events
from chat.visitors import sessions

pytestmark = pytest.mark.django_db


@pytest.fixture
def new_visitor(site):
    """Opens a widget session for a new visitor of a site (default: `site`)."""

    def start(on_site=None, token=None):
        return sessions.start_visitor_session(
            site=on_site or site, token=token, ip="203.0.113.7", user_agent="Firefox"
        )

    return start


_client_ids = iter(range(1, 1_000_000))


def write(session, text="Hello"):
    message, created = posting.post_visitor_message(
        visitor_id=session.visitor.id,
        visit_id=session.visit.id,
        client_id=f"c-{next(_client_ids)}",
        text=text,
    )
    assert created
    return message


def answer(operator, dialog, text="Hi"):
    message, _ = posting.post_operator_message(
        operator=operator, dialog_id=dialog.id, client_id=f"o-{next(_client_ids)}", text=text
    )
    return message


# --- dialogs and numbers -------------------------------------------------------------------


def test_dialog_numbers_are_sequential_per_account(new_visitor, site, make_site):
    numbers = [write(new_visitor()).dialog.number for _ in range(3)]
    assert numbers == [1, 2, 3]
    # Another site of the same account continues the same sequence.
    sister = make_site(account=site.account)
    assert write(new_visitor(sister)).dialog.number == 4
    # Another account counts on its own.
    elsewhere = make_site()
    assert [write(new_visitor(elsewhere)).dialog.number for _ in range(2)] == [1, 2]
    assert write(new_visitor()).dialog.number == 5


def test_second_message_goes_to_the_same_dialog(new_visitor):
    session = new_visitor()
    first, second = write(session, "One"), write(session, "Two")
    assert first.dialog_id == second.dialog_id
    dialog = Dialog.objects.get()
    assert dialog.status == Dialog.Status.NEW
    assert (dialog.last_message_text, dialog.last_message_author) == ("Two", "visitor")
    assert dialog.unread_count == 2


def test_operator_answer_clears_unread_and_previews_the_text(new_visitor, alice):
    session = new_visitor()
    dialog = write(session).dialog
    lifecycle.connect_operator(operator=alice, dialog_id=dialog.id)
    answer(alice, dialog, "On its way")
    dialog.refresh_from_db()
    assert (dialog.unread_count, dialog.last_message_text) == (0, "On its way")
    assert dialog.last_message_author == "operator"


def test_after_end_dialog_the_next_message_opens_a_new_dialog(new_visitor, alice):
    session = new_visitor()
    first = write(session).dialog
    lifecycle.connect_operator(operator=alice, dialog_id=first.id)
    lifecycle.end_dialog(operator=alice, dialog_id=first.id)
    first.refresh_from_db()
    assert first.status == Dialog.Status.CLOSED and first.closed_at
    assert not Participant.objects.filter(dialog=first, left_at__isnull=True).exists()

    second = write(session, "Me again").dialog
    assert second.id != first.id
    assert second.number == first.number + 1
    assert second.status == Dialog.Status.NEW
    # Closed stays closed: no one writes there again.
    with pytest.raises(ChatError) as refused:
        answer(alice, first)
    assert refused.value.code == "dialog_closed"


def test_resent_message_is_stored_once_even_after_the_dialog_ended(new_visitor, alice):
    session = new_visitor()
    kwargs = {
        "visitor_id": session.visitor.id,
        "visit_id": session.visit.id,
        "client_id": "x-1",
        "text": "Hello",
    }
    message, created = posting.post_visitor_message(**kwargs)
    assert created
    lifecycle.end_dialog(operator=alice, dialog_id=message.dialog_id)
    again, created = posting.post_visitor_message(**kwargs)
    assert (again.id, created) == (message.id, False)
    assert Dialog.objects.count() == 1  # the resend did not open a new dialog


def test_text_rules(new_visitor):
    session = new_visitor()
    for text, code in [("   ", "empty"), (None, "invalid"), ("x" * 4001, "too_long")]:
        with pytest.raises(ChatError) as refused:
            posting.post_visitor_message(
                visitor_id=session.visitor.id, visit_id=session.visit.id, client_id="c", text=text
            )
        assert refused.value.code == code
    assert not Message.objects.exists()
    assert not Dialog.objects.exists()


# --- visits --------------------------------------------------------------------------------


def test_visit_continues_within_30_minutes_and_a_new_one_starts_after(new_visitor, site):
    first = new_visitor()
    token = first.visitor.token
    assert first.visitor.visits_count == 1
    sessions.end_visitor_session(visitor_id=first.visitor.id, visit_id=first.visit.id)

    Visit.objects.filter(pk=first.visit.pk).update(
        last_activity_at=timezone.now() - timedelta(minutes=29)
    )
    again = new_visitor(token=token)
    assert again.visitor.id == first.visitor.id
    assert again.visit.id == first.visit.id
    assert again.visitor.visits_count == 1
    assert again.visit.ended_at is None
    sessions.end_visitor_session(visitor_id=again.visitor.id, visit_id=again.visit.id)

    Visit.objects.filter(pk=first.visit.pk).update(
        last_activity_at=timezone.now() - timedelta(minutes=31)
    )
    later = new_visitor(token=token)
    assert later.visitor.id == first.visitor.id
    assert later.visit.id != first.visit.id
    assert later.visitor.visits_count == 2
    assert Visitor.objects.get(pk=first.visitor.pk).visits_count == 2
    assert later.visit.ip == "203.0.113.7"


def test_writing_keeps_the_visit_alive(new_visitor):
    session = new_visitor()
    Visit.objects.filter(pk=session.visit.pk).update(
        last_activity_at=timezone.now() - timedelta(minutes=25)
    )
    write(session)
    Visit.objects.filter(pk=session.visit.pk).update(
        last_activity_at=timezone.now() - timedelta(minutes=29)
    )
    assert new_visitor(token=session.visitor.token).visit.id == session.visit.id


def test_open_sockets_never_go_negative(new_visitor):
    session = new_visitor()
    for _ in range(3):
        sessions.end_visitor_session(visitor_id=session.visitor.id, visit_id=session.visit.id)
    assert Visitor.objects.get(pk=session.visitor.pk).open_sockets == 0


def test_returning_visitor_gets_his_open_dialog_and_its_operators(new_visitor, alice):
    session = new_visitor()
    dialog = write(session).dialog
    lifecycle.connect_operator(operator=alice, dialog_id=dialog.id)
    back = new_visitor(token=session.visitor.token)
    assert back.dialog == dialog
    assert back.operators == [alice]


# --- access --------------------------------------------------------------------------------


@pytest.fixture
def colleague(make_operator, site):
    def make(**flags):
        return make_operator(sites=[site], **flags)

    return make


@pytest.fixture
def active_dialog(new_visitor, alice):
    dialog = write(new_visitor()).dialog
    lifecycle.connect_operator(operator=alice, dialog_id=dialog.id)
    dialog.refresh_from_db()
    return dialog


def test_new_dialog_is_visible_to_every_operator_of_its_site_only(
    new_visitor, colleague, make_operator, make_site, site
):
    dialog = write(new_visitor()).dialog
    assert selectors.dialog_for_operator(colleague(), dialog.id) == dialog
    other_site = make_operator(account=site.account, sites=[make_site(account=site.account)])
    with pytest.raises(AccessDenied):
        selectors.dialog_for_operator(other_site, dialog.id)
    with pytest.raises(AccessDenied):
        lifecycle.connect_operator(operator=other_site, dialog_id=dialog.id)
    with pytest.raises(NotFound):
        selectors.dialog_for_operator(other_site, dialog.id + 1000)


def test_colleagues_active_dialog_is_invisible_without_can_see_others(active_dialog, colleague):
    plain = colleague()
    with pytest.raises(AccessDenied):
        selectors.dialog_for_operator(plain, active_dialog.id)
    with pytest.raises(AccessDenied):
        lifecycle.connect_operator(operator=plain, dialog_id=active_dialog.id)
    with pytest.raises(AccessDenied):
        lifecycle.end_dialog(operator=plain, dialog_id=active_dialog.id)


def test_reading_a_colleagues_dialog_does_not_allow_joining_it(active_dialog, colleague):
    reader = colleague(can_see_others=True)
    view = selectors.dialog_view(reader, active_dialog.id)
    assert view.dialog == active_dialog
    assert (view.is_participant, view.can_connect) == (False, False)
    with pytest.raises(AccessDenied):
        lifecycle.connect_operator(operator=reader, dialog_id=active_dialog.id)
    with pytest.raises(ChatError) as refused:
        answer(reader, active_dialog)
    assert refused.value.code == "not_connected"
    assert Participant.objects.filter(dialog=active_dialog).count() == 1


def test_joining_a_colleagues_dialog_needs_can_join_others(active_dialog, colleague, alice):
    joiner = colleague(can_see_others=True, can_join_others=True)
    assert selectors.dialog_view(joiner, active_dialog.id).can_connect is True
    lifecycle.connect_operator(operator=joiner, dialog_id=active_dialog.id)
    assert {op.id for op in selectors.active_operators(active_dialog.id)} == {alice.id, joiner.id}
    answer(joiner, active_dialog, "I can help too")
    # Connecting twice is a no-op: one stay, one "joined" message.
    lifecycle.connect_operator(operator=joiner, dialog_id=active_dialog.id)
    assert Participant.objects.filter(dialog=active_dialog, operator=joiner).count() == 1
    assert Message.objects.filter(dialog=active_dialog, author_kind="system").count() == 2


def test_missed_dialog_can_be_picked_up_later(new_visitor, alice):
    dialog = write(new_visitor()).dialog
    Dialog.objects.filter(pk=dialog.pk).update(status=Dialog.Status.MISSED)
    lifecycle.connect_operator(operator=alice, dialog_id=dialog.id)
    dialog.refresh_from_db()
    assert dialog.status == Dialog.Status.ACTIVE
    assert dialog.accepted_at is not None


def test_closed_dialog_can_be_read_but_not_joined(new_visitor, alice, colleague):
    dialog = write(new_visitor()).dialog
    lifecycle.end_dialog(operator=alice, dialog_id=dialog.id)  # nobody had joined: allowed
    other = colleague()
    assert selectors.dialog_view(other, dialog.id).can_connect is False
    with pytest.raises(ChatError) as refused:
        lifecycle.connect_operator(operator=other, dialog_id=dialog.id)
    assert refused.value.code == "dialog_closed"


def test_only_a_participant_ends_an_active_dialog(active_dialog, colleague, alice):
    boss = colleague(can_see_others=True, can_join_others=True)
    with pytest.raises(AccessDenied):
        lifecycle.end_dialog(operator=boss, dialog_id=active_dialog.id)
    lifecycle.end_dialog(operator=alice, dialog_id=active_dialog.id)
    active_dialog.refresh_from_db()
    assert active_dialog.status == Dialog.Status.CLOSED


@pytest.mark.parametrize(
    ("status", "in_dialog", "see", "join", "can_view", "can_connect"),
    [
        ("new", False, False, False, True, True),
        ("missed", False, False, False, True, True),
        ("closed", False, False, False, True, False),
        ("active", True, False, False, True, True),
        ("active", False, False, False, False, False),
        ("active", False, True, False, True, False),
        ("active", False, True, True, True, True),
        ("active", False, False, True, False, False),  # joining needs seeing first
    ],
)
def test_access_rules(status, in_dialog, see, join, can_view, can_connect):
    operator = type("Op", (), {"id": 1, "can_see_others": see, "can_join_others": join})()
    dialog = Dialog(site_id=10, status=status)
    active = {1} if in_dialog else ({2} if status == "active" else set())
    assert access.can_view_dialog(operator, dialog, {10}, active) is can_view
    assert access.can_connect(operator, dialog, {10}, active) is can_connect
    # Nobody sees anything of a site that is not his.
    assert access.can_view_dialog(operator, dialog, {11}, active) is False
    assert access.can_connect(operator, dialog, {11}, active) is False


# --- events are published only after a commit -------------------------------------------


def test_refused_action_publishes_nothing(
    active_dialog, colleague, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks, pytest.raises(AccessDenied):
        lifecycle.connect_operator(operator=colleague(), dialog_id=active_dialog.id)
    assert callbacks == []


def test_message_is_published_on_commit(
    new_visitor, django_capture_on_commit_callbacks, monkeypatch
):
    session = new_visitor()
    published = []
    monkeypatch.setattr(events, "publish", lambda *sends: published.append(sends))
    with django_capture_on_commit_callbacks() as callbacks:
        write(session)
        assert published == []
    for callback in callbacks:  # the publish and the hooks (dialog_opened, message_posted)
        callback()
    assert len(published) == 1  # one publish per message


def test_a_commit_reaches_the_event_loop_once_for_all_its_sends(
    new_visitor, django_capture_on_commit_callbacks, monkeypatch
):
    """The visitor, the open dialog pages and the site's row: three group sends, one
    async_to_sync (each trip waits for the busy event loop, docs/performance.md)."""
    trips = []

    def async_to_sync(coroutine_function):
        def call(sends):
            trips.append((coroutine_function, [group for group, _event in sends]))

        return call

    monkeypatch.setattr(events, "async_to_sync", async_to_sync)
    session = new_visitor()
    with django_capture_on_commit_callbacks(execute=True):
        message = write(session)
    dialog = message.dialog
    assert trips == [
        (
            events._send_all,
            [
                events.visitor_group(dialog.visitor_id),
                events.dialog_group(dialog.id),
                events.site_group(dialog.site_id),
            ],
        )
    ]


# --- concurrency ----------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_visitor_message_racing_the_end_of_the_dialog_does_not_reopen_it(
    new_visitor, alice, monkeypatch
):
    """The visitor writes while the operator ends the dialog (another process): whichever
    commits first, the dialog ends up closed, not "closed" with an open status."""
    monkeypatch.setattr(events, "publish", lambda *sends: None)
    session = new_visitor()
    dialog = write(session).dialog
    lifecycle.connect_operator(operator=alice, dialog_id=dialog.id)
    note = posting._apply_to_dialog  # called on both paths once the dialog is locked
    ended = threading.Event()

    def end_elsewhere():
        try:
            lifecycle.end_dialog(operator=alice, dialog_id=dialog.id)
        finally:
            connection.close()
            ended.set()

    worker = threading.Thread(target=end_elsewhere)

    def record_while_the_operator_ends(*args):
        # The visitor's transaction has found the open dialog; now the operator ends it.
        worker.start()
        ended.wait(timeout=1)  # returns at once unless the dialog is locked (it should be)
        return note(*args)

    monkeypatch.setattr(posting, "_apply_to_dialog", record_while_the_operator_ends)
    write(session, "One last thing")
    worker.join(timeout=30)
    assert ended.is_set()
    dialog.refresh_from_db()
    assert dialog.status == Dialog.Status.CLOSED
    assert not Dialog.objects.filter(status__in=Dialog.OPEN_STATUSES).exists()
    texts = list(Message.objects.filter(dialog=dialog).values_list("text", flat=True))
    assert texts[-1] == "Alice ended the dialog"  # the message landed before the end
