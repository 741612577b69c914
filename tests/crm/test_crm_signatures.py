"""Webhook signatures (issue 22, item 8): the Standard Webhooks headers, verified by the
official `standardwebhooks` package, with two signatures while a secret is rotated; the
deprecated X-Livechat-Signature still sent; the demo receiver accepts what we send."""

import datetime
import hashlib
import hmac
import json
import time

import pytest
from django.urls import reverse
from standardwebhooks import Webhook, WebhookVerificationError

from crm import delivery, payloads
from crm.connectors import encode_body
from crm.connectors.webhook import WebhookConnector
from crm.forms import new_webhook_secret
from crm.models import Export, Integration
from crm.selectors import export_for_delivery

pytestmark = pytest.mark.django_db

OLD = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
NEW = "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD"


def delivered(httpserver, make_integration, dialog, settings):
    httpserver.expect_request("/hook").respond_with_json({"id": "r-1"})
    integration = make_integration(
        "webhook", settings={"url": httpserver.url_for("/hook"), **settings}
    )
    export = Export.objects.create(integration=integration, dialog=dialog)
    assert delivery.attempt_delivery(export_for_delivery(export.id)) == delivery.SENT
    request = httpserver.log[-1][0]
    return export, dict(request.headers), request.get_data()


def test_the_official_library_verifies_our_signature(httpserver, make_integration, dialog):
    export, headers, raw = delivered(httpserver, make_integration, dialog, {"secret": NEW})

    body = Webhook(NEW).verify(raw, headers)

    assert body["id"] == str(export.idempotency_key)
    assert headers["Webhook-Id"] == str(export.idempotency_key)
    assert abs(int(headers["Webhook-Timestamp"]) - time.time()) < 60
    with pytest.raises(WebhookVerificationError):
        Webhook(OLD).verify(raw, headers)
    with pytest.raises(WebhookVerificationError):
        Webhook(NEW).verify(raw.replace(b"Olga", b"Oleg"), headers)


@pytest.mark.parametrize("receiver_secret", [OLD, NEW])
def test_during_a_rotation_either_secret_verifies(
    httpserver, make_integration, dialog, receiver_secret
):
    _, headers, raw = delivered(
        httpserver, make_integration, dialog, {"secret": NEW, "previous_secret": OLD}
    )

    assert len(headers["Webhook-Signature"].split(" ")) == 2
    assert json.loads(raw) == Webhook(receiver_secret).verify(raw, headers)


def test_a_text_secret_is_its_utf8_bytes_for_the_library(httpserver, make_integration, dialog):
    secret = "an old text secret, ünïcode too"
    _, headers, raw = delivered(httpserver, make_integration, dialog, {"secret": secret})

    Webhook(secret.encode()).verify(raw, headers, json_parse=False)


def test_the_deprecated_header_is_still_sent_and_can_be_turned_off(
    httpserver, make_integration, dialog
):
    _, headers, raw = delivered(httpserver, make_integration, dialog, {"secret": NEW})
    timestamp = headers["X-Livechat-Timestamp"]
    mac = hmac.new(NEW.encode(), timestamp.encode() + b"." + raw, hashlib.sha256).hexdigest()
    assert headers["X-Livechat-Signature"] == f"sha256={mac}"

    _, headers, _ = delivered(
        httpserver, make_integration, dialog, {"secret": NEW, "legacy_signature": False}
    )
    assert "X-Livechat-Signature" not in headers
    assert "Webhook-Signature" in headers


def test_a_retry_keeps_the_webhook_id(httpserver, make_integration, dialog):
    export, first, _ = delivered(httpserver, make_integration, dialog, {"secret": NEW})
    Export.objects.filter(pk=export.pk).update(status=Export.Status.QUEUED)

    delivery.attempt_delivery(export_for_delivery(export.id))

    assert httpserver.log[-1][0].headers["Webhook-Id"] == first["Webhook-Id"]


def test_new_secrets_are_standard_webhooks_secrets():
    secret = new_webhook_secret()
    assert secret.startswith("whsec_")
    assert new_webhook_secret() != secret
    Webhook(secret).sign("id", datetime.datetime.now(tz=datetime.UTC), b"{}")


# --- the demo receiver ----------------------------------------------------------------------


@pytest.fixture
def demo_receiver(settings, tmp_path):
    settings.CRM_DEMO_RECEIVER = True
    settings.CRM_DEMO_RECEIVER_FILE = tmp_path / "received.json"
    return settings


@pytest.mark.parametrize("receiver_secret", [OLD, NEW])
def test_the_demo_receiver_accepts_a_rotating_sender(
    client, demo_receiver, make_integration, dialog, receiver_secret
):
    demo_receiver.CRM_DEMO_RECEIVER_SECRET = receiver_secret
    integration = make_integration(
        "webhook",
        settings={"url": "https://testserver/crm/demo-receiver/", "secret": NEW},
    )
    integration.settings["previous_secret"] = OLD
    export = Export.objects.create(integration=integration, dialog=dialog)
    request = WebhookConnector(integration.settings).build_request(payloads.build(export))

    response = client.generic(
        "POST",
        "/crm/demo-receiver/",
        encode_body(request.json),
        headers=request.headers,
        content_type=None,
    )

    assert response.status_code == 200


def test_the_demo_receiver_refuses_only_the_deprecated_header(client, demo_receiver):
    demo_receiver.CRM_DEMO_RECEIVER_SECRET = NEW
    raw, timestamp = b'{"event": "x"}', str(int(time.time()))
    mac = hmac.new(NEW.encode(), timestamp.encode() + b"." + raw, hashlib.sha256).hexdigest()

    response = client.generic(
        "POST",
        "/crm/demo-receiver/",
        raw,
        content_type="application/json",
        headers={"X-Livechat-Timestamp": timestamp, "X-Livechat-Signature": f"sha256={mac}"},
    )

    assert response.status_code == 400


# --- rotating from the admin ----------------------------------------------------------------


def test_the_admin_rotates_and_finishes(client, django_user_model, make_integration):
    admin = django_user_model.objects.create_superuser("root", "root@example.com", "pw-123456")
    client.force_login(admin)
    integration = make_integration("webhook", settings={"url": "https://x.example/", "secret": OLD})
    url = reverse("admin:crm_integration_changelist")

    response = client.post(
        url, {"action": "rotate_webhook_secret", "_selected_action": [integration.id]}
    )
    assert response.status_code == 302
    integration.refresh_from_db()
    assert integration.settings["previous_secret"] == OLD
    assert (
        integration.settings["secret"].startswith("whsec_")
        and integration.settings["secret"] != OLD
    )
    assert "rotating the secret" in client.get(url).content.decode()

    client.post(url, {"action": "finish_secret_rotation", "_selected_action": [integration.id]})
    integration.refresh_from_db()
    assert "previous_secret" not in integration.settings
    assert Integration.objects.count() == 1
