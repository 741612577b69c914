"""The forms' rate limit counts per visitor as well as per address (chat/messaging/ratelimit.py)."""

import pytest

from chat.messaging import ratelimit
from leads.models import Lead

pytestmark = pytest.mark.django_db

OFFLINE = {"name": "Ivan", "email": "ivan@example.com", "message": "Call me", "website": ""}


def test_a_visitor_changing_addresses_is_still_limited(
    client, post_form, site, visitor, settings, monkeypatch
):
    monkeypatch.setattr(ratelimit, "clock", lambda: 1_800_000_000.0 + 100)  # 500 s left of 600
    settings.LEADS_RATE_LIMIT = 100
    settings.LEADS_RATE_LIMIT_PER_VISITOR = 2
    assert post_form(client, site, visitor, ip="203.0.113.1", **OFFLINE).status_code == 200
    assert (
        post_form(client, site, visitor, kind="introduce", ip="203.0.113.2", **OFFLINE).status_code
        == 200
    )

    response = post_form(client, site, visitor, ip="203.0.113.3", **OFFLINE)

    assert response.status_code == 429
    assert response.json()["code"] == "rate_limited"
    assert "too many forms" in response.json()["detail"]
    assert response.json()["retry_after"] == 500
    assert Lead.objects.count() == 2
    monkeypatch.setattr(ratelimit, "clock", lambda: 1_800_000_000.0 + 600)
    assert post_form(client, site, visitor, ip="203.0.113.3", **OFFLINE).status_code == 200


def test_a_sender_out_of_forms_is_told_to_wait_before_his_form_is_read(
    client, post_form, site, visitor, settings, monkeypatch
):
    """The limit is checked before the form: his first form goes through, and once his
    forms are used up even a form with a mistake gets "try again later", not its errors."""
    monkeypatch.setattr(ratelimit, "clock", lambda: 1_800_000_000.0 + 100)
    settings.LEADS_RATE_LIMIT = 100
    settings.LEADS_RATE_LIMIT_PER_VISITOR = 1
    assert post_form(client, site, visitor, ip="203.0.113.1", **OFFLINE).status_code == 200

    mistaken = {**OFFLINE, "email": "not an address"}
    response = post_form(client, site, visitor, ip="203.0.113.1", **mistaken)

    assert response.status_code == 429
    assert "too many forms" in response.json()["detail"]
    assert response.json()["retry_after"] == 500
    monkeypatch.setattr(ratelimit, "clock", lambda: 1_800_000_000.0 + 600)
    response = post_form(client, site, visitor, ip="203.0.113.1", **mistaken)
    assert response.status_code == 400
    assert "email" in response.json()["errors"]
