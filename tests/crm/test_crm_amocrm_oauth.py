"""amoCRM OAuth (issue 22, item 7): the authorization code exchanged when the admin saves
it, the access token refreshed before it expires and on a 401, single-use refresh tokens
spent once even by two workers at a time, and a refused refresh explained to the operator
and the admin. Against tests/crm/amocrm_server.py: the local amoCRM of the exactly-once
tests (tests/crm/fake_crm.py) with OAuth, so every call of an export (field setup,
searches, the lead with its contact, the note) must carry a token the server issued."""

import threading
import time

import pytest
from django.db import close_old_connections
from django.urls import reverse

from crm import delivery
from crm.connectors import Http, TemporaryError
from crm.connectors.amocrm import AmoCrmConnector
from crm.models import Export, Integration
from crm.selectors import export_for_delivery
from tests.crm.amocrm_server import CLIENT_ID, CLIENT_SECRET, REDIRECT_URI, AmoCrmServer
from tests.crm.fake_crm import ERROR_AFTER_SAVE

pytestmark = pytest.mark.django_db


def deliver(export):
    return delivery.attempt_delivery(export_for_delivery(export.id))


@pytest.fixture
def amocrm():
    server = AmoCrmServer().start()
    yield server
    server.stop()


def the_only_lead(amocrm) -> str:
    assert len(amocrm.leads) == 1, amocrm.leads
    return str(next(iter(amocrm.leads)))


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

    assert deliver(export) == delivery.SENT

    assert set(amocrm.api_tokens) == {pair["access_token"]}
    assert len(amocrm.api_tokens) > 3  # field setup, searches, the lead, the note
    assert amocrm.grants == []


def test_an_expired_token_is_refreshed_before_the_request(make_integration, amocrm, dialog):
    integration, old = oauth_integration(make_integration, amocrm, expires_in=-10)
    export = Export.objects.create(integration=integration, dialog=dialog)

    assert deliver(export) == delivery.SENT

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
    assert set(amocrm.api_tokens) == {stored["access_token"]}
    assert abs(stored["expires_at"] - (time.time() + 86400)) < 60
    export.refresh_from_db()
    assert export.remote_id == the_only_lead(amocrm)


def test_a_retry_after_the_token_expired_refreshes_and_keeps_one_lead(
    make_integration, amocrm, dialog
):
    """The lead is saved but its answer lost (500); by the next attempt the access token has
    expired: that attempt refreshes it first, finds the lead by its key and adds the note,
    so the CRM holds one lead, one contact and one note."""
    integration, old = oauth_integration(make_integration, amocrm)
    amocrm.fail("POST /api/v4/leads/complex", ERROR_AFTER_SAVE)
    export = Export.objects.create(integration=integration, dialog=dialog)

    assert deliver(export) == delivery.RETRY
    assert len(amocrm.leads) == 1
    settings = {**Integration.objects.get(pk=integration.pk).settings}
    settings["expires_at"] = int(time.time()) - 10
    Integration.objects.filter(pk=integration.pk).update(settings=settings)
    amocrm.revoke(old["access_token"])
    assert deliver(export) == delivery.SENT

    export.refresh_from_db()
    assert export.status == Export.Status.SENT
    assert export.remote_id == the_only_lead(amocrm)
    assert len(amocrm.contacts) == 1
    assert len(amocrm.notes[int(export.remote_id)]) == 1
    assert [grant["grant_type"] for grant in amocrm.grants] == ["refresh_token"]
    new = Integration.objects.get(pk=integration.pk).settings["access_token"]
    first_attempt = amocrm.api_tokens[: amocrm.api_tokens.index(new)]
    assert set(first_attempt) == {old["access_token"]}
    assert set(amocrm.api_tokens[len(first_attempt) :]) == {new}  # no 401 on the way


