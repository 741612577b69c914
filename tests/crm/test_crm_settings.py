"""Integration settings (issue 22, item 6): Bitrix24 and amoCRM only over HTTPS, refused
when the admin saves them and again before a request; a Bitrix24 webhook URL pasted with a
method at its end is cut back to the webhook; the signed webhook keeps http to localhost."""

import pytest
from django.urls import reverse

from crm import delivery
from crm.models import Export, Integration
from crm.selectors import export_for_delivery

pytestmark = pytest.mark.django_db

HTTPS_REFUSED = "must start with https://"


@pytest.fixture
def admin_client(client, django_user_model):
    admin = django_user_model.objects.create_superuser("root", "root@example.com", "pw-123456")
    client.force_login(admin)
    return client


def add_integration(admin_client, site, kind, settings, **headers):
    return admin_client.post(
        reverse("admin:crm_integration_add"),
        {
            "account": site.account_id,
            "name": f"My {kind}",
            "kind": kind,
            "settings": settings,
            "is_active": "on",
        },
        **headers,
    )


@pytest.mark.parametrize(
    ("kind", "typed"),
    [
        ("bitrix24", '{"webhook_url": "http://shop.bitrix24.ru/rest/1/abc123/"}'),
        ("amocrm", '{"base_url": "http://shop.amocrm.ru", "token": "t"}'),
        ("webhook", '{"url": "http://crm.example.com/hook", "secret": "0123456789abcdef"}'),
    ],
)
def test_plain_http_is_refused_when_saving(admin_client, site, kind, typed):
    response = add_integration(admin_client, site, kind, typed)

    assert response.status_code == 200
    assert HTTPS_REFUSED in response.content.decode()
    assert not Integration.objects.exists()


def test_the_refusal_is_in_russian_for_a_russian_admin(admin_client, site):
    typed = '{"webhook_url": "http://shop.bitrix24.ru/rest/1/abc123/"}'
    response = add_integration(admin_client, site, "bitrix24", typed, HTTP_ACCEPT_LANGUAGE="ru")

    html = response.content.decode()
    assert "URL вебхука Битрикс24 должен начинаться с https://" in html
    assert not Integration.objects.exists()


def test_a_bitrix24_url_with_a_method_is_saved_as_the_webhook(admin_client, site):
    typed = '{"webhook_url": " https://shop.bitrix24.ru/rest/1/abc123/crm.lead.add.json?x=1 "}'

    response = add_integration(admin_client, site, "bitrix24", typed)

    assert response.status_code == 302
    integration = Integration.objects.get()
    assert integration.settings == {"webhook_url": "https://shop.bitrix24.ru/rest/1/abc123/"}


@pytest.mark.parametrize(
    "url",
    [
        "https://shop.bitrix24.ru/",
        "https://shop.bitrix24.ru/crm/lead/list/",
        "https://shop.bitrix24.ru/rest/abc123/",
    ],
)
def test_a_url_that_is_no_bitrix24_webhook_is_refused_with_an_example(admin_client, site, url):
    response = add_integration(admin_client, site, "bitrix24", f'{{"webhook_url": "{url}"}}')

    assert response.status_code == 200
    assert "https://your-portal.bitrix24.ru/rest/1/abc123xyz/" in response.content.decode()
    assert not Integration.objects.exists()


def test_an_amocrm_address_with_a_page_path_is_saved_as_the_account(admin_client, site):
    typed = '{"base_url": "https://shop.amocrm.ru/leads/pipeline/", "token": "t"}'

    assert add_integration(admin_client, site, "amocrm", typed).status_code == 302

    assert Integration.objects.get().settings["base_url"] == "https://shop.amocrm.ru"


def test_the_demo_webhook_to_localhost_may_stay_http(admin_client, site):
    typed = '{"url": "http://127.0.0.1:8000/crm/demo-receiver/", "secret": "demo-webhook-secret"}'

    assert add_integration(admin_client, site, "webhook", typed).status_code == 302

    assert Integration.objects.get().settings["url"] == "http://127.0.0.1:8000/crm/demo-receiver/"


