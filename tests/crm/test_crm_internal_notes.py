"""Internal notes in CRM exports: only when the integration includes them, never a
transfer's private note."""

import pytest

from crm import payloads
from crm.models import Export
from operators.models import Operator
from teamwork import notes, transfers

pytestmark = pytest.mark.django_db


@pytest.fixture
def noted(dialog, alice, make_operator, site):
    notes.add_note(operator=alice, dialog_id=dialog.id, text="VIP: 10% agreed")
    bob = make_operator(username="bob", display_name="Boris", sites=[site])
    Operator.objects.filter(pk=bob.pk).update(open_sockets=1)
    transfers.transfer_dialog(
        operator=alice, dialog_id=dialog.id, receiver_id=bob.id, note="private: angry"
    )
    return dialog


def payload_of(integration, dialog):
    export = Export.objects.create(integration=integration, dialog=dialog)
    return payloads.build(Export.objects.select_related("integration").get(pk=export.pk))


def test_notes_stay_out_by_default(make_integration, noted):
    payload = payload_of(make_integration(), noted)
    assert "notes" not in payload["dialog"]
    assert "VIP" not in repr(payload) and "private" not in repr(payload)


def test_an_integration_that_includes_them_gets_the_shared_ones(make_integration, noted):
    payload = payload_of(make_integration(export_internal_notes=True), noted)
    assert [(n["author"], n["text"]) for n in payload["dialog"]["notes"]] == [
        ("Alice", "VIP: 10% agreed")
    ]
    assert "private: angry" not in repr(payload)
    text = payloads.transcript_text(payload)
    assert text.splitlines()[-2] == "Internal notes:"
    assert text.endswith("Alice: VIP: 10% agreed")
