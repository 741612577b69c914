"""An account that requires two-factor sign-in: its operators without it are sent to the
set-up page and get neither console pages nor the console socket until it is on."""

import pytest
from channels.db import database_sync_to_async
from django.contrib.admin.sites import site as admin_site
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse
from twofactor_helpers import app_code, sign_in, turn_on

from chat.realtime.consumers.frames import CLOSE_UNAUTHENTICATED
from twofactor.models import AccountSecurity

PAGE = reverse("twofactor:security")


def require(account):
    AccountSecurity.objects.update_or_create(account=account, defaults={"require_two_factor": True})


@pytest.mark.django_db
def test_an_operator_without_it_is_sent_to_set_it_up(vera):
    require(vera.account)
    client = Client()
    sign_in(client, "vera")
    response = client.get("/console/")
    assert response.status_code == 302
    assert response["Location"].startswith(PAGE)
    for url in ("/console/history/", reverse("replies:list"), reverse("leads:list")):
        assert client.get(url).status_code == 302, url
    page = client.get(response["Location"]).content.decode()
    assert "Your account requires two-factor sign-in" in page
    assert "Turn off" not in page

    client.post(reverse("twofactor:confirm"), {"code": app_code(vera.user), "next": "/console/"})
    assert client.get("/console/").status_code == 200
    # Required: it cannot be turned off.
    response = client.post(reverse("twofactor:turn_off"), {"code": app_code(vera.user, later=True)})
    assert "cannot be turned off" in response.content.decode()


@pytest.mark.django_db
def test_turning_the_policy_on_in_the_admin_reaches_signed_in_operators(vera, make_account):
    client = Client()
    sign_in(client, "vera")
    assert client.get("/console/").status_code == 200
    root = get_user_model().objects.create_superuser("root", password="secret-pass-123")
    admin = Client()
    admin.force_login(root)
    response = admin.post(
        reverse("admin:twofactor_accountsecurity_add"),
        {"account": vera.account.pk, "require_two_factor": "on"},
    )
    assert response.status_code == 302
    assert AccountSecurity.objects.get(account=vera.account).require_two_factor
    assert client.get("/console/").status_code == 302
    assert admin_site.is_registered(AccountSecurity)


@pytest.mark.django_db
def test_other_accounts_are_not_affected(vera, make_operator):
    other = make_operator(username="olga")
    require(other.account)
    client = Client()
    sign_in(client, "vera")
    assert client.get("/console/").status_code == 200


@pytest.mark.django_db(transaction=True)
async def test_the_console_socket_waits_for_the_set_up(sockets, vera):
    await database_sync_to_async(require)(vera.account)
    cookie = await sockets.login(vera.user)
    communicator = sockets.console(cookie=cookie)
    connected, _code = await communicator.connect()
    assert connected
    assert await communicator.receive_output() == {
        "type": "websocket.close",
        "code": CLOSE_UNAUTHENTICATED,
    }


@pytest.mark.django_db(transaction=True)
async def test_the_console_socket_waits_for_the_second_step(sockets, vera):
    await database_sync_to_async(turn_on)(vera.user)
    cookie = await sockets.login(vera.user)  # the password step only
    communicator = sockets.console(cookie=cookie)
    await communicator.connect()
    assert (await communicator.receive_output())["code"] == CLOSE_UNAUTHENTICATED

    def second_step():
        client = Client()
        client.cookies["sessionid"] = cookie
        return client.post(reverse("twofactor:verify"), {"code": app_code(vera.user)})

    assert (await database_sync_to_async(second_step)()).status_code == 302
    communicator = sockets.console(cookie=cookie)
    connected, _code = await communicator.connect()
    assert connected
    assert (await communicator.receive_json_from())["type"] == "hello"


@pytest.mark.django_db
def test_the_demo_seed_leaves_the_policy_off(make_account):
    from django.core.management import call_command

    account = make_account(name="Demo company")
    call_command("seed_demo_twofactor")
    call_command("seed_demo_twofactor")
    assert not AccountSecurity.objects.get(account=account).require_two_factor
