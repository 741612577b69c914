"""Auto-assignment of new dialogs (routing/services.py): one operator within capacity,
the queue, places told to visitors, freed slots, timeouts and hand-backs."""

from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from chat.console import selectors
from chat.dialogs import lifecycle
from chat.messaging import posting
from chat.models import Dialog, Visitor
from routing import queue, services, tasks
from routing.models import Assignment, OperatorRouting
from tests.routing.routing_factory import (
    auto_assign,
    connected_ids,
    offline,
    online,
    own_capacity,
    visitor_writes,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def team(make_site, make_operator):
    site = make_site()
    anna = make_operator(sites=[site], username="anna")
    boris = make_operator(sites=[site], username="boris")
    online(anna, boris)
    auto_assign(site, capacity=2, timeout=30)
    return site, anna, boris


@pytest.fixture
def frames(monkeypatch):
    """The frames routing sends to widgets: (visitor_id, frame, localized)."""
    sent = []
    monkeypatch.setattr(
        queue.events,
        "visitor_frame_on_commit",
        lambda visitor_id, frame, localized=None: sent.append((visitor_id, frame, localized)),
    )
    return sent


def test_everyone_mode_leaves_the_dialog_new_for_everyone(make_site, make_operator):
    site = make_site()
    anna = make_operator(sites=[site])
    online(anna)
    dialog, _ = visitor_writes(site)
    assert dialog.status == Dialog.Status.NEW
    assert connected_ids(dialog) == []
    assert not Assignment.objects.exists()


def test_a_new_dialog_goes_to_one_operator_and_only_his_mine_lists_it(team, make_operator):
    site, anna, boris = team
    dialog, _ = visitor_writes(site)
    assert dialog.status == Dialog.Status.ACTIVE
    assert connected_ids(dialog) in ([anna.id], [boris.id])
    chosen = anna if connected_ids(dialog) == [anna.id] else boris
    other = boris if chosen is anna else anna
    assert dialog.id in selectors.tab_members(chosen)["mine"]
    assert dialog.id not in selectors.tab_members(other)["mine"]
    assignment = dialog.assignment
    assert assignment.assignee_id == chosen.id and assignment.queued_at is None
    assert dialog.messages.filter(author_kind="system").exists()  # "Anna joined the dialog"


def test_dialogs_are_spread_by_load_then_idle_time_and_never_past_capacity(team):
    site, anna, boris = team
    own_capacity(anna, 1)
    given = [connected_ids(visitor_writes(site)[0]) for _ in range(4)]
    # anna (limit 1) and boris (site default 2): 3 slots, the 4th dialog queues.
    flat = [ids[0] for ids in given if ids]
    assert sorted(flat) == sorted([anna.id, boris.id, boris.id])
    assert given[3] == []
    assert flat[0] != flat[1]  # the second goes to the one who has none yet
    assert Assignment.objects.queued().count() == 1


def test_offline_operators_get_nothing_and_the_dialog_queues(team):
    site, anna, boris = team
    offline(anna, boris)
    dialog, _ = visitor_writes(site)
    assert dialog.status == Dialog.Status.NEW
    assert queue.position_of(dialog.id) == 1


def test_places_in_line_follow_the_queue_as_dialogs_leave_it(
    team, frames, django_capture_on_commit_callbacks
):
    site, anna, boris = team
    own_capacity(anna, 1)
    own_capacity(boris, 1)
    with django_capture_on_commit_callbacks(execute=True):
        busy = [visitor_writes(site)[0] for _ in range(2)]
        waiting = [visitor_writes(site)[0] for _ in range(3)]
    assert [queue.position_of(d.id) for d in waiting] == [1, 2, 3]
    told = {(v, f["position"]) for v, f, _ in frames}
    assert {(d.visitor_id, p) for d, p in zip(waiting, [1, 2, 3], strict=True)} <= told
    text = [loc["text"] for v, f, loc in frames if f["position"] == 3][0]
    assert text == {"en": "You are 3rd in line.", "ru": "Вы 3-й в очереди."}

    frames.clear()
    # anna ends her dialog: her slot takes the oldest queued one; the others move up.
    holder = anna if connected_ids(busy[0]) == [anna.id] else boris
    with django_capture_on_commit_callbacks(execute=True):
        lifecycle.end_dialog(operator=holder, dialog_id=busy[0].id)
    assert connected_ids(waiting[0]) == [holder.id]
    assert [queue.position_of(d.id) for d in waiting] == [None, 1, 2]
    told = [(v, f["position"]) for v, f, _ in frames]
    assert (waiting[0].visitor_id, None) in told
    assert (waiting[1].visitor_id, 1) in told and (waiting[2].visitor_id, 2) in told

    # A queued visitor leaves (his dialog ends): those behind him move up.
    frames.clear()
    with django_capture_on_commit_callbacks(execute=True):
        lifecycle.end_dialog(operator=holder, dialog_id=waiting[1].id)
    assert queue.position_of(waiting[2].id) == 1
    assert (waiting[2].visitor_id, 1) in [(v, f["position"]) for v, f, _ in frames]


def test_an_unanswered_dialog_passes_to_the_next_operator_after_the_timeout(team):
    site, anna, boris = team
    dialog, _ = visitor_writes(site)
    first = connected_ids(dialog)[0]
    second = boris.id if first == anna.id else anna.id
    assert tasks.route_dialogs()["passed"] == []  # not yet due
    later = timezone.now() + timedelta(seconds=31)
    assert services.pass_on_timed_out(later) == [dialog.id]
    assert connected_ids(dialog) == [second]
    dialog.refresh_from_db()
    assert dialog.status == Dialog.Status.ACTIVE
    assert dialog.assignment.passed_over == [first]
    # The second does not answer either and nobody else is left: it stays with him.
    assert services.pass_on_timed_out(later + timedelta(seconds=40)) == []
    assert connected_ids(dialog) == [second]


def test_an_answered_dialog_stays(team):
    site, anna, boris = team
    dialog, _ = visitor_writes(site)
    holder = anna if connected_ids(dialog) == [anna.id] else boris
    posting.post_operator_message(
        operator=holder, dialog_id=dialog.id, client_id="o1", text="Hello, how can I help?"
    )
    later = timezone.now() + timedelta(seconds=300)
    assert services.pass_on_timed_out(later) == []
    assert connected_ids(dialog) == [holder.id]
    assert Assignment.objects.get(dialog=dialog).answered_at is not None


def test_an_operator_going_offline_hands_his_unanswered_dialogs_back(team):
    site, anna, boris = team
    own_capacity(boris, 1)
    first, _ = visitor_writes(site)
    second, _ = visitor_writes(site)
    assert sorted(connected_ids(first) + connected_ids(second)) == sorted([anna.id, boris.id])
    boris_dialog = first if connected_ids(first) == [boris.id] else second
    offline(boris)
    # anna has room (2): boris's dialog goes to her.
    assert services.hand_back_from_offline([boris.id]) == [boris_dialog.id]
    assert connected_ids(boris_dialog) == [anna.id]
    # anna goes too: nobody online, both dialogs go back to the queue, in order.
    offline(anna)
    assert sorted(services.hand_back_from_offline(None)) == sorted([first.id, second.id])
    for dialog in (first, second):
        dialog.refresh_from_db()
        assert dialog.status == Dialog.Status.NEW and connected_ids(dialog) == []
    assert queue.position_of(first.id) == 1 and queue.position_of(second.id) == 2
    # boris comes back: the beat's pass gives him the oldest one.
    online(boris)
    assert tasks.route_dialogs()["given"] == [first.id]
    assert connected_ids(first) == [boris.id]


def test_a_dialog_an_operator_leaves_goes_back_through_the_queue(team):
    site, anna, boris = team
    dialog, _ = visitor_writes(site)
    holder = anna if connected_ids(dialog) == [anna.id] else boris
    lifecycle.leave_dialog(operator=holder, dialog_id=dialog.id)
    result = tasks.route_dialogs()
    assert result["given"] == [dialog.id]
    assert len(connected_ids(dialog)) == 1


def test_switching_a_site_to_auto_assign_routes_its_waiting_dialogs(make_site, make_operator):
    site = make_site()
    anna = make_operator(sites=[site])
    online(anna)
    waiting, _ = visitor_writes(site)  # everyone mode: new for everyone
    auto_assign(site, capacity=1)
    assert services.drain_queue(site.account_id) == [waiting.id]
    assert connected_ids(waiting) == [anna.id]
    assert OperatorRouting.objects.get(operator=anna).last_assigned_at is not None


def test_the_beat_pass_runs_in_a_fixed_number_of_queries(team, django_assert_max_num_queries):
    site, anna, boris = team
    for _ in range(3):
        visitor_writes(site)
    with django_assert_max_num_queries(14):
        tasks.route_dialogs()


def _first_message_queries(site, django_assert_num_queries, expected):
    from chat.visitors import sessions

    session = sessions.start_visitor_session(site=site, token=None, ip=None, user_agent="")
    # His random nickname may be one an open dialog of the account shows: he then gets
    # another, one statement more (chat/visitors/nicknames.py). A free one keeps the
    # count fixed.
    Visitor.objects.filter(pk=session.visitor.id).update(animal=f"test-{session.visitor.id}")
    with django_assert_num_queries(expected):
        posting.post_visitor_message(
            visitor_id=session.visitor.id, visit_id=session.visit.id, client_id="c1", text="Hi"
        )


def test_a_first_message_costs_the_same_queries_whatever_the_number_of_operators(
    team, make_operator, django_assert_num_queries
):
    site, anna, boris = team
    visitor_writes(site)  # warms the site's cached mode
    _first_message_queries(site, django_assert_num_queries, ASSIGNED_FIRST_MESSAGE_QUERIES)
    more = [make_operator(sites=[site]) for _ in range(4)]
    online(*more)
    _first_message_queries(site, django_assert_num_queries, ASSIGNED_FIRST_MESSAGE_QUERIES)


# chat's first message and the assignment: the same with 2 or 6 operators online (a new
# dialog's live row reads no tags, tags/row_cache.py; its messenger contact once, cold for
# a new visitor, messengers/rows.py). Was 38 / 35: the visitor's lock reads him with his
# site, the dialog's number comes back from its UPDATE, and on PostgreSQL the join is one
# statement (chat/messaging/store_postgres.py, write_join).
ASSIGNED_FIRST_MESSAGE_QUERIES = 34 if connection.vendor == "sqlite" else 29  # PostgreSQL store


def test_places_are_told_in_a_fixed_number_of_queries(team, frames, django_assert_num_queries):
    site, anna, boris = team
    offline(anna, boris)
    queued = [visitor_writes(site)[0] for _ in range(5)]
    Assignment.objects.update(announced_position=None)
    with django_assert_num_queries(2):  # the read, one UPDATE
        assert queue.announce_positions(site.id) == 5
    with django_assert_num_queries(1):  # nothing changed: nothing written nor sent
        assert queue.announce_positions(site.id) == 0
    assert [f["position"] for _, f, _ in frames[-5:]] == [1, 2, 3, 4, 5]
    assert {v for v, _, _ in frames[-5:]} == {d.visitor_id for d in queued}
