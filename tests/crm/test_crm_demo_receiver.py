"""The demo receiver: what `make run` exports to, checked like a real receiver should."""

import time

import pytest
from django.urls import reverse

from crm import payloads
from crm.connectors import encode_body
from crm.connectors.webhook import WebhookConnector, signatures
from crm.models import Export, Integration

pytestmark = pytest.mark.django_db

URL = "/crm/demo-receiver/"


@pytest.fixture(autouse=True)
def receiver_file(settings, tmp_path):
    settings.CRM_DEMO_RECEIVER = True
    settings.CRM_DEMO_RECEIVER_SECRET = "demo-secret"
    settings.CRM_DEMO_RECEIVER_FILE = tmp_path / "received.json"


def post_signed(client, body: dict, *, secret="demo-secret", timestamp=None, key="k-1"):
    raw = encode_body(body)
    timestamp = str(timestamp or int(time.time()))
    return client.generic(
        "POST",
        URL,
        raw,
        content_type="application/json",
        headers={
            "webhook-id": key,
            "webhook-timestamp": timestamp,
            "webhook-signature": signatures([secret], key, timestamp, raw),
        },
    )


def test_the_webhook_connectors_request_is_accepted_and_shown(
    client, alice_client, make_integration, dialog
):
    integration = make_integration(
        "webhook", settings={"url": "https://testserver" + URL, "secret": "demo-secret"}
    )
    export = Export.objects.create(integration=integration, dialog=dialog)
    request = WebhookConnector(integration.settings).build_request(payloads.build(export))

    response = client.generic(
        "POST", URL, encode_body(request.json), headers=request.headers, content_type=None
    )

    assert response.status_code == 200
    assert response.json() == {"id": f"demo-{str(export.idempotency_key)[:8]}"}
    page = alice_client.get(reverse("crm:demo_received")).content.decode()
    assert "dialog.exported" in page
    assert str(export.idempotency_key) in page
    assert "Hello, I need a quote for 20 chairs" in page


def test_a_repeated_delivery_is_recorded_once(client, alice_client):
    assert post_signed(client, {"event": "lead.exported", "n": 1}).status_code == 200
    assert post_signed(client, {"event": "lead.exported", "n": 1}).status_code == 200

    page = alice_client.get(reverse("crm:demo_received")).content.decode()
    assert page.count('class="crm-demo-record"') == 1
    assert "1 repeated delivery ignored" in page


@pytest.mark.parametrize(
    ("kwargs", "status"),
    [
        ({"secret": "wrong"}, 401),
        ({"timestamp": int(time.time()) - 3600}, 401),
    ],
)
def test_bad_signatures_and_old_timestamps_are_refused(client, alice_client, kwargs, status):
    assert post_signed(client, {"event": "x"}, **kwargs).status_code == status
    page = alice_client.get(reverse("crm:demo_received")).content.decode()
    assert "Nothing received yet." in page


def test_unsigned_requests_are_refused(client):
    assert client.post(URL, {"a": 1}, content_type="application/json").status_code == 400


def test_the_receiver_is_off_unless_enabled(client, alice_client, settings):
    settings.CRM_DEMO_RECEIVER = False
    assert post_signed(client, {"event": "x"}).status_code == 404
    assert alice_client.get(reverse("crm:demo_received")).status_code == 404


def test_the_page_needs_an_operator(client):
    response = client.get(reverse("crm:demo_received"))
    assert response.status_code == 302
    assert "/accounts/login/" in response.url


def test_seed_demo_crm_creates_the_active_example(site, settings):
    from django.core.management import call_command

    site.account.name = "Demo company"
    site.account.save()
    call_command("seed_demo_crm", url="http://127.0.0.1:8000/crm/demo-receiver/")
    call_command("seed_demo_crm", url="http://127.0.0.1:8000/crm/demo-receiver/")  # again

    integration = Integration.objects.get()
    assert integration.is_active and integration.export_new_leads
    assert integration.settings == {
        "url": "http://127.0.0.1:8000/crm/demo-receiver/",
        "secret": "demo-secret",
    }