def test_a_401_refreshes_and_sends_again_once(make_integration, amocrm, dialog):
    integration, pair = oauth_integration(make_integration, amocrm)
    amocrm.revoke(pair["access_token"])  # valid by its date, yet refused
    export = Export.objects.create(integration=integration, dialog=dialog)

    assert deliver(export) == delivery.SENT

    integration.refresh_from_db()
    new = integration.settings["access_token"]
    assert amocrm.api_tokens[:2] == [pair["access_token"], new]  # refused, then sent again
    assert set(amocrm.api_tokens[1:]) == {new}
    assert len(amocrm.grants) == 1
    export.refresh_from_db()
    assert export.remote_id == the_only_lead(amocrm)
    export.refresh_from_db()
    assert (export.attempts, export.last_status_code) == (1, 200)


def test_a_refused_refresh_fails_with_a_clear_error(make_integration, amocrm, dialog, admin_client):
    integration, pair = oauth_integration(make_integration, amocrm, expires_in=-10)
    amocrm.refresh_tokens.clear()  # spent elsewhere, or older than three months
    export = Export.objects.create(integration=integration, dialog=dialog)

    assert deliver(export) == delivery.FAILED

    export.refresh_from_db()
    assert export.last_error.startswith(
        "amoCRM refused to renew the access token (HTTP 400: Token has been revoked)"
    )
    assert "authorise the integration again with a new authorization code" in export.last_error
    assert amocrm.api_tokens == []
    listing = admin_client.get(reverse("admin:crm_integration_changelist")).content.decode()
    assert "amoCRM refused to renew the access token" in listing


def test_an_unavailable_token_endpoint_is_retried(make_integration, amocrm, dialog):
    integration, pair = oauth_integration(make_integration, amocrm, expires_in=-10)
    amocrm.token_status = 503
    export = Export.objects.create(integration=integration, dialog=dialog)

    assert deliver(export) == delivery.RETRY

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

    assert deliver(export) == delivery.SENT
    assert set(amocrm.api_tokens) == {pair["access_token"]}
    the_only_lead(amocrm)


@pytest.mark.django_db(transaction=True)
def test_two_workers_spend_the_single_use_refresh_token_once(make_integration, make_dialog, site):
    amocrm = AmoCrmServer(refresh_delay=0.5).start()
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
    amocrm.stop()

    assert list(outcomes.values()) == [delivery.SENT, delivery.SENT], [
        Export.objects.get(pk=e.id).last_error for e in exports
    ]
    assert len(amocrm.grants) == 1
    integration.refresh_from_db()
    assert set(amocrm.api_tokens) == {integration.settings["access_token"]}


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
    assert deliver(export) == delivery.SENT
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


def test_an_oauth_call_starts_only_with_time_for_its_refreshes_within_the_lease(
    make_integration, amocrm, dialog, settings
):
    """A call that may refresh, send, refresh after a 401 and re-send needs four timeouts
    before the lease ends; with less left the attempt stops and goes on later, so no
    request of it can still be running when another sender may take the export."""
    settings.CRM_HTTP_TIMEOUT_SECONDS = 25
    integration, _ = oauth_integration(make_integration, amocrm, expires_in=-10)
    oauth = AmoCrmConnector(integration.settings, integration_id=integration.pk)
    long_lived = AmoCrmConnector({"base_url": amocrm.url, "token": amocrm.issue()["access_token"]})
    path = "/api/v4/leads/custom_fields"

    with pytest.raises(TemporaryError):
        Http(oauth, timeout=25, deadline=time.monotonic() + 60).send(oauth.request("GET", path))
    assert amocrm.grants == [] and amocrm.api_tokens == []

    Http(long_lived, timeout=25, deadline=time.monotonic() + 60).send(
        long_lived.request("GET", path)
    )
    Http(oauth, timeout=25, deadline=time.monotonic() + 110).send(oauth.request("GET", path))
    assert len(amocrm.grants) == 1 and len(amocrm.api_tokens) == 2
