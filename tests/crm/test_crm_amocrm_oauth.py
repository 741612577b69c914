"""amoCRM OAuth (issue 22, item 7): the authorization code exchanged when the admin saves
it, the access token refreshed before it expires and on a 401, single-use refresh tokens
spent once even by two workers at a time, and a refused refresh explained to the operator
and the admin. Against tests/crm/amocrm_server.py, a local server that behaves like amoCRM."""

import threading
import time

import pytest
from django.db import close_old_connections
from django.urls import reverse

from crm import services
from crm.models import Export, Integration
from crm.selectors import export_for_delivery
from tests.crm.amocrm_server import CLIENT_ID, CLIENT_SECRET, REDIRECT_URI, AmoCrmServer

pytestmark = pytest.mark.django_db


def deliver(export):
    return services.attempt_delivery(export_for_delivery(export.id))


@pytest.fixture
def amocrm(httpserver):
    return AmoCrmServer(httpserver)


def oauth_integration(make_integration, amocrm, *, expires_in=86400, **extra):
    pair = amocrm.issue(expires_in=expires_in)
    settings = amocrm.oauth_settings(
        access_token=pair["access_token"],
        refresh_token=pair["refresh_token"],
        expires_at=int(time.time()) + expires_in,
        **extra,
    )
    return make_integration("amocrm", settings=settings), pair


@pytest.fixture
def admin_client(client, django_user_model):
    admin = django_user_model.objects.create_superuser("root", "root@example.com", "pw-123456")
    client.force_login(admin)
    return client


def test_a_valid_token_is_used_without_a_refresh(make_integration, amocrm, dialog):
    integration, pair = oauth_integration(make_integration, amocrm)
    export = Export.objects.create(integration=integration, dialog=dialog)

    assert deliver(export) == services.SENT

    assert amocrm.lead_calls == [pair["access_token"]]
    assert amocrm.grants == []


def test_an_expired_token_is_refreshed_before_the_request(make_integration, amocrm, dialog):
    integration, old = oauth_integration(make_integration, amocrm, expires_in=-10)
    export = Export.objects.create(integration=integration, dialog=dialog)

    assert deliver(export) == services.SENT

    assert amocrm.grants == [
        {
            "client_id": CLIENT_ID,
            "client_secret": CLIENT_SECRET,
            "redirect_uri": REDIRECT_URI,
            "grant_type": "refresh_token",
            "refresh_token": old["refresh_token"],
        }
    ]
    integration.refresh_from_db()
    stored = integration.settings
    assert stored["access_token"] != old["access_token"]
    assert stored["refresh_token"] != old["refresh_token"]
    assert amocrm.lead_calls == [stored["access_token"]]
    assert abs(stored["expires_at"] - (time.time() + 86400)) < 60
    export.refresh_from_db()
    assert export.remote_id == "9001"


def test_a_401_refreshes_and_sends_again_once(make_integration, amocrm, dialog):
    integration, pair = oauth_integration(make_integration, amocrm)
    amocrm.revoke(pair["access_token"])  # valid by its date, yet refused
    export = Export.objects.create(integration=integration, dialog=dialog)

    assert deliver(export) == services.SENT

    integration.refresh_from_db()
    assert amocrm.lead_calls == [pair["access_token"], integration.settings["access_token"]]
    assert len(amocrm.grants) == 1
    export.refresh_from_db()
    assert (export.attempts, export.last_status_code) == (1, 200)


def test_a_refused_refresh_fails_with_a_clear_error(make_integration, amocrm, dialog, admin_client):
    integration, pair = oauth_integration(make_integration, amocrm, expires_in=-10)
    amocrm.refresh_tokens.clear()  # spent elsewhere, or older than three months
    export = Export.objects.create(integration=integration, dialog=dialog)

    assert deliver(export) == services.FAILED

    export.refresh_from_db()
    assert export.last_error.startswith(
        "amoCRM refused to renew the access token (HTTP 400: Token has been revoked)"
    )
    assert "authorise the integration again with a new authorization code" in export.last_error
    assert amocrm.lead_calls == []
    listing = admin_client.get(reverse("admin:crm_integration_changelist")).content.decode()
    assert "amoCRM refused to renew the access token" in listing


def test_an_unavailable_token_endpoint_is_retried(make_integration, amocrm, dialog):
    integration, pair = oauth_integration(make_integration, amocrm, expires_in=-10)
    amocrm.token_status = 503
    export = Export.objects.create(integration=integration, dialog=dialog)

    assert deliver(export) == services.RETRY

    export.refresh_from_db()
    assert export.status == Export.Status.QUEUED
    integration.refresh_from_db()
    assert integration.settings["refresh_token"] == pair["refresh_token"]  # not spent


