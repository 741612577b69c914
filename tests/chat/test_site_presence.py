"""The widget knows live whether an operator of its site is online."""

from datetime import timedelta

import pytest
from channels.db import database_sync_to_async
from django.test import Client
from django.utils import timezone

from chat import tasks
from chat.console import presence
from chat.models import Site
from operators.models import Operator

pytestmark = pytest.mark.django_db(transaction=True)


def set_status(operator, status):
    client = Client()
    client.force_login(operator.user)
    return client.post("/console/status/", {"status": status, "next": "https://evil.example/"})


async def test_widget_hears_when_operators_come_and_go(sockets, site, alice, make_site):
    widget, hello = await sockets.visitor(site)
    assert hello["operators_online"] is False
    other_widget, _ = await sockets.visitor(await database_sync_to_async(make_site)())

    console, _ = await sockets.operator(alice)
    assert await widget.receive_json_from() == {"type": "presence", "operators_online": True}

    response = await database_sync_to_async(set_status)(alice, "offline")
    assert response.url == "/console/"  # never redirected off-site
    assert await widget.receive_json_from() == {"type": "presence", "operators_online": False}
    await database_sync_to_async(set_status)(alice, "online")
    assert await widget.receive_json_from() == {"type": "presence", "operators_online": True}
    await sockets.silent(other_widget)


async def test_an_operator_gone_longer_than_the_grace_period_is_offline(sockets, site, alice):
    console, _ = await sockets.operator(alice)
    widget, hello = await sockets.visitor(site)
    assert hello["operators_online"] is True
    await console.disconnect()
    await sockets.silent(widget)  # a reload is not leaving

    await database_sync_to_async(Operator.objects.filter(pk=alice.pk).update)(
        last_seen_at=timezone.now() - timedelta(minutes=5)
    )
    assert await database_sync_to_async(tasks.refresh_presence)() == 1
    assert await widget.receive_json_from() == {"type": "presence", "operators_online": False}
    assert await database_sync_to_async(tasks.refresh_presence)() == 0  # told once


def test_refresh_has_a_fixed_number_of_queries(make_site, make_operator, django_assert_num_queries):
    for _ in range(5):
        make_site()
    presence.refresh_sites()
    with django_assert_num_queries(2):
        presence.refresh_sites()  # nothing changed: two reads, no writes
    for _ in range(20):
        make_site(operators=[make_operator()])
    presence.refresh_sites()
    with django_assert_num_queries(2):
        presence.refresh_sites()  # four times the sites, the same two reads
    assert not Site.objects.filter(operators_online=True).exists()


def site_online(site) -> bool:
    return Site.objects.get(pk=site.pk).operators_online


# The query counts below are of calls that change no site: a change adds its UPDATE (and,
# on SQLite, the BEGIN and COMMIT around it).


def test_a_console_opening_counts_the_socket_and_refreshes_his_sites(
    site, alice, django_assert_num_queries
):
    presence.console_opened(alice, {site.id})
    assert site_online(site) is True
    # The socket counted, the two reads of refresh_sites, and the read of the presence log
    # (reports hears hooks.presence_changed once committed; nothing changed, no insert).
    with django_assert_num_queries(4):
        presence.console_opened(alice, {site.id})  # a second tab
    assert Operator.objects.get(pk=alice.pk).open_sockets == 2


def test_a_console_closing_leaves_his_sites_online_for_the_grace_period(
    site, alice, django_assert_num_queries
):
    presence.console_opened(alice, {site.id})
    # The socket counted down; no refresh; the presence log's read (within the grace).
    with django_assert_num_queries(2):
        presence.console_closed(alice)
    assert Operator.objects.get(pk=alice.pk).open_sockets == 0
    assert site_online(site) is True


def test_a_status_change_is_stored_and_refreshes_his_sites(site, alice, django_assert_num_queries):
    # No console open: going offline changes no site. The status stored, his site ids,
    # the two reads of refresh_sites, the presence log's read (never online: no row).
    with django_assert_num_queries(5):
        presence.status_changed(alice, Operator.Status.OFFLINE)
    assert alice.status == Operator.Status.OFFLINE
    presence.console_opened(alice, {site.id})
    assert site_online(site) is False
    presence.status_changed(alice, Operator.Status.ONLINE)
    assert site_online(site) is True
    with pytest.raises(ValueError):
        presence.status_changed(alice, "busy")
