"""Exactly one lead and one contact per export, against local Bitrix24 and amoCRM that make a
new record on every create call and misbehave like the real ones (tests/crm/fake_crm.py):
slow or 5xx answers after saving, 429 with Retry-After, Bitrix24's QUERY_LIMIT_EXCEEDED,
amoCRM's validation-errors, and a manual Retry after the product gave up.

Only the task and the services are driven (deliver_export, retry_export), as in production;
Celery runs eagerly here (retries at once, their countdowns recorded). Each case adds a row
to the table printed at the end of the run (conftest.pytest_terminal_summary)."""

import pytest

from crm import services
from crm.models import Export
from crm.tasks import deliver_export
from tests.crm import fake_crm
from tests.crm.fake_crm import DELIVERY_TABLE, connect

pytestmark = pytest.mark.django_db

CREATE = {"Bitrix24": "crm.lead.add", "amoCRM": "POST /api/v4/leads/complex"}


@pytest.fixture(params=["Bitrix24", "amoCRM"])
def crm(request):
    return request.getfixturevalue("bitrix24" if request.param == "Bitrix24" else "amocrm")


@pytest.fixture(autouse=True)
def quick_timeouts(settings):
    settings.CRM_HTTP_TIMEOUT_SECONDS = 0.5
    settings.CRM_RETRY_MAX = 3


def export_of(crm, make_integration, make_lead, dialog):
    integration = connect(make_integration, crm)
    lead = make_lead(dialog=dialog)
    return Export.objects.create(integration=integration, lead=lead, dialog=dialog)


def outcome(case, crm, export):
    export.refresh_from_db()
    key = str(export.idempotency_key)
    leads = crm.leads_of(key)
    DELIVERY_TABLE.append(
        (case, crm.name, len(leads), len(crm.contacts), export.attempts, len(crm.calls),
         export.status)
    )  # fmt: skip
    return export, leads


CASES = [
    ("no failure", None),
    ("timeout: the CRM answers slowly after saving", fake_crm.SLOW_AFTER_SAVE),
    ("HTTP 500 after saving", fake_crm.ERROR_AFTER_SAVE),
    ("plain 503 before saving", fake_crm.UNAVAILABLE),
]


@pytest.mark.parametrize("case,fault", CASES, ids=[c[1] or "none" for c in CASES])
def test_one_lead_and_one_contact_whatever_the_create_call_does(
    case, fault, crm, make_integration, make_lead, dialog, countdowns
):
    crm.slow_seconds = 1.5
    if fault:
        crm.fail(CREATE[crm.name], fault)
    export = export_of(crm, make_integration, make_lead, dialog)

    deliver_export.delay(export.id)

    export, leads = outcome(case, crm, export)
    assert export.status == Export.Status.SENT, export.last_error
    assert len(leads) == 1
    assert len(crm.contacts) == 1
    assert export.remote_id == str(next(i for i, lead in crm.leads.items() if lead is leads[0]))
    assert export.attempts == (1 if fault is None else 2)
    assert len(countdowns) == export.attempts - 1


def test_429_waits_as_long_as_retry_after_asks(
    crm, make_integration, make_lead, dialog, countdowns, settings
):
    settings.CRM_RETRY_BASE_SECONDS = 1
    crm.retry_after = "7"
    crm.fail(CREATE[crm.name], fake_crm.TOO_MANY)
    export = export_of(crm, make_integration, make_lead, dialog)

    deliver_export.delay(export.id)

    export, leads = outcome("429 with Retry-After: 7", crm, export)
    assert export.status == Export.Status.SENT
    assert len(leads) == 1 and len(crm.contacts) == 1
    assert len(countdowns) == 1
    assert 7 <= countdowns[0] <= 8


def test_bitrix24_query_limit_exceeded_is_waited_out(
    bitrix24, make_integration, make_lead, dialog, countdowns
):
    bitrix24.fail("crm.lead.list", fake_crm.QUERY_LIMIT)
    bitrix24.fail("crm.lead.add", fake_crm.QUERY_LIMIT)
    export = export_of(bitrix24, make_integration, make_lead, dialog)

    deliver_export.delay(export.id)

    export, leads = outcome("503 QUERY_LIMIT_EXCEEDED (twice)", bitrix24, export)
    assert export.status == Export.Status.SENT
    assert len(leads) == 1 and len(bitrix24.contacts) == 1
    assert len(countdowns) == 2


def test_manual_retry_after_giving_up_finds_the_lead_already_made(
    crm, make_integration, make_lead, dialog, alice, settings, django_capture_on_commit_callbacks
):
    settings.CRM_RETRY_MAX = 0  # the first failure gives up
    crm.fail(CREATE[crm.name], fake_crm.ERROR_AFTER_SAVE)
    export = export_of(crm, make_integration, make_lead, dialog)
    deliver_export.delay(export.id)
    export.refresh_from_db()
    assert export.status == Export.Status.FAILED
    assert export.last_error.startswith("Gave up after 1 attempts.")

    with django_capture_on_commit_callbacks(execute=True):
        services.retry_export(operator=alice, export_id=export.id)

    export, leads = outcome("5xx after saving, gave up, then manual Retry", crm, export)
    assert export.status == Export.Status.SENT
    assert len(leads) == 1 and len(crm.contacts) == 1
    assert export.attempts == 2


def test_amocrm_validation_errors_fail_at_once_with_the_field_detail(
    amocrm, make_integration, make_lead, dialog, countdowns
):
    amocrm.fail(CREATE["amoCRM"], fake_crm.INVALID)
    export = export_of(amocrm, make_integration, make_lead, dialog)

    deliver_export.delay(export.id)

    export, leads = outcome("amoCRM 400 validation-errors", amocrm, export)
    assert export.status == Export.Status.FAILED
    assert (export.attempts, countdowns, leads) == (1, [], [])
    assert export.last_error == (
        "HTTP 400: Request validation failed: "
        "_embedded.contacts.0.custom_fields_values.0.values.0.value: "
        "This value is not a valid email address."
    )


def test_bitrix24_error_description_is_shown(
    bitrix24, make_integration, make_lead, dialog, countdowns
):
    bitrix24.fail("crm.lead.add", fake_crm.INVALID)
    export = export_of(bitrix24, make_integration, make_lead, dialog)

    deliver_export.delay(export.id)

    export, leads = outcome("Bitrix24 400 with error_description", bitrix24, export)
    assert export.status == Export.Status.FAILED
    assert (export.attempts, countdowns, leads) == (1, [], [])
    assert export.last_error == "HTTP 400: Поле EMAIL: неверный формат адреса"
