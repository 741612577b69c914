"""The widget's form endpoints: what is stored, what is refused and with which message."""

import pytest

from chat.models import BlockedIP, Visitor
from leads.models import Lead
from leads.phones import normalise

pytestmark = pytest.mark.django_db

OFFLINE = {
    "name": "Ivan",
    "email": "ivan@example.com",
    "phone": "",
    "message": "Do you deliver to Kazan?",
    "website": "",
    "page_url": "https://shop.example/delivery",
}


def test_the_offline_form_is_stored_and_confirmed(client, post_form, site, visitor):
    response = post_form(client, site, visitor, **OFFLINE)

    assert response.status_code == 200
    assert response.json() == {"ok": True}
    lead = Lead.objects.get()
    assert (lead.source, lead.site, lead.account, lead.visitor) == (
        "offline_form",
        site,
        site.account,
        visitor,
    )
    assert (lead.name, lead.email, lead.message) == ("Ivan", "ivan@example.com", OFFLINE["message"])
    assert (lead.page_url, lead.ip, lead.dialog) == (
        "https://shop.example/delivery",
        "127.0.0.1",
        None,
    )
    visitor.refresh_from_db()
    assert (visitor.name, visitor.email) == ("Ivan", "ivan@example.com")  # known next time


@pytest.mark.parametrize(
    ("change", "field", "text"),
    [
        ({"email": "", "phone": ""}, "email", "Leave an email or a phone number"),
        ({"email": "ivan@"}, "email", "Enter a valid email address"),
        ({"email": "", "phone": "12345"}, "phone", "Enter a valid phone number"),
        ({"name": "   "}, "name", "Enter your name."),
        ({"message": ""}, "message", "Write your message."),
        ({"message": "x" * 4001}, "message", "The message is too long"),
        ({"name": "N" * 201}, "name", "The name is too long"),
    ],
    ids=[
        "no-contact",
        "bad-email",
        "bad-phone",
        "no-name",
        "no-message",
        "long-message",
        "long-name",
    ],
)
def test_invalid_offline_forms_get_clear_messages_per_field(
    client, post_form, site, visitor, change, field, text
):
    response = post_form(client, site, visitor, **{**OFFLINE, **change})

    assert response.status_code == 400
    errors = response.json()["errors"]
    assert list(errors) == [field]
    assert text in errors[field][0]
    assert not Lead.objects.exists()


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("+7 (912) 345-67-89", "+79123456789"),
        ("8 912 345 67 89", "+79123456789"),
        ("912 345-67-89", "+79123456789"),
        ("+44 20 7946 0958", "+442079460958"),
    ],
)
def test_phone_numbers_are_stored_in_e164(client, post_form, site, visitor, typed, stored):
    response = post_form(client, site, visitor, **{**OFFLINE, "email": "", "phone": typed})

    assert response.status_code == 200
    assert Lead.objects.get().phone == stored


def test_the_default_phone_region_is_a_setting(settings):
    settings.LEADS_DEFAULT_PHONE_REGION = "GB"
    assert normalise("020 7946 0958") == "+442079460958"


def test_the_honeypot_is_answered_like_success_and_stores_nothing(client, post_form, site, visitor):
    response = post_form(client, site, visitor, **{**OFFLINE, "website": "http://spam.example"})

    assert response.status_code == 200
    assert response.json() == {"ok": True}
    assert not Lead.objects.exists()
    visitor.refresh_from_db()
    assert visitor.name == ""


def test_too_many_forms_from_one_address_are_refused(
    client, post_form, site, visitor, settings, make_site
):
    settings.LEADS_RATE_LIMIT = 3
    for _ in range(3):
        assert post_form(client, site, visitor, **OFFLINE).status_code == 200

    response = post_form(client, site, visitor, **OFFLINE)

    assert response.status_code == 429
    assert "too many forms" in response.json()["detail"]
    assert Lead.objects.count() == 3
    # The limit is the address's: another visitor there is refused too; another address,
    # or the same address on another site, is not.
    other = Visitor.objects.create(site=site, animal="red-cat")
    assert post_form(client, site, other, **OFFLINE).status_code == 429
    assert post_form(client, site, other, ip="203.0.113.9", **OFFLINE).status_code == 200
    elsewhere = make_site(account=site.account)
    stranger = Visitor.objects.create(site=elsewhere, animal="red-cat")
    assert post_form(client, elsewhere, stranger, **OFFLINE).status_code == 200


