"""The admin: integrations with their settings help, and the export log with Retry."""

import pytest
from django.urls import reverse

from crm.models import Export

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, django_user_model):
    admin = django_user_model.objects.create_superuser("root", "root@example.com", "pw-123456")
    client.force_login(admin)
    return client


def test_the_export_list_shows_failures(admin_client, make_integration, dialog, make_lead):
    integration = make_integration("bitrix24", name="B24")
    Export.objects.create(
        integration=integration, dialog=dialog, status="failed", attempts=7, last_status_code=503
    )
    Export.objects.create(integration=integration, lead=make_lead(), status="sent")

    response = admin_client.get(reverse("admin:crm_export_changelist"))
    html = response.content.decode()
    assert response.status_code == 200
    assert f"dialog #{dialog.number}" in html
    assert "lead Ivan" in html
    assert "503" in html
    failed = admin_client.get(reverse("admin:crm_export_changelist"), {"status__exact": "failed"})
    assert len(failed.context["cl"].result_list) == 1


def test_retry_selected_exports(
    admin_client, make_integration, dialog, httpserver, django_capture_on_commit_callbacks
):
    httpserver.expect_request("/hook").respond_with_json({})
    integration = make_integration(
        "webhook", settings={"url": httpserver.url_for("/hook"), "secret": "s"}
    )
    failed = Export.objects.create(integration=integration, dialog=dialog, status="failed")

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            reverse("admin:crm_export_changelist"),
            {"action": "retry_selected", "_selected_action": [failed.id]},
        )

    assert response.status_code == 302
    failed.refresh_from_db()
    assert failed.status == Export.Status.SENT
    assert httpserver.log[0][0].headers["Idempotency-Key"] == str(failed.idempotency_key)


def test_the_integration_form_lists_each_connectors_settings(admin_client):
    html = admin_client.get(reverse("admin:crm_integration_add")).content.decode()
    for key in ("url", "secret", "webhook_url", "base_url", "token"):
        assert f"<code>{key}</code>" in html


def test_settings_must_be_an_object(admin_client, site):
    response = admin_client.post(
        reverse("admin:crm_integration_add"),
        {"account": site.account_id, "name": "X", "kind": "webhook", "settings": "[1, 2]"},
    )
    assert response.status_code == 200
    assert "Settings must be a JSON object." in response.content.decode()
