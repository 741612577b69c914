"""The admin: an endpoint added there is heard at once (the cached listeners are dropped),
Send test event and Retry are actions, and a private address is refused as in the console."""

import pytest
from django.urls import reverse

from webhooks import subscriptions
from webhooks.models import Delivery, Endpoint

pytestmark = pytest.mark.django_db


def test_an_endpoint_added_in_the_admin_is_heard_and_tested(
    admin_client, site, receiver, django_capture_on_commit_callbacks
):
    assert subscriptions.listeners() == {}  # cached: nobody listens
    response = admin_client.post(
        reverse("admin:webhooks_endpoint_add"),
        {
            "account": site.account_id,
            "url": receiver.url,
            "description": "From the admin",
            "events": ["dialog.started"],
            "is_active": "on",
            "deliveries-TOTAL_FORMS": "0",
            "deliveries-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    endpoint = Endpoint.objects.get()
    assert subscriptions.listens(site.account_id, "dialog.started")

    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(
            reverse("admin:webhooks_endpoint_changelist"),
            {"action": "send_test_event", "_selected_action": [endpoint.pk]},
        )
    delivery = Delivery.objects.get()
    assert delivery.status == "sent" and len(receiver.requests) == 1

    Delivery.objects.filter(pk=delivery.pk).update(status="failed")
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(
            reverse("admin:webhooks_delivery_changelist"),
            {"action": "retry", "_selected_action": [delivery.pk]},
        )
    delivery.refresh_from_db()
    assert delivery.status == "sent" and delivery.attempts == 2


def test_the_admin_refuses_a_private_address(admin_client, site, settings):
    settings.WEBHOOKS_ALLOW_PRIVATE_HOSTS = False
    response = admin_client.post(
        reverse("admin:webhooks_endpoint_add"),
        {
            "account": site.account_id,
            "url": "http://192.168.1.10/hook",
            "events": ["dialog.started"],
            "deliveries-TOTAL_FORMS": "0",
            "deliveries-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 200 and "private or local address" in response.content.decode()
    assert not Endpoint.objects.exists()