def test_robots_use_up_the_rate_limit_too(client, post_form, site, visitor, settings):
    settings.LEADS_RATE_LIMIT = 2
    spam = {**OFFLINE, "website": "x"}
    assert post_form(client, site, visitor, **spam).status_code == 200
    assert post_form(client, site, visitor, **spam).status_code == 200
    assert post_form(client, site, visitor, **spam).status_code == 429


def test_invalid_forms_do_not_use_up_the_rate_limit(client, post_form, site, visitor, settings):
    settings.LEADS_RATE_LIMIT = 1
    for _ in range(3):
        assert post_form(client, site, visitor, **{**OFFLINE, "email": "bad"}).status_code == 400
    assert post_form(client, site, visitor, **OFFLINE).status_code == 200


def test_a_blocked_address_is_refused(client, post_form, site, visitor):
    BlockedIP.objects.create(account=site.account, network="127.0.0.0/8")

    for kind in ("lead", "introduce"):
        response = post_form(client, site, visitor, kind=kind, **OFFLINE)
        assert response.status_code == 403
    assert not Lead.objects.exists()


@pytest.mark.parametrize("token", ["", "no-such-token"])
def test_an_unknown_token_is_refused(client, post_form, site, visitor, token):
    for kind in ("lead", "introduce"):
        response = post_form(client, site, visitor, kind=kind, token=token, **OFFLINE)
        assert response.status_code == 403
        assert "Unknown visitor token" in response.json()["detail"]
    assert not Lead.objects.exists()


def test_a_token_of_another_site_is_refused(client, post_form, site, visitor, make_site):
    other = make_site(account=site.account)
    response = post_form(client, other, visitor, **OFFLINE)
    assert response.status_code == 403


def test_only_post_is_accepted(client, post_form, site):
    assert client.get(f"/widget/{site.widget_key}/lead/").status_code == 405


def test_bad_json_and_non_string_values(client, post_form, site, visitor):
    response = client.post(
        f"/widget/{site.widget_key}/lead/",
        data="{not json",
        content_type="application/json",
        headers={"X-Visitor-Token": visitor.token},
    )
    assert response.status_code == 400
    assert response.json()["code"] == "bad_json"
    response = post_form(client, site, visitor, **{**OFFLINE, "name": ["Ivan"]})
    assert response.status_code == 400
    assert "name" in response.json()["errors"]


def test_a_page_that_is_not_http_is_not_kept(client, post_form, site, visitor):
    post_form(client, site, visitor, **{**OFFLINE, "page_url": "javascript:alert(1)"})
    assert Lead.objects.get().page_url == ""


def test_introduce_needs_at_least_one_field(client, post_form, site, visitor):
    response = post_form(client, site, visitor, kind="introduce", name="", email="", phone="")

    assert response.status_code == 400
    assert response.json()["errors"] == {"name": ["Fill in at least one field."]}


def test_introduce_fills_only_the_fields_given(client, post_form, site):
    known = Visitor.objects.create(site=site, animal="blue-fox", email="old@example.com")

    response = post_form(
        client, site, known, kind="introduce", name="Ivan", phone="8 912 345 67 89"
    )

    assert response.status_code == 200
    known.refresh_from_db()
    assert (known.name, known.email, known.phone) == ("Ivan", "old@example.com", "+79123456789")
    lead = Lead.objects.get()
    assert (lead.source, lead.name, lead.email, lead.phone) == (
        "introduce",
        "Ivan",
        "",
        "+79123456789",
    )
