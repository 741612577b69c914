"""An operator who may no longer use the console loses his open sockets at once, those of
his browser session and those an app opened with his access token alike: deactivating his
user (in the admin, or through the service a command or a bulk action calls:
chat/console/withdrawal.py) closes them with 4401 "operator_deactivated", removing his operator
profile from the account with 4401 "operator_removed" (chat/console/withdrawal.py, after
the commit, through the channel layer: the in-memory layer on SQLite, Redis with
REDIS_URL). Neither his session nor his token opens a new socket; another operator's
socket stays open."""

import pytest
from channels.db import database_sync_to_async
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from api import tokens
from chat.console import withdrawal

pytestmark = pytest.mark.django_db(transaction=True)


def admin_browser() -> Client:
    root = get_user_model().objects.create_superuser("root", "root@example.com", "pw-123456")
    browser = Client()
    browser.force_login(root)
    return browser


def deactivate_in_the_admin(user):
    """As an administrator does: the user's page, "Active" unticked, Save."""
    browser = admin_browser()
    data = {
        "username": user.username,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "is_staff": "",
        "is_superuser": "",
        "date_joined_0": user.date_joined.strftime("%Y-%m-%d"),
        "date_joined_1": user.date_joined.strftime("%H:%M:%S"),
        "initial-date_joined_0": user.date_joined.strftime("%Y-%m-%d"),
        "initial-date_joined_1": user.date_joined.strftime("%H:%M:%S"),
    }
    response = browser.post(reverse("admin:auth_user_change", args=[user.pk]), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    user.refresh_from_db()
    assert not user.is_active


def remove_in_the_admin(operator):
    """As an administrator does: the operator's page, Delete, "Yes, I'm sure"."""
    browser = admin_browser()
    url = reverse("admin:operators_operator_delete", args=[operator.pk])
    response = browser.post(url, {"post": "yes"})
    assert response.status_code == 302


async def open_both(sockets, token_sockets, operator):
    """His console tab (session) and his app (access token)."""
    tab, _hello = await sockets.operator(operator)
    _token, raw = await database_sync_to_async(tokens.create_token)(operator=operator, name="App")
    app = await token_sockets.open(raw)
    cookie = await sockets.login(operator.user)
    return tab, app, raw, cookie


@pytest.mark.parametrize(
    ("in_the_admin", "reason"),
    [
        (lambda alice: deactivate_in_the_admin(alice.user), "operator_deactivated"),
        (remove_in_the_admin, "operator_removed"),
    ],
    ids=["user-deactivated", "operator-removed"],
)
async def test_the_admin_closes_his_session_and_token_sockets(
    sockets, token_sockets, alice, make_operator, site, in_the_admin, reason
):
    bob = await database_sync_to_async(make_operator)(username="bob", sites=[site])
    bobs_tab, _hello = await sockets.operator(bob)
    tab, app, raw, cookie = await open_both(sockets, token_sockets, alice)

    await database_sync_to_async(in_the_admin)(alice)

    await token_sockets.assert_closed(tab, reason)
    await token_sockets.assert_closed(app, reason)
    await token_sockets.assert_still_served(bobs_tab)
    # Neither his browser session nor his token opens a socket any more.
    await token_sockets.assert_refused(token_sockets.communicator(raw))
    await token_sockets.assert_refused(sockets.console(cookie=cookie))


# --- the service itself, as a command, a bulk action or shell code calls it -----------


async def test_the_service_closes_the_sockets_of_users_deactivated_in_bulk(
    sockets, token_sockets, alice, make_operator, site
):
    bob = await database_sync_to_async(make_operator)(username="bob", sites=[site])
    bobs_tab, _hello = await sockets.operator(bob)
    tab, app, raw, cookie = await open_both(sockets, token_sockets, alice)
    users = get_user_model().objects.filter(pk=alice.user.pk)

    assert await database_sync_to_async(withdrawal.deactivate_users)(users) == 1

    await token_sockets.assert_closed(tab, "operator_deactivated")
    await token_sockets.assert_closed(app, "operator_deactivated")
    await token_sockets.assert_still_served(bobs_tab)
    await token_sockets.assert_refused(token_sockets.communicator(raw))
    await token_sockets.assert_refused(sockets.console(cookie=cookie))


async def test_the_service_closes_the_sockets_of_a_removed_operator(sockets, token_sockets, alice):
    tab, app, raw, _cookie = await open_both(sockets, token_sockets, alice)

    await database_sync_to_async(withdrawal.remove_operator)(alice)

    await token_sockets.assert_closed(tab, "operator_removed")
    await token_sockets.assert_closed(app, "operator_removed")
    await token_sockets.assert_refused(token_sockets.communicator(raw))


async def test_an_operator_moved_to_another_account_is_removed_from_the_old_one(
    sockets, token_sockets, alice, make_account, site
):
    tab, _hello = await sockets.operator(alice)

    def move():
        alice.account = make_account()
        withdrawal.save_operator(alice)
        return list(alice.sites.all())

    assert await database_sync_to_async(move)() == []
    await token_sockets.assert_closed(tab, "operator_removed")