# --- before each request: rows saved before these rules ----------------------------------


def deliver(export):
    return delivery.attempt_delivery(export_for_delivery(export.id))


def test_an_http_bitrix24_url_already_saved_fails_without_a_request(
    httpserver, make_integration, dialog
):
    integration = make_integration(
        "bitrix24", settings={"webhook_url": "http://shop.bitrix24.ru/rest/1/abc123/"}
    )
    export = Export.objects.create(integration=integration, dialog=dialog)

    assert deliver(export) == delivery.FAILED

    export.refresh_from_db()
    assert export.last_error.startswith("The Bitrix24 webhook URL must start with https://")
    assert export.last_status_code is None


def test_a_bitrix24_url_saved_with_its_method_still_creates_the_lead(
    bitrix24, make_integration, dialog
):
    """Every call of the export (the lead search, the contact search, the contact, the
    lead) goes to the normalised webhook, not under the pasted method."""
    pasted = bitrix24.webhook_url + "crm.lead.add.json"
    integration = make_integration("bitrix24", settings={"webhook_url": pasted})
    export = Export.objects.create(integration=integration, dialog=dialog)

    assert deliver(export) == delivery.SENT

    assert [method for method, _ in bitrix24.calls][0] == "crm.lead.list"
    assert [method for method, _ in bitrix24.calls][-1] == "crm.lead.add"
    assert len(bitrix24.leads) == 1


@pytest.mark.parametrize(
    ("secret", "refusal"),
    [
        ("short", '"secret" is too short'),
        ("whsec_not*base64!", "A whsec_ secret must be followed by base64"),
        ("whsec_c2hvcnQ=", "A whsec_ secret must hold 24 to 64 bytes (it holds 5)"),
    ],
)
def test_weak_or_malformed_webhook_secrets_are_refused(admin_client, site, secret, refusal):
    typed = f'{{"url": "https://crm.example.com/hook", "secret": "{secret}"}}'

    response = add_integration(admin_client, site, "webhook", typed)

    assert response.status_code == 200
    assert refusal in response.content.decode().replace("&quot;", '"')
    assert not Integration.objects.exists()


def change_integration(admin_client, integration, settings_json):
    url = reverse("admin:crm_integration_change", args=[integration.id])
    shown = admin_client.get(url).context["adminform"].form["settings"].value()
    return admin_client.post(
        url,
        {
            "account": integration.account_id,
            "name": integration.name,
            "kind": integration.kind,
            "settings": settings_json,
            "initial-settings": shown,
            "is_active": "on",
        },
    )


def test_pointing_amocrm_at_another_account_forgets_its_key_field(admin_client, make_integration):
    """The key field the delivery made lives in the old account: in the new one a lead
    naming its id would be refused, so the next export finds or makes the field there."""
    integration = make_integration(
        "amocrm",
        settings={"base_url": "https://old.amocrm.ru", "token": "long-lived-token"},
        remote_setup={"key_field_id": 501},
    )

    moved = '{"base_url": "https://new.amocrm.ru", "token": "long-lived-token"}'
    assert change_integration(admin_client, integration, moved).status_code == 302
    integration.refresh_from_db()
    assert integration.remote_setup == {}


def test_editing_amocrm_on_the_same_account_keeps_its_key_field(admin_client, make_integration):
    integration = make_integration(
        "amocrm",
        settings={"base_url": "https://old.amocrm.ru", "token": "long-lived-token"},
    )
    url = reverse("admin:crm_integration_change", args=[integration.id])
    admin_client.get(url)
    # A worker made the key field while the page was open.
    Integration.objects.filter(pk=integration.pk).update(remote_setup={"key_field_id": 501})

    same = '{"base_url": "https://old.amocrm.ru/leads/pipeline/", "token": "new-token"}'
    assert change_integration(admin_client, integration, same).status_code == 302
    integration.refresh_from_db()
    assert integration.remote_setup == {"key_field_id": 501}
    assert integration.settings["token"] == "new-token"
