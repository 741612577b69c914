"""Operator presence: console sockets count, and the widget promises a live answer only
when an online operator of the site has a console open (or closed it moments ago)."""

from datetime import timedelta

import pytest
from channels.db import database_sync_to_async
from django.utils import timezone

from chat.console import selectors
from operators import services
from operators.models import Operator


@pytest.fixture
def site(make_site):
    return make_site()


@pytest.fixture
def alice(make_operator, site):
    return make_operator(username="alice", sites=[site])


def reload(operator):
    return Operator.objects.get(pk=operator.pk)


@pytest.mark.django_db(transaction=True)
async def test_each_console_tab_counts_and_the_widget_sees_it(sockets, site, alice):
    _, hello = await sockets.visitor(site)
    assert hello["operators_online"] is False

    tab1, _ = await sockets.operator(alice)
    tab2, _ = await sockets.operator(alice)
    assert (await database_sync_to_async(reload)(alice)).open_sockets == 2
    _, hello = await sockets.visitor(site)
    assert hello["operators_online"] is True

    await tab1.disconnect()
    await tab2.disconnect()
    alice = await database_sync_to_async(reload)(alice)
    assert alice.open_sockets == 0
    assert alice.last_seen_at is not None
    # A page reload must not flash "offline" at visitors: the grace period covers it.
    _, hello = await sockets.visitor(site)
    assert hello["operators_online"] is True


@pytest.mark.django_db
def test_presence_grace_period_ends(site, alice, settings):
    services.console_socket_opened(operator_id=alice.id)
    services.console_socket_closed(operator_id=alice.id)
    assert selectors.operators_online(site.id) is True
    Operator.objects.filter(pk=alice.pk).update(
        last_seen_at=timezone.now()
        - timedelta(seconds=settings.CHAT_OPERATOR_PRESENCE_GRACE_SECONDS + 1)
    )
    assert selectors.operators_online(site.id) is False


@pytest.mark.django_db
def test_offline_operator_with_a_console_open_is_not_online(site, alice):
    services.console_socket_opened(operator_id=alice.id)
    services.set_status(operator=alice, status=Operator.Status.OFFLINE)
    assert reload(alice).status == "offline"
    assert selectors.operators_online(site.id) is False
    services.set_status(operator=alice, status=Operator.Status.ONLINE)
    assert selectors.operators_online(site.id) is True


@pytest.mark.django_db
def test_operator_of_another_site_does_not_count(site, make_operator, make_site):
    other = make_operator(sites=[make_site(account=site.account)])
    services.console_socket_opened(operator_id=other.id)
    assert selectors.operators_online(site.id) is False


@pytest.mark.django_db
def test_socket_count_never_goes_negative(alice):
    services.console_socket_closed(operator_id=alice.id)
    assert reload(alice).open_sockets == 0


@pytest.mark.django_db
def test_unknown_status_is_refused(alice):
    with pytest.raises(ValueError):
        services.set_status(operator=alice, status="busy")


@pytest.mark.django_db
def test_status_form_switches_the_operator_offline(client, alice):
    client.force_login(alice.user)
    response = client.post("/console/status/", {"status": "offline", "next": "/console/"})
    assert response.status_code == 302
    assert reload(alice).status == "offline"
