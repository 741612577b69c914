"""Send to CRM from the dialog page and the Leads page, Retry, the export panel the dialog
shows, and who may do what."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from chat.dialogs import lifecycle
from crm.models import Export

pytestmark = pytest.mark.django_db


@pytest.fixture
def webhook(httpserver, make_integration):
    return make_integration(
        "webhook",
        name="Shop CRM",
        settings={"url": httpserver.url_for("/hook"), "secret": "s3cret"},
    )


def send(client, dialog, capture):
    with capture(execute=True):
        return client.post(reverse("crm:send_dialog", args=[dialog.id]))


def page(client, dialog):
    response = client.get(reverse("console:dialog", args=[dialog.id]))
    assert response.status_code == 200
    return response.content.decode()


def test_send_to_crm_sits_in_the_dialog_menu_after_end_dialog(alice_client, dialog):
    html = page(alice_client, dialog)
    menu = html[html.index('<details class="dialog-menu">') :]
    assert 'id="end-dialog"' in menu
    assert menu.index('id="end-dialog"') < menu.index('id="send-to-crm"')
    assert reverse("crm:send_dialog", args=[dialog.id]) in menu


def test_send_to_crm_delivers_and_the_dialog_shows_it_sent(
    alice_client, httpserver, webhook, dialog, django_capture_on_commit_callbacks
):
    httpserver.expect_request("/hook").respond_with_json({"id": "abc"})

    response = send(alice_client, dialog, django_capture_on_commit_callbacks)

    assert response.status_code == 302
    assert response.url == reverse("console:dialog", args=[dialog.id])
    assert len(httpserver.log) == 1
    export = Export.objects.get()
    assert (export.dialog_id, export.status, export.requested_by.user.username) == (
        dialog.id,
        Export.Status.SENT,
        "alice",
    )
    html = page(alice_client, dialog)
    assert "Queued for Shop CRM" in html  # the flash message
    panel = html[html.index('id="crm-exports"') : html.index('<footer class="dialog-foot">')]
    assert "Sent to Shop CRM" in panel
    assert 'class="crm-export crm-sent"' in panel


def test_a_queued_export_shows_queued(alice_client, webhook, dialog):
    Export.objects.create(integration=webhook, dialog=dialog)
    html = page(alice_client, dialog)
    assert "Queued for Shop CRM…" in html
    assert not re.search(r'id="crm-exports"[^>]*hidden', html)


def test_no_export_keeps_the_panel_hidden(alice_client, dialog):
    assert re.search(r'id="crm-exports"[^>]*hidden', page(alice_client, dialog))


def test_a_failed_export_shows_the_reason_and_retry_delivers_it(
    alice_client, httpserver, webhook, dialog, django_capture_on_commit_callbacks
):
    httpserver.expect_oneshot_request("/hook").respond_with_json(
        {"detail": "unknown site"}, status=422
    )
    send(alice_client, dialog, django_capture_on_commit_callbacks)
    export = Export.objects.get()

    html = page(alice_client, dialog)
    assert "Failed to send to Shop CRM: HTTP 422: unknown site" in html
    retry_url = reverse("crm:retry", args=[export.id])
    assert f'action="{retry_url}"' in html

    httpserver.expect_oneshot_request("/hook").respond_with_json({"id": "ok"})
    with django_capture_on_commit_callbacks(execute=True):
        response = alice_client.post(retry_url)
    assert response.status_code == 302
    export.refresh_from_db()
    assert (export.status, export.attempts) == (Export.Status.SENT, 2)
    assert "Sent to Shop CRM" in page(alice_client, dialog)


def test_without_an_active_integration_the_operator_is_told(
    alice_client, make_integration, dialog, django_capture_on_commit_callbacks
):
    make_integration("webhook", is_active=False)

    response = send(alice_client, dialog, django_capture_on_commit_callbacks)

    assert response.status_code == 302
    assert Export.objects.count() == 0
    assert "No CRM integration is active for your account" in page(alice_client, dialog)


def test_a_double_click_queues_one_export(
    alice_client, webhook, dialog, django_capture_on_commit_callbacks, monkeypatch
):
    monkeypatch.setattr("crm.services.enqueue", lambda export_id: None)  # stays queued
    send(alice_client, dialog, django_capture_on_commit_callbacks)
    send(alice_client, dialog, django_capture_on_commit_callbacks)
    assert Export.objects.count() == 1


def test_one_export_per_active_integration(
    alice_client, httpserver, webhook, make_integration, dialog, django_capture_on_commit_callbacks
):
    httpserver.expect_request("/hook").respond_with_json({})
    make_integration("webhook", name="Second", settings=webhook.settings)
    make_integration("webhook", name="Off", is_active=False)

    send(alice_client, dialog, django_capture_on_commit_callbacks)

    assert sorted(Export.objects.values_list("integration__name", flat=True)) == [
        "Second",
        "Shop CRM",
    ]
    html = page(alice_client, dialog)
    assert "Sent to Second" in html and "Sent to Shop CRM" in html


# --- who may ------------------------------------------------------------------------------


def test_an_operator_of_another_account_is_refused(
    client, make_operator, make_site, webhook, dialog, django_capture_on_commit_callbacks
):
    stranger = make_operator(sites=[make_site()])
    client.force_login(stranger.user)

    response = send(client, dialog, django_capture_on_commit_callbacks)

    assert response.status_code == 403
    assert Export.objects.count() == 0
    assert client.post(reverse("crm:send_dialog", args=[999999])).status_code == 404


def test_a_colleague_without_access_to_the_active_dialog_is_refused(
    client, make_operator, site, webhook, dialog, django_capture_on_commit_callbacks
):
    colleague = make_operator(sites=[site], can_see_others=False)
    client.force_login(colleague.user)

    response = send(client, dialog, django_capture_on_commit_callbacks)

    assert response.status_code == 403
    assert Export.objects.count() == 0


def test_retry_is_refused_to_others(client, make_operator, make_site, webhook, dialog):
    export = Export.objects.create(integration=webhook, dialog=dialog, status="failed")
    client.force_login(make_operator(sites=[make_site()]).user)

    assert client.post(reverse("crm:retry", args=[export.id])).status_code == 403
    export.refresh_from_db()
    assert export.status == Export.Status.FAILED


def test_a_login_without_operator_profile_is_refused(client, make_user, dialog):
    client.force_login(make_user())
    assert client.post(reverse("crm:send_dialog", args=[dialog.id])).status_code == 403


# --- Leads page ---------------------------------------------------------------------------


def test_send_a_lead_to_crm(
    alice_client, httpserver, webhook, make_lead, django_capture_on_commit_callbacks
):
    httpserver.expect_request("/hook").respond_with_json({})
    lead = make_lead()

    with django_capture_on_commit_callbacks(execute=True):
        response = alice_client.post(
            reverse("crm:send_lead", args=[lead.id]), {"next": "/console/leads/"}
        )

    assert response.status_code == 302
    assert response.url == "/console/leads/"
    export = Export.objects.get()
    assert (export.lead_id, export.dialog_id, export.status) == (lead.id, None, "sent")


def test_a_lead_of_another_account_is_refused(client, make_operator, make_site, webhook, make_lead):
    lead = make_lead()
    client.force_login(make_operator(sites=[make_site()]).user)

    assert client.post(reverse("crm:send_lead", args=[lead.id])).status_code == 403
    assert client.post(reverse("crm:send_lead", args=[999999])).status_code == 404
    assert Export.objects.count() == 0


def test_lead_templates_show_state_and_badges_with_one_query(
    rf, alice, webhook, make_lead, django_assert_num_queries
):
    from django.template import Context, Template

    sent, failed, untouched = make_lead(), make_lead(), make_lead()
    Export.objects.create(integration=webhook, lead=sent, status="sent")
    Export.objects.create(
        integration=webhook, lead=failed, status="failed", last_error="HTTP 500 boom"
    )
    template = Template(
        "{% load crm_tags %}{% lead_export_states leads as states %}"
        "{% for lead in leads %}[{% lead_export_badge states lead %}]{% endfor %}"
    )
    with django_assert_num_queries(1):
        html = template.render(Context({"leads": [sent, failed, untouched]}))
    sent_badge, failed_badge, untouched_badge = html.removeprefix("[").removesuffix("]").split("][")
    assert "crm-badge-sent" in sent_badge and "crm-badge-failed" not in sent_badge
    assert "crm-badge-failed" in failed_badge and "crm-badge-sent" not in failed_badge
    assert untouched_badge.strip() == ""  # never exported: no badge at all

    detail = Template("{% load crm_tags %}{% lead_exports lead %}")
    request = rf.get("/console/leads/1/")
    with django_assert_num_queries(1):
        html = detail.render(Context({"lead": failed, "request": request}))
    assert "Failed to send to Shop CRM: HTTP 500 boom" in html
    assert reverse("crm:send_lead", args=[failed.id]) in html


# --- query count ---------------------------------------------------------------------------


def test_the_dialog_page_costs_the_same_queries_with_exports(
    alice_client, webhook, make_integration, dialog
):
    with CaptureQueriesContext(connection) as without:
        page(alice_client, dialog)
    other = make_integration("webhook", name="Other")
    for status in ("sent", "failed", "queued"):
        Export.objects.create(integration=webhook, dialog=dialog, status=status)
        Export.objects.create(integration=other, dialog=dialog, status=status)
    with CaptureQueriesContext(connection) as with_exports:
        html = page(alice_client, dialog)
    assert len(with_exports) == len(without)
    # the newest export to each integration
    assert html.count('class="crm-export ') == 2


def test_closed_dialogs_can_be_sent_too(
    alice_client, httpserver, webhook, alice, dialog, django_capture_on_commit_callbacks
):
    httpserver.expect_request("/hook").respond_with_json({})
    lifecycle.end_dialog(operator=alice, dialog_id=dialog.id)
    html = page(alice_client, dialog)
    assert 'id="send-to-crm"' in html
    send(alice_client, dialog, django_capture_on_commit_callbacks)
    assert Export.objects.get().status == Export.Status.SENT


def test_the_panel_alone_for_a_page_that_missed_a_frame(
    alice_client, client, make_operator, make_site, webhook, dialog
):
    Export.objects.create(integration=webhook, dialog=dialog, status="sent")
    url = reverse("crm:dialog_exports", args=[dialog.id])

    response = alice_client.get(url)

    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith('<div class="crm-exports" id="crm-exports"')
    assert "Sent to Shop CRM" in html
    client.force_login(make_operator(sites=[make_site()]).user)
    assert client.get(url).status_code == 403
