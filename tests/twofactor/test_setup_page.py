"""The "Two-factor sign-in" page: turn it on with the app's code, recovery codes shown once
(and as a text file), new codes, turn it off with a code."""

import re

import pytest
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from twofactor_helpers import app_code, sign_in

pytestmark = pytest.mark.django_db
PAGE = reverse("twofactor:security")


@pytest.fixture
def client_of(vera):
    client = Client()
    sign_in(client, "vera")
    return client


def codes_on(page: str) -> list[str]:
    return re.findall(r"<li><code>([a-z2-7]{8})</code></li>", page)


def test_the_page_shows_a_qr_code_and_the_key(client_of, vera):
    page = client_of.get(PAGE).content.decode()
    assert "<svg" in page and "<path" in page
    assert "style=" not in page.split("<svg", 1)[1].split("</svg>", 1)[0]  # CSP: no inline style
    device = TOTPDevice.objects.get(user=vera.user, confirmed=False)
    assert reverse("twofactor:confirm") in page
    from base64 import b32encode

    assert b32encode(device.bin_key).decode() in page
    # Reloading keeps the same key: a code already scanned still works.
    client_of.get(PAGE)
    assert TOTPDevice.objects.filter(user=vera.user).count() == 1


def test_turning_on_with_a_wrong_code_is_refused(client_of, vera):
    client_of.get(PAGE)
    wrong = "000000" if app_code(vera.user) != "000000" else "111111"
    response = client_of.post(reverse("twofactor:confirm"), {"code": wrong})
    assert response.status_code == 400
    assert "That code is not right" in response.content.decode()
    assert not TOTPDevice.objects.filter(user=vera.user, confirmed=True).exists()


def test_turning_on_shows_ten_recovery_codes_once(client_of, vera):
    client_of.get(PAGE)
    response = client_of.post(reverse("twofactor:confirm"), {"code": app_code(vera.user)})
    assert response.status_code == 302
    page = client_of.get(PAGE).content.decode()
    assert "Two-factor sign-in is on." in page
    codes = codes_on(page)
    assert len(codes) == 10
    assert sorted(codes) == sorted(StaticToken.objects.values_list("token", flat=True))
    download = client_of.get(reverse("twofactor:codes_file"))
    assert download["Content-Disposition"] == 'attachment; filename="recovery-codes.txt"'
    assert all(code in download.content.decode() for code in codes)
    # Shown once: the next view of the page has none, nor the download.
    assert codes_on(client_of.get(PAGE).content.decode()) == []
    assert client_of.get(reverse("twofactor:codes_file")).status_code == 302
    # This session stays signed in; the console opens.
    assert client_of.get("/console/").status_code == 200


def test_turning_on_asks_the_other_signed_in_browsers_for_the_code(client_of, vera):
    other = Client()
    sign_in(other, "vera")
    assert other.get("/console/").status_code == 200
    client_of.get(PAGE)
    client_of.post(reverse("twofactor:confirm"), {"code": app_code(vera.user)})
    response = other.get("/console/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("twofactor:verify"))


def test_new_recovery_codes_replace_the_old(client_of, vera):
    client_of.get(PAGE)
    client_of.post(reverse("twofactor:confirm"), {"code": app_code(vera.user)})
    old = codes_on(client_of.get(PAGE).content.decode())
    client_of.post(reverse("twofactor:regenerate"))
    new = codes_on(client_of.get(PAGE).content.decode())
    assert len(new) == 10 and not set(new) & set(old)
    other = Client()
    sign_in(other, "vera")
    assert other.post(reverse("twofactor:verify"), {"code": old[0]}).status_code == 400
    assert other.post(reverse("twofactor:verify"), {"code": new[0]}).status_code == 302


def test_turning_off_needs_a_code(client_of, vera):
    client_of.get(PAGE)
    client_of.post(reverse("twofactor:confirm"), {"code": app_code(vera.user)})
    wrong = "000000" if app_code(vera.user) != "000000" else "111111"
    response = client_of.post(reverse("twofactor:turn_off"), {"code": wrong})
    assert response.status_code == 400
    assert TOTPDevice.objects.filter(user=vera.user, confirmed=True).exists()
    response = client_of.post(
        reverse("twofactor:turn_off"), {"code": app_code(vera.user, later=True)}
    )
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=vera.user).exists()
    assert not StaticToken.objects.exists()
    other = Client()
    sign_in(other, "vera")
    assert other.get("/console/").status_code == 200  # the password alone again


def test_the_menu_links_to_the_page(client_of):
    assert f'href="{PAGE}"' in client_of.get("/console/").content.decode()