def test_a_long_lived_token_still_works(make_integration, amocrm, dialog):
    pair = amocrm.issue()
    integration = make_integration(
        "amocrm", settings={"base_url": amocrm.url, "token": pair["access_token"]}
    )
    export = Export.objects.create(integration=integration, dialog=dialog)

    assert deliver(export) == services.SENT
    assert amocrm.lead_calls == [pair["access_token"]]


@pytest.mark.django_db(transaction=True)
def test_two_workers_spend_the_single_use_refresh_token_once(
    make_integration, httpserver, make_dialog, site
):
    amocrm = AmoCrmServer(httpserver, refresh_delay=0.5)
    integration, _ = oauth_integration(make_integration, amocrm, expires_in=-10)
    exports = [
        Export.objects.create(integration=integration, dialog=make_dialog(site, operator=None))
        for _ in range(2)
    ]
    start = threading.Barrier(2)
    outcomes = {}

    def worker(export):
        try:
            start.wait(timeout=30)
            outcomes[export.id] = deliver(export)
        finally:
            close_old_connections()

    threads = [threading.Thread(target=worker, args=(export,)) for export in exports]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert list(outcomes.values()) == [services.SENT, services.SENT], [
        Export.objects.get(pk=e.id).last_error for e in exports
    ]
    assert len(amocrm.grants) == 1
    integration.refresh_from_db()
    assert set(amocrm.lead_calls) == {integration.settings["access_token"]}


# --- the first token: the admin pastes the authorization code ------------------------------


def add_amocrm(admin_client, site, settings_json):
    return admin_client.post(
        reverse("admin:crm_integration_add"),
        {"account": site.account_id, "name": "amo", "kind": "amocrm", "settings": settings_json},
    )


def test_the_pasted_code_is_exchanged_for_the_first_pair(admin_client, site, amocrm):
    typed = (
        f'{{"base_url": "{amocrm.url}", "client_id": "{CLIENT_ID}", '
        f'"client_secret": "{CLIENT_SECRET}", "redirect_uri": "{REDIRECT_URI}", '
        '"authorization_code": "def502-first-code"}'
    )

    response = add_amocrm(admin_client, site, typed)

    assert response.status_code == 302
    assert amocrm.grants[0]["grant_type"] == "authorization_code"
    assert amocrm.grants[0]["code"] == "def502-first-code"
    stored = Integration.objects.get().settings
    assert "authorization_code" not in stored
    assert stored["access_token"] in amocrm.access_tokens
    assert stored["refresh_token"] in amocrm.refresh_tokens
    assert stored["expires_at"] > time.time() + 86000
    listing = admin_client.get(reverse("admin:crm_integration_changelist")).content.decode()
    assert "renewed automatically" in listing


def test_a_spent_code_is_refused_on_the_form(admin_client, site, amocrm):
    amocrm.codes.clear()
    typed = (
        f'{{"base_url": "{amocrm.url}", "client_id": "{CLIENT_ID}", '
        f'"client_secret": "{CLIENT_SECRET}", "redirect_uri": "{REDIRECT_URI}", '
        '"authorization_code": "def502-first-code"}'
    )

    response = add_amocrm(admin_client, site, typed)

    assert response.status_code == 200
    html = response.content.decode()
    assert "amoCRM refused the authorization code (HTTP 400: Authorization code has expired)" in (
        html
    )
    assert not Integration.objects.exists()


def test_oauth_without_a_code_or_token_is_refused_on_the_form(admin_client, site, amocrm):
    typed = f'{{"base_url": "{amocrm.url}", "client_id": "{CLIENT_ID}"}}'

    response = add_amocrm(admin_client, site, typed)

    assert response.status_code == 200
    assert "amoCRM OAuth needs the settings" in response.content.decode()


def test_saving_an_old_page_keeps_the_pair_a_worker_refreshed(
    admin_client, make_integration, amocrm, dialog
):
    integration, old = oauth_integration(make_integration, amocrm, expires_in=-10)
    url = reverse("admin:crm_integration_change", args=[integration.id])
    form = admin_client.get(url).context["adminform"].form
    shown = form["settings"].value()
    # Meanwhile a worker refreshes (spending the refresh token shown on the page).
    export = Export.objects.create(integration=integration, dialog=dialog)
    assert deliver(export) == services.SENT
    integration.refresh_from_db()
    fresh = dict(integration.settings)

    response = admin_client.post(
        url,
        {
            "account": integration.account_id,
            "name": "Renamed",
            "kind": "amocrm",
            "settings": shown,
            "initial-settings": shown,
            "is_active": "on",
        },
    )

    assert response.status_code == 302
    integration.refresh_from_db()
    assert integration.name == "Renamed"
    assert integration.settings["refresh_token"] == fresh["refresh_token"] != old["refresh_token"]
    assert integration.settings["access_token"] == fresh["access_token"]
