"""make run's demo: seed_demo_webhooks subscribes the demo account to the demo receiver,
which checks signatures, drops repeats and shows what it got on the endpoint's page."""

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from chat.outbound import signing
from operators.models import Account
from webhooks import services
from webhooks.models import Delivery, Endpoint

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_demo_endpoint_receives_signed_events(live_server, settings, make_operator, site):
    settings.WEBHOOKS_DEMO_RECEIVER = True
    settings.WEBHOOKS_ALLOW_PRIVATE_HOSTS = True
    account = site.account
    Account.objects.filter(pk=account.pk).update(name="Demo company")
    call_command("seed_demo_webhooks", base_url=live_server.url)
    call_command("seed_demo_webhooks", base_url=live_server.url)  # safe to run again
    endpoint = Endpoint.objects.get(account=account)
    assert endpoint.url == f"{live_server.url}/webhooks/demo-receiver/{endpoint.pk}/"

    row = services.send_test_event(account_id=account.pk, endpoint_id=endpoint.pk)
    row.refresh_from_db()
    assert row.status == Delivery.Status.SENT and row.last_status_code == 200
    services.retry_delivery(account_id=account.pk, delivery_id=row.pk)  # a repeat: kept once

    manager = make_operator(sites=[site], can_manage_site_settings=True)
    client = Client()
    client.force_login(manager.user)
    page = client.get(reverse("webhooks:edit", args=[endpoint.pk])).content.decode()
    assert "Received by the demo receiver" in page
    assert page.count('<details class="demo-event">') == 1 and str(row.event_id) in page


def test_the_demo_receiver_refuses_a_bad_signature(client, settings, site):
    settings.WEBHOOKS_DEMO_RECEIVER = True
    endpoint = Endpoint.objects.create(account=site.account, url="http://x/", events=[])
    body = b'{"event":"webhook.test"}'
    headers = signing.signed_headers(["whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD"], "id1", "1", body)
    url = reverse("webhooks_demo_receive", args=[endpoint.pk])
    response = client.post(url, body, content_type="application/json", headers=headers)
    assert response.status_code == 401
    settings.WEBHOOKS_DEMO_RECEIVER = False
    assert client.post(url, body, content_type="application/json").status_code == 404
