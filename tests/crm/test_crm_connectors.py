"""Each connector against a real local HTTP server: the exact request it makes and how its
answer is read (crm/connectors/, crm.delivery.attempt_delivery)."""

import hashlib
import hmac
import json
import time

import pytest

from chat.messaging import posting
from crm import delivery
from crm.models import Export
from crm.selectors import export_for_delivery
from tests.crm.fake_crm import connect

pytestmark = pytest.mark.django_db


def deliver(export):
    return delivery.attempt_delivery(export_for_delivery(export.id))


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
    assert deliver(export) == delivery.SENT

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

    assert deliver(export) == delivery.SENT

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


# --- Bitrix24 (a local Bitrix24, tests/crm/fake_crm.py) ------------------------------------


def test_bitrix24_looks_up_then_adds_the_contact_and_the_lead(
    bitrix24, make_integration, make_lead, dialog
):
    integration = connect(make_integration, bitrix24)
    lead = make_lead(dialog=dialog)
    export = Export.objects.create(integration=integration, lead=lead, dialog=dialog)
    key = str(export.idempotency_key)

    assert deliver(export) == delivery.SENT

    assert [name for name, _ in bitrix24.calls] == [
        "crm.lead.list",
        "crm.duplicate.findbycomm",
        "crm.duplicate.findbycomm",
        "crm.contact.add",
        "crm.lead.add",
    ]
    [lookup] = bitrix24.calls_of("crm.lead.list")
    assert lookup["filter"] == {"ORIGINATOR_ID": "livechat", "ORIGIN_ID": key}
    email, phone = bitrix24.calls_of("crm.duplicate.findbycomm")
    assert email == {"entity_type": "CONTACT", "type": "EMAIL", "values": ["ivan@example.com"]}
    assert phone == {"entity_type": "CONTACT", "type": "PHONE", "values": ["+79995554433"]}
    [contact_id] = bitrix24.contacts
    assert bitrix24.contacts[contact_id]["NAME"] == "Ivan"
    [body] = bitrix24.calls_of("crm.lead.add")
    assert body["params"] == {"REGISTER_SONET_EVENT": "Y"}
    fields = dict(body["fields"])
    comments = fields.pop("COMMENTS")
    assert fields == {
        "TITLE": "Lead from shop.example: Ivan",
        "NAME": "Ivan",
        "EMAIL": [{"VALUE": "ivan@example.com", "VALUE_TYPE": "WORK"}],
        "PHONE": [{"VALUE": "+79995554433", "VALUE_TYPE": "WORK"}],
        "SOURCE_ID": "WEB",
        "ORIGINATOR_ID": "livechat",
        "ORIGIN_ID": key,
        "CONTACT_ID": str(contact_id),
    }
    assert comments.startswith("Call me back, please")
    assert "Olga: Hello, I need a quote for 20 chairs" in comments
    assert "Alice: Sure!" in comments
    export.refresh_from_db()
    [lead_id] = bitrix24.leads
    assert (export.status, export.remote_id) == (Export.Status.SENT, str(lead_id))
    assert export.remote_contact_id == str(contact_id)


def test_bitrix24_links_the_contact_it_already_has(bitrix24, make_integration, make_lead):
    bitrix24.contacts[7] = {"NAME": "Ivan P.", "PHONE": [{"VALUE": "+79995554433"}]}
    export = Export.objects.create(
        integration=connect(make_integration, bitrix24), lead=make_lead(email="")
    )

    assert deliver(export) == delivery.SENT

    assert list(bitrix24.contacts) == [7]
    [lead] = bitrix24.leads.values()
    assert lead["CONTACT_ID"] == "7"


def test_bitrix24_adds_no_contact_without_email_or_phone(bitrix24, make_integration, make_lead):
    export = Export.objects.create(
        integration=connect(make_integration, bitrix24), lead=make_lead(email="", phone="")
    )

    assert deliver(export) == delivery.SENT

    assert bitrix24.contacts == {}
    assert [name for name, _ in bitrix24.calls] == ["crm.lead.list", "crm.lead.add"]
    [lead] = bitrix24.leads.values()
    assert "CONTACT_ID" not in lead


