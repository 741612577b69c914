"""An attempt that outlived its lease (a worker paused past it, a slow CRM) records
nothing: the export another sender has marked sent meanwhile stays sent."""

from datetime import timedelta

import pytest
from django.utils import timezone

from crm import delivery
from crm.models import Export

pytestmark = pytest.mark.django_db


def test_a_late_failed_attempt_does_not_overwrite_a_sent_export(
    httpserver, make_integration, dialog
):
    webhook = make_integration(
        "webhook", settings={"url": httpserver.url_for("/hook"), "secret": "s3cret"}
    )
    export = Export.objects.create(integration=webhook, dialog=dialog)
    late = delivery.claim(export.id, respect_schedule=False)
    assert late.state == delivery.CLAIMED
    # Its lease runs out while it waits on the CRM; another sender takes the export over.
    Export.objects.filter(pk=export.id).update(lease_until=timezone.now() - timedelta(seconds=1))
    httpserver.expect_ordered_request("/hook").respond_with_json({"ok": True})
    httpserver.expect_ordered_request("/hook").respond_with_data("down", status=500)
    assert delivery.attempt_delivery(export) == delivery.SENT

    # The late attempt's CRM call fails; its answer comes after the export was sent.
    step = delivery.attempt(Export.objects.get(pk=export.id), late.token)

    assert step.outcome is None
    export.refresh_from_db()
    assert (export.status, export.attempts, export.last_error) == ("sent", 1, "")
