"""Each connector against a real local HTTP server: the exact request it makes and how its
answer is read (crm/connectors/, crm.services.attempt_delivery)."""

import hashlib
import hmac
import json
import time

import pytest

from crm import services
from crm.models import Export
from crm.selectors import export_for_delivery

pytestmark = pytest.mark.django_db


def deliver(export):
    return services.attempt_delivery(export_for_delivery(export.id))


def only_request(httpserver):
    assert len(httpserver.log) == 1, [str(r) for r, _ in httpserver.log]
    return httpserver.log[0][0]


# --- signed webhook ----------------------------------------------------------------------


def test_webhook_posts_the_signed_dialog(httpserver, make_integration, dialog):
    integration = make_integration(
        "webhook", settings={"url": httpserver.url_for("/hooks/chat"), "secret": "s3cret"}
    )
    export = Export.objects.create(integration=integration, dialog=dialog)
    httpserver.expect_oneshot_request("/hooks/chat", method="POST").respond_with_json(
        {"id": "rcv-1"}
    )

    before = int(time.time())
    assert deliver(export) == services.SENT

    request = only_request(httpserver)
    assert request.method == "POST"
    assert request.path == "/hooks/chat"
    assert request.headers["Content-Type"] == "application/json"
    assert request.headers["Idempotency-Key"] == str(export.idempotency_key)
    timestamp = request.headers["X-Livechat-Timestamp"]
    assert before <= int(timestamp) <= int(time.time())
    raw = request.get_data()
    expected = hmac.new(b"s3cret", timestamp.encode() + b"." + raw, hashlib.sha256).hexdigest()
    assert request.headers["X-Livechat-Signature"] == f"sha256={expected}"

    body = json.loads(raw)
    assert body["event"] == "dialog.exported"
    assert body["id"] == str(export.idempotency_key)
    assert body["lead"] is None
    assert body["dialog"]["number"] == dialog.number
    assert body["dialog"]["site"] == {"id": dialog.site_id, "name": "shop.example"}
    assert body["dialog"]["status"] == "active"
    assert body["dialog"]["operators"] == ["Alice"]
    texts = [(m["author"], m["name"], m["text"]) for m in body["dialog"]["transcript"]]
    assert ("visitor", "Olga", "Hello, I need a quote for 20 chairs") in texts
    assert ("operator", "Alice", "Sure!") in texts
    assert all(m["sent_at"] for m in body["dialog"]["transcript"])
    visitor = body["visitor"]
    assert (visitor["name"], visitor["email"], visitor["phone"]) == (
        "Olga",
        "olga@example.com",
        "+79990001122",
    )
    assert visitor["ip"] == "203.0.113.5"
    assert visitor["browser"].startswith("Chrome")

    export.refresh_from_db()
    assert export.status == Export.Status.SENT
    assert (export.attempts, export.last_status_code, export.remote_id) == (1, 200, "rcv-1")
    assert export.sent_at is not None
    assert '"rcv-1"' in export.last_response


def test_webhook_body_of_a_lead(httpserver, make_integration, make_lead):
    integration = make_integration(
        "webhook", settings={"url": httpserver.url_for("/in"), "secret": "k"}
    )
    lead = make_lead()
    export = Export.objects.create(integration=integration, lead=lead)
    httpserver.expect_oneshot_request("/in").respond_with_data("ok")

    assert deliver(export) == services.SENT

    body = json.loads(only_request(httpserver).get_data())
    assert body["event"] == "lead.exported"
    assert body["dialog"] is None
    assert body["lead"]["id"] == lead.id
    assert (body["lead"]["name"], body["lead"]["email"], body["lead"]["phone"]) == (
        "Ivan",
        "ivan@example.com",
        "+79995554433",
    )
    assert body["lead"]["message"] == "Call me back, please"
    assert body["lead"]["source"] == "offline_form"


# --- Bitrix24 ----------------------------------------------------------------------------


