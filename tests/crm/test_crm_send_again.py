"""Send to CRM again, after an export was sent or failed: a new export is queued and
delivered (only one still waiting is reused, against a double click)."""

import pytest

from crm import services
from crm.models import Export

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("earlier", ["sent", "failed"])
def test_sending_again_queues_a_new_export(
    earlier, alice, dialog, httpserver, make_integration, django_capture_on_commit_callbacks
):
    webhook = make_integration(
        "webhook", settings={"url": httpserver.url_for("/hook"), "secret": "s3cret"}
    )
    before = Export.objects.create(integration=webhook, dialog=dialog, status=earlier)
    httpserver.expect_request("/hook").respond_with_json({"ok": True})

    with django_capture_on_commit_callbacks(execute=True):
        (again,) = services.queue_dialog_export(operator=alice, dialog_id=dialog.id)

    assert again.id != before.id
    again.refresh_from_db()
    assert again.status == "sent"
    assert len(httpserver.log) == 1
    before.refresh_from_db()
    assert before.status == earlier  # the earlier record is history, untouched