def test_bitrix24_error_answer_fails_with_its_description(bitrix24, make_integration, dialog):
    integration = make_integration(
        "bitrix24", settings={"webhook_url": bitrix24.url + "/rest/1/wrongsecret9"}
    )
    export = Export.objects.create(integration=integration, dialog=dialog)

    assert deliver(export) == delivery.FAILED

    export.refresh_from_db()
    assert export.status == Export.Status.FAILED
    assert export.last_status_code == 401
    assert export.last_error == "HTTP 401: Invalid request credentials (INVALID_CREDENTIALS)"
    assert "INVALID_CREDENTIALS" in export.last_response
    assert "wrongsecret9" not in export.last_error


# --- amoCRM (a local amoCRM, tests/crm/fake_crm.py) --------------------------------------


def test_amocrm_adds_the_lead_with_its_key_its_contact_and_the_transcript_note(
    amocrm, make_integration, dialog
):
    from tags.models import DialogTag, Tag

    vip = Tag.objects.create(account=dialog.account, name="VIP")
    DialogTag.objects.create(dialog=dialog, tag=vip)  # goes with the lead, beside "livechat"
    integration = connect(make_integration, amocrm)
    export = Export.objects.create(integration=integration, dialog=dialog)
    key = str(export.idempotency_key)

    assert deliver(export) == delivery.SENT

    assert [route for route, _ in amocrm.calls] == [
        "GET /api/v4/leads/custom_fields",
        "POST /api/v4/leads/custom_fields",
        "GET /api/v4/leads",
        "GET /api/v4/contacts",
        "GET /api/v4/contacts",
        "POST /api/v4/leads/complex",
        f"GET /api/v4/leads/{export_remote_id(export)}/notes",
        f"POST /api/v4/leads/{export_remote_id(export)}/notes",
    ]
    [field] = amocrm.fields.values()
    assert (field["name"], field["type"]) == ("Live chat export", "text")
    assert amocrm.calls_of("GET /api/v4/leads") == [{"query": key, "limit": "250"}]
    assert [c["query"] for c in amocrm.calls_of("GET /api/v4/contacts")] == [
        "olga@example.com",
        "+79990001122",
    ]
    [[lead]] = amocrm.calls_of("POST /api/v4/leads/complex")
    assert lead == {
        "name": f"Chat #{dialog.number} on shop.example: Olga",
        "custom_fields_values": [{"field_id": field["id"], "values": [{"value": key}]}],
        "_embedded": {
            "tags": [{"name": "livechat"}, {"name": "VIP"}],
            "contacts": [
                {
                    "name": "Olga",
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
        },
    }
    [lead_id] = amocrm.leads
    [note] = amocrm.notes[lead_id]
    assert note["note_type"] == "common"
    assert "Olga: Hello, I need a quote for 20 chairs" in note["params"]["text"]
    assert "Alice: Sure!" in note["params"]["text"]
    export.refresh_from_db()
    assert (export.status, export.remote_id) == (Export.Status.SENT, str(lead_id))
    assert export.remote_contact_id == str(amocrm.leads[lead_id]["contacts"][0])
    assert export.integration.remote_setup == {"key_field_id": field["id"]}


def export_remote_id(export):
    export.refresh_from_db()
    return export.remote_id


def test_amocrm_reuses_its_key_field_and_the_contact_it_has(amocrm, make_integration, make_lead):
    amocrm.contacts[55] = {
        "name": "Ivan",
        "custom_fields_values": [
            {"field_code": "EMAIL", "values": [{"value": "IVAN@example.com"}]}
        ],
    }
    integration = connect(make_integration, amocrm)
    first = Export.objects.create(integration=integration, lead=make_lead())
    second = Export.objects.create(integration=integration, lead=make_lead(name="Petr"))

    assert deliver(first) == delivery.SENT
    assert deliver(second) == delivery.SENT

    assert len(amocrm.fields) == 1
    assert len(amocrm.calls_of("GET /api/v4/leads/custom_fields")) == 1
    assert list(amocrm.contacts) == [55]
    assert [lead["contacts"] for lead in amocrm.leads.values()] == [[55], [55]]
    assert amocrm.calls_of("POST /api/v4/leads/complex") == []


def test_amocrm_adds_no_contact_without_email_or_phone(amocrm, make_integration, make_lead):
    export = Export.objects.create(
        integration=connect(make_integration, amocrm), lead=make_lead(email="", phone="")
    )

    assert deliver(export) == delivery.SENT

    assert amocrm.contacts == {}
    [[lead]] = amocrm.calls_of("POST /api/v4/leads")
    assert "contacts" not in lead["_embedded"]
    assert '"first_name"' not in str(amocrm.calls)


def test_amocrm_success_without_an_id_is_a_failure(httpserver, make_integration, make_lead):
    integration = make_integration(
        "amocrm",
        settings={"base_url": httpserver.url_for(""), "token": "t"},
        remote_setup={"key_field_id": 5},
    )
    export = Export.objects.create(integration=integration, lead=make_lead(email="", phone=""))
    httpserver.expect_request("/api/v4/leads", method="GET").respond_with_data("", status=204)
    httpserver.expect_request("/api/v4/leads", method="POST").respond_with_json({})

    assert deliver(export) == delivery.FAILED
    export.refresh_from_db()
    assert export.last_error == "amoCRM answered without the new lead's id."


# --- one CRM lead per dialog -------------------------------------------------------------


@pytest.mark.parametrize("kind", ["bitrix24", "amocrm"])
def test_a_dialog_exported_after_its_lead_updates_the_same_crm_lead(
    kind, request, make_integration, make_lead, dialog
):
    crm = request.getfixturevalue(kind)
    integration = connect(make_integration, crm)
    early = Export.objects.create(
        integration=integration, lead=make_lead(dialog=dialog), dialog=dialog
    )
    assert deliver(early) == delivery.SENT
    early.refresh_from_db()
    posting.post_visitor_message(
        visitor_id=dialog.visitor_id,
        visit_id=dialog.visit_id,
        client_id="c2",
        text="And 4 tables, please",
    )
    ended = Export.objects.create(integration=integration, dialog=dialog)

    assert deliver(ended) == delivery.SENT

    ended.refresh_from_db()
    assert len(crm.leads) == 1
    assert ended.remote_id == early.remote_id
    if kind == "bitrix24":
        [update] = crm.calls_of("crm.lead.update")
        assert update["id"] == early.remote_id
        assert "And 4 tables, please" in crm.leads[int(early.remote_id)]["COMMENTS"]
    else:
        notes = crm.notes[int(early.remote_id)]
        assert len(notes) == 2
        assert "And 4 tables, please" in notes[1]["params"]["text"]


def test_missing_settings_fail_without_a_request(httpserver, make_integration, dialog):
    integration = make_integration("amocrm", settings={"base_url": httpserver.url_for("")})
    export = Export.objects.create(integration=integration, dialog=dialog)

    assert deliver(export) == delivery.FAILED

    assert httpserver.log == []
    export.refresh_from_db()
    assert export.status == Export.Status.FAILED
    assert export.last_error == 'The integration has no "token" setting.'


def test_a_lead_left_after_its_chat_was_sent_updates_the_same_bitrix24_lead(
    bitrix24, make_integration, make_lead, dialog
):
    integration = connect(make_integration, bitrix24)
    chat = Export.objects.create(integration=integration, dialog=dialog)
    assert deliver(chat) == delivery.SENT
    chat.refresh_from_db()

    # A new e-mail, and the phone the chat's contact already has (the visitor card's).
    lead = make_lead(dialog=dialog, email="new@example.com", phone="")
    later = Export.objects.create(integration=integration, lead=lead, dialog=dialog)
    assert deliver(later) == delivery.SENT

    later.refresh_from_db()
    assert later.remote_id == chat.remote_id
    assert len(bitrix24.leads) == 1
    assert list(bitrix24.contacts) == [int(chat.remote_contact_id)]  # found by the phone
    crm_lead = bitrix24.leads[int(chat.remote_id)]
    assert crm_lead["CONTACT_ID"] == chat.remote_contact_id
    assert crm_lead["TITLE"] == "Lead from shop.example: Ivan"
    assert crm_lead["COMMENTS"].startswith("Call me back, please")
