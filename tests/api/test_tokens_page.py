"""The console's Access tokens page: create (the secret shown once), list, revoke; a token
works on the API until it is revoked."""

import pytest
from django.urls import reverse

from api.models import AccessToken

pytestmark = pytest.mark.django_db


def test_create_shows_the_token_once_and_keeps_only_its_hash(alice_client, client):
    response = alice_client.post(reverse("tokens:list"), {"name": "  Phone   app "})
    assert response.status_code == 201
    secret = response.context["new_token"]["secret"]
    assert secret.startswith("lcpat_") and secret in response.content.decode()
    token = AccessToken.objects.get()
    assert token.name == "Phone app"
    assert secret not in (token.token_hash, token.hint) and len(token.token_hash) == 64
    again = alice_client.get(reverse("tokens:list")).content.decode()
    assert secret not in again and "Phone app" in again and "never used" in again

    api = client.get(reverse("api:me"), HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert api.status_code == 200
    listed = alice_client.get(reverse("tokens:list")).content.decode()
    assert "never used" not in listed


def test_a_token_needs_a_name(alice_client):
    response = alice_client.post(reverse("tokens:list"), {"name": "   "})
    assert response.status_code == 400
    assert "Name the token" in response.content.decode()
    assert not AccessToken.objects.exists()


def test_revoked_tokens_open_nothing(alice_client, client):
    secret = alice_client.post(reverse("tokens:list"), {"name": "CRM"}).context["new_token"][
        "secret"
    ]
    token = AccessToken.objects.get()
    response = alice_client.post(reverse("tokens:revoke", args=[token.id]))
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert client.get(reverse("api:me"), HTTP_AUTHORIZATION=f"Bearer {secret}").status_code == 401
    assert "revoked" in alice_client.get(reverse("tokens:list")).content.decode()


def test_another_operators_token_cannot_be_revoked(alice_client, make_operator, site):
    from api import tokens

    bob = make_operator(sites=[site], account=site.account)
    token, _secret = tokens.create_token(operator=bob, name="Bob's")
    response = alice_client.post(reverse("tokens:revoke", args=[token.id]))
    assert response.status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None
    assert "Bob&#x27;s" not in alice_client.get(reverse("tokens:list")).content.decode()


def test_the_page_in_russian(alice_client, alice):
    alice.language = "ru"
    alice.save()
    page = alice_client.get(reverse("tokens:list")).content.decode()
    assert "Токены доступа" in page and "Создать токен" in page


def test_the_operator_menu_links_the_page(alice_client):
    assert reverse("tokens:list") in alice_client.get(reverse("console:mine")).content.decode()
