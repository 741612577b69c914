"""The presence log behind "time online": chat's presence changes reach reports through
hooks.presence_changed, and each change of the effective online state is one row."""

from datetime import timedelta

import pytest
from channels.db import database_sync_to_async
from django.utils import timezone

from chat import tasks
from chat.console import presence
from operators.models import Operator
from reports import presence_log
from reports.models import PresenceChange

GRACE = timedelta(minutes=5)


@pytest.fixture(autouse=True)
def grace(settings):
    settings.CHAT_OPERATOR_PRESENCE_GRACE_SECONDS = GRACE.total_seconds()


@pytest.fixture
def alice(make_operator, site):
    return make_operator(username="alice", sites=[site])


def log(operator):
    return list(PresenceChange.objects.filter(operator=operator).values_list("online", "status"))


@pytest.mark.django_db
def test_console_open_status_and_grace_expiry_are_logged(
    site, alice, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        presence.console_opened(alice, [site.id])
    assert log(alice) == [(True, "online")]

    with django_capture_on_commit_callbacks(execute=True):
        presence.console_closed(alice)
        presence.console_opened(alice, [site.id])  # a reload: nothing changes
        presence.console_closed(alice)
    assert log(alice) == [(True, "online")]  # still inside the grace period

    PresenceChange.objects.filter(operator=alice).update(at=timezone.now() - timedelta(hours=1))
    closed_at = timezone.now() - GRACE - timedelta(seconds=10)
    Operator.objects.filter(pk=alice.pk).update(last_seen_at=closed_at)
    with django_capture_on_commit_callbacks(execute=True):
        tasks.refresh_presence()
    assert log(alice) == [(True, "online"), (False, "online")]
    # He went offline when his last console closed, not when the beat noticed.
    assert PresenceChange.objects.filter(operator=alice).last().at == closed_at

    with django_capture_on_commit_callbacks(execute=True):
        tasks.refresh_presence()  # idempotent
    assert len(log(alice)) == 2


@pytest.mark.django_db
def test_choosing_offline_with_the_console_open_is_logged_at_once(
    site, alice, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        presence.console_opened(alice, [site.id])
    for status in ("offline", "offline", "online"):  # each in its own request
        with django_capture_on_commit_callbacks(execute=True):
            presence.status_changed(alice, status)
    assert log(alice) == [(True, "online"), (False, "offline"), (True, "online")]


@pytest.mark.django_db
def test_an_operator_never_online_has_no_rows(alice):
    assert presence_log.record([alice.id]) == []
    assert presence_log.record(None) == []
    assert log(alice) == []


@pytest.mark.django_db
def test_page_views_are_not_presence(client, site, alice):
    client.force_login(alice.user)
    client.get("/console/")
    client.get("/console/history/")
    assert log(alice) == []


@pytest.mark.django_db
def test_record_costs_one_read_and_one_insert_for_any_number_of_operators(
    site, make_operator, django_assert_num_queries
):
    operators = [make_operator(sites=[site]) for _ in range(5)]
    Operator.objects.update(open_sockets=1)
    with django_assert_num_queries(2):  # their state and last rows, the insert
        assert len(presence_log.record(None)) == 5
    with django_assert_num_queries(1):  # nothing changed: the read only
        assert presence_log.record(None) == []
    assert {row.operator_id for row in PresenceChange.objects.all()} == {o.id for o in operators}


@pytest.mark.django_db(transaction=True)
async def test_a_real_console_socket_logs_the_operator_online(sockets, site, alice):
    tab, _ = await sockets.operator(alice)
    rows = await database_sync_to_async(log)(alice)
    assert rows == [(True, "online")]
    await tab.disconnect()
