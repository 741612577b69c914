"""The console's "Notifications on this device": the menu item (only with VAPID keys), the
subscribe/unsubscribe endpoints (operator only, CSRF, own subscriptions only), the admin."""

import json

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from push.models import PushSubscription

pytestmark = pytest.mark.django_db

SUBSCRIPTION = {
    "endpoint": "https://push.example.net/send/abc123",
    "expirationTime": None,
    "keys": {"p256dh": "BNcRdreALRFXTkOOUHK1EtK2wtaz5Ry4YfYCA_0QTpQtUbVlUls0VJXg7A8u",
             "auth": "tBHItJI5svbpez7KI4CCXg"},
}  # fmt: skip


def post_json(client, name, data, **extra):
    return client.post(
        reverse(name), data=json.dumps(data), content_type="application/json", **extra
    )


def test_the_menu_item_shows_only_with_a_vapid_key(alice_client, vapid, settings):
    page = alice_client.get(reverse("console:mine")).content.decode()
    assert 'id="push-toggle"' in page
    assert f'data-key="{vapid}"' in page
    assert "Notifications on this device" in page
    settings.WEBPUSH_VAPID_PUBLIC_KEY = ""
    page = alice_client.get(reverse("console:mine")).content.decode()
    assert 'id="push-toggle"' not in page


def test_an_operator_subscribes_and_unsubscribes_his_device(alice_client, alice, vapid):
    response = post_json(
        alice_client, "push:subscribe", SUBSCRIPTION, HTTP_USER_AGENT="Firefox on a phone"
    )
    assert response.status_code == 201
    subscription = PushSubscription.objects.get()
    assert subscription.operator == alice
    assert subscription.endpoint == SUBSCRIPTION["endpoint"]
    assert subscription.auth == SUBSCRIPTION["keys"]["auth"]
    assert subscription.user_agent == "Firefox on a phone"
    # The same browser again: still one row.
    assert post_json(alice_client, "push:subscribe", SUBSCRIPTION).status_code == 201
    assert PushSubscription.objects.count() == 1
    response = post_json(alice_client, "push:unsubscribe", {"endpoint": SUBSCRIPTION["endpoint"]})
    assert response.json() == {"subscribed": False, "deleted": 1}
    assert not PushSubscription.objects.exists()


@pytest.mark.parametrize(
    "data",
    [
        None,
        [],
        {"endpoint": "http://insecure.example/x", "keys": SUBSCRIPTION["keys"]},
        {"endpoint": SUBSCRIPTION["endpoint"]},
        {"endpoint": SUBSCRIPTION["endpoint"], "keys": {"auth": 5}},
    ],
)
def test_a_bad_subscription_is_refused(alice_client, vapid, data):
    response = post_json(alice_client, "push:subscribe", data)
    assert response.status_code == 400
    assert "error" in response.json()
    assert not PushSubscription.objects.exists()


def test_subscribing_needs_vapid_keys(alice_client):
    assert post_json(alice_client, "push:subscribe", SUBSCRIPTION).status_code == 404
    assert not PushSubscription.objects.exists()


def test_a_post_without_the_csrf_token_is_refused(alice, vapid):
    client = Client(enforce_csrf_checks=True)
    client.force_login(alice.user)
    assert post_json(client, "push:subscribe", SUBSCRIPTION).status_code == 403
    assert not PushSubscription.objects.exists()


def test_no_one_unsubscribes_a_colleagues_device(alice, make_operator, site, client, vapid):
    PushSubscription.objects.create(
        operator=alice, endpoint=SUBSCRIPTION["endpoint"], p256dh="k", auth="a"
    )
    bob = make_operator(username="bob", sites=[site])
    client.force_login(bob.user)
    response = post_json(client, "push:unsubscribe", {"endpoint": SUBSCRIPTION["endpoint"]})
    assert response.json()["deleted"] == 0
    assert PushSubscription.objects.filter(operator=alice).exists()


def test_a_login_that_is_not_an_operator_is_refused(client, make_user, vapid):
    client.force_login(make_user())
    assert post_json(client, "push:subscribe", SUBSCRIPTION).status_code == 403


def test_the_admin_lists_subscriptions_read_only(client, alice):
    PushSubscription.objects.create(
        operator=alice,
        endpoint=SUBSCRIPTION["endpoint"],
        p256dh="k",
        auth="a",
        user_agent="Chrome on Android",
    )
    admin = get_user_model().objects.create_superuser("root", "root@example.com", "pw")
    client.force_login(admin)
    page = client.get(reverse("admin:push_pushsubscription_changelist"))
    assert page.status_code == 200
    assert "Chrome on Android" in page.content.decode()
    assert client.get(reverse("admin:push_pushsubscription_add")).status_code == 403
