"""Automatic exports: a dialog that ends and a new lead, per the integration's flags
(chat.hooks, connected by crm.apps)."""

import pytest

from chat import hooks
from chat.dialogs import lifecycle
from chat.visitors import sessions
from crm.models import Export

pytestmark = pytest.mark.django_db


@pytest.fixture
def receiver(httpserver):
    httpserver.expect_request("/hook").respond_with_json({})
    return {"url": httpserver.url_for("/hook"), "secret": "s"}


def test_an_ended_dialog_is_exported_when_the_integration_asks(
    alice, dialog, receiver, make_integration, httpserver, django_capture_on_commit_callbacks
):
    wants = make_integration("webhook", name="Wants", settings=receiver, export_ended_dialogs=True)
    make_integration("webhook", name="Does not", settings=receiver, export_ended_dialogs=False)
    make_integration(
        "webhook", name="Inactive", settings=receiver, export_ended_dialogs=True, is_active=False
    )

    with django_capture_on_commit_callbacks(execute=True):
        lifecycle.end_dialog(operator=alice, dialog_id=dialog.id)

    export = Export.objects.get()
    assert (export.integration, export.dialog_id, export.status) == (wants, dialog.id, "sent")
    assert export.requested_by is None
    assert len(httpserver.log) == 1


def test_a_dialog_that_does_not_end_is_not_exported(
    alice, dialog, receiver, make_integration, django_capture_on_commit_callbacks
):
    make_integration("webhook", settings=receiver, export_ended_dialogs=True)
    with django_capture_on_commit_callbacks(execute=True):
        lifecycle.leave_dialog(operator=alice, dialog_id=dialog.id)
    assert Export.objects.count() == 0


def test_ending_rolled_back_exports_nothing(
    alice, dialog, receiver, make_integration, django_capture_on_commit_callbacks
):
    from django.db import transaction

    make_integration("webhook", settings=receiver, export_ended_dialogs=True)
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        lifecycle.end_dialog(operator=alice, dialog_id=dialog.id)
        raise RuntimeError
    assert Export.objects.count() == 0


def test_a_new_lead_is_exported_when_the_integration_asks(
    make_lead, receiver, make_integration, httpserver, django_capture_on_commit_callbacks
):
    wants = make_integration("webhook", name="Wants", settings=receiver, export_new_leads=True)
    make_integration("webhook", name="Does not", settings=receiver, export_new_leads=False)
    lead = make_lead()

    with django_capture_on_commit_callbacks(execute=True):
        hooks.lead_created.send_on_commit(lead=lead)

    export = Export.objects.get()
    assert (export.integration, export.lead_id, export.status) == (wants, lead.id, "sent")
    assert httpserver.log[0][0].get_json()["lead"]["id"] == lead.id


def test_a_failing_receiver_does_not_break_the_action(
    alice, dialog, receiver, make_integration, httpserver, caplog,
    django_capture_on_commit_callbacks,
):  # fmt: skip
    """A hook receiver that raises is logged; the dialog still ends, and the receivers
    after it (the CRM export) still run."""
    make_integration("webhook", settings=receiver, export_ended_dialogs=True)

    def broken(**kwargs):
        raise RuntimeError("CRM down")

    hooks.dialog_ended.receivers.insert(0, broken)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            lifecycle.end_dialog(operator=alice, dialog_id=dialog.id)
    finally:
        hooks.dialog_ended.disconnect(broken)

    dialog.refresh_from_db()
    assert dialog.status == "closed"
    assert "CRM down" in caplog.text
    assert Export.objects.get(dialog=dialog).status == "sent"
    assert httpserver.log[0][0].get_json()["dialog"]["id"] == dialog.id


def test_an_offline_form_lead_reaches_the_receiver(
    site, receiver, make_integration, httpserver, django_capture_on_commit_callbacks
):
    """The whole path of leads.services: a visitor's offline request is exported."""
    from leads import services as lead_services

    make_integration("webhook", settings=receiver, export_new_leads=True)
    session = sessions.start_visitor_session(
        site=site, token=None, ip="198.51.100.7", user_agent="Mozilla/5.0"
    )

    with django_capture_on_commit_callbacks(execute=True):
        lead = lead_services.submit_offline_lead(
            visitor_id=session.visitor.id,
            ip="198.51.100.7",
            contact={"name": "Petr", "email": "petr@example.com", "message": "Call me"},
        )

    export = Export.objects.get()
    assert (export.lead_id, export.status) == (lead.id, "sent")
    body = httpserver.log[0][0].get_json()
    assert body["event"] == "lead.exported"
    assert (body["lead"]["name"], body["lead"]["message"]) == ("Petr", "Call me")
    assert body["visitor"]["ip"] == "198.51.100.7"