def test_bitrix24_creates_a_lead_through_the_inbound_webhook(
    httpserver, make_integration, make_lead, dialog
):
    integration = make_integration(
        "bitrix24", settings={"webhook_url": httpserver.url_for("/rest/1/abc123/")}
    )
    lead = make_lead(dialog=dialog)
    export = Export.objects.create(integration=integration, lead=lead, dialog=dialog)
    httpserver.expect_oneshot_request(
        "/rest/1/abc123/crm.lead.add.json", method="POST"
    ).respond_with_json({"result": 4711, "time": {"start": 1}})

    assert deliver(export) == services.SENT

    request = only_request(httpserver)
    assert request.headers["Content-Type"] == "application/json"
    body = json.loads(request.get_data())
    fields = body.pop("fields")
    assert body == {"params": {"REGISTER_SONET_EVENT": "Y"}}
    comments = fields.pop("COMMENTS")
    assert fields == {
        "TITLE": "Lead from shop.example: Ivan",
        "NAME": "Ivan",
        "EMAIL": [{"VALUE": "ivan@example.com", "VALUE_TYPE": "WORK"}],
        "PHONE": [{"VALUE": "+79995554433", "VALUE_TYPE": "WORK"}],
        "SOURCE_ID": "WEB",
        "ORIGINATOR_ID": "livechat",
        "ORIGIN_ID": str(export.idempotency_key),
    }
    assert comments.startswith("Call me back, please")
    assert "Olga: Hello, I need a quote for 20 chairs" in comments
    assert "Alice: Sure!" in comments
    export.refresh_from_db()
    assert (export.status, export.remote_id) == (Export.Status.SENT, "4711")


def test_bitrix24_error_answer_fails_with_its_description(httpserver, make_integration, dialog):
    integration = make_integration(
        "bitrix24", settings={"webhook_url": httpserver.url_for("/rest/1/abc123")}
    )
    export = Export.objects.create(integration=integration, dialog=dialog)
    httpserver.expect_oneshot_request("/rest/1/abc123/crm.lead.add.json").respond_with_json(
        {"error": "INVALID_CREDENTIALS", "error_description": "Invalid request credentials"},
        status=401,
    )

    assert deliver(export) == services.FAILED

    export.refresh_from_db()
    assert export.status == Export.Status.FAILED
    assert export.last_status_code == 401
    assert export.last_error == "HTTP 401: Invalid request credentials"
    assert "INVALID_CREDENTIALS" in export.last_response


# --- amoCRM ------------------------------------------------------------------------------


def test_amocrm_adds_a_lead_with_its_contact(httpserver, make_integration, dialog):
    integration = make_integration(
        "amocrm", settings={"base_url": httpserver.url_for("/"), "token": "long-lived-token"}
    )
    export = Export.objects.create(integration=integration, dialog=dialog)
    httpserver.expect_oneshot_request("/api/v4/leads/complex", method="POST").respond_with_json(
        [{"id": 9774766, "contact_id": 12117258, "request_id": [str(export.idempotency_key)]}]
    )

    assert deliver(export) == services.SENT

    request = only_request(httpserver)
    assert request.headers["Authorization"] == "Bearer long-lived-token"
    assert request.headers["Content-Type"] == "application/json"
    assert json.loads(request.get_data()) == [
        {
            "name": f"Chat #{dialog.number} on shop.example: Olga",
            "request_id": str(export.idempotency_key),
            "_embedded": {
                "contacts": [
                    {
                        "first_name": "Olga",
                        "custom_fields_values": [
                            {
                                "field_code": "EMAIL",
                                "values": [{"value": "olga@example.com", "enum_code": "WORK"}],
                            },
                            {
                                "field_code": "PHONE",
                                "values": [{"value": "+79990001122", "enum_code": "WORK"}],
                            },
                        ],
                    }
                ],
                "tags": [{"name": "livechat"}],
            },
        }
    ]
    export.refresh_from_db()
    assert (export.status, export.remote_id) == (Export.Status.SENT, "9774766")


def test_amocrm_success_without_an_id_is_a_failure(httpserver, make_integration, dialog):
    integration = make_integration(
        "amocrm", settings={"base_url": httpserver.url_for(""), "token": "t"}
    )
    export = Export.objects.create(integration=integration, dialog=dialog)
    httpserver.expect_oneshot_request("/api/v4/leads/complex").respond_with_json([])

    assert deliver(export) == services.FAILED
    export.refresh_from_db()
    assert export.last_error == "amoCRM answered without the new lead's id."


def test_missing_settings_fail_without_a_request(httpserver, make_integration, dialog):
    integration = make_integration("amocrm", settings={"base_url": httpserver.url_for("")})
    export = Export.objects.create(integration=integration, dialog=dialog)

    assert deliver(export) == services.FAILED

    assert httpserver.log == []
    export.refresh_from_db()
    assert export.status == Export.Status.FAILED
    assert export.last_error == 'The integration has no "token" setting.'
