"""Signing in with two-factor sign-in on: the password, then a code from the app or a
recovery code; nothing of the console (or the admin) before the second step."""

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse
from twofactor_helpers import app_code, sign_in, turn_on

from twofactor.services import verified

pytestmark = pytest.mark.django_db
VERIFY = reverse("twofactor:verify")


def test_without_two_factor_sign_in_is_unchanged(vera):
    client = Client()
    response = sign_in(client, "vera")
    assert response.status_code == 302 and response["Location"] == "/console/"
    assert client.get("/console/").status_code == 200


def test_the_console_waits_for_the_code_from_the_app(vera):
    turn_on(vera.user)
    client = Client()
    assert sign_in(client, "vera").status_code == 302
    response = client.get("/console/")
    assert response.status_code == 302
    assert response["Location"] == f"{VERIFY}?next=%2Fconsole%2F"
    page = client.get(response["Location"])
    assert "authenticator app" in page.content.decode()
    # A console form posted before the second step is refused, not acted on.
    assert client.post(reverse("console:status"), {"status": "online"}).status_code == 403

    response = client.post(VERIFY, {"code": app_code(vera.user), "next": "/console/"})
    assert response.status_code == 302 and response["Location"] == "/console/"
    assert client.get("/console/").status_code == 200


def test_a_wrong_code_is_refused_with_a_message(vera):
    turn_on(vera.user)
    client = Client()
    sign_in(client, "vera")
    wrong = "000000" if app_code(vera.user) != "000000" else "111111"
    response = client.post(VERIFY, {"code": wrong})
    assert response.status_code == 400
    assert "That code is not right" in response.content.decode()
    assert client.get("/console/").status_code == 302


def test_a_code_is_used_once(vera):
    turn_on(vera.user)
    code = app_code(vera.user)
    first, second = Client(), Client()
    sign_in(first, "vera")
    sign_in(second, "vera")
    assert first.post(VERIFY, {"code": code}).status_code == 302
    assert second.post(VERIFY, {"code": code}).status_code == 400  # a replay


def test_a_recovery_code_works_once(vera):
    codes = turn_on(vera.user)
    first, second = Client(), Client()
    sign_in(first, "vera")
    assert first.post(VERIFY, {"code": codes[3].upper()}).status_code == 302
    assert first.get("/console/").status_code == 200
    sign_in(second, "vera")
    assert second.post(VERIFY, {"code": codes[3]}).status_code == 400
    assert second.post(VERIFY, {"code": codes[4]}).status_code == 302


def test_each_password_sign_in_asks_again(vera):
    turn_on(vera.user)
    client = Client()
    sign_in(client, "vera")
    client.post(VERIFY, {"code": app_code(vera.user)})
    assert client.get("/console/").status_code == 200
    client.post(reverse("logout"))
    sign_in(client, "vera")  # the same browser, the password again
    assert client.get("/console/").status_code == 302


def test_five_tries_then_a_wait(vera, settings):
    assert settings.TWOFACTOR_MAX_ATTEMPTS == 5
    turn_on(vera.user)
    client = Client()
    sign_in(client, "vera")
    wrong = "000000" if app_code(vera.user) != "000000" else "111111"
    statuses = [client.post(VERIFY, {"code": wrong}).status_code for _ in range(5)]
    assert statuses == [400] * 5
    response = client.post(VERIFY, {"code": app_code(vera.user)})  # even the right one
    assert response.status_code == 429
    assert "Too many codes tried. Try again in" in response.content.decode()
    assert client.get("/console/").status_code == 302
    # Another browser of the same user meets the same wait (the count is per user).
    other = Client()
    sign_in(other, "vera")
    assert other.post(VERIFY, {"code": app_code(vera.user)}).status_code == 429


def test_the_admin_asks_for_the_code_too(db):
    admin = get_user_model().objects.create_superuser("root", password="secret-pass-123")
    turn_on(admin)
    client = Client()
    response = sign_in(client, "root", url=reverse("admin:login"), next_url="/admin/")
    assert response.status_code == 302
    response = client.get("/admin/")
    assert response.status_code == 302 and response["Location"].startswith(VERIFY)
    assert client.get("/admin/operators/account/").status_code == 302
    client.post(VERIFY, {"code": app_code(admin), "next": "/admin/"})
    assert client.get("/admin/").status_code == 200


def test_an_admin_without_two_factor_signs_in_as_before(db):
    get_user_model().objects.create_superuser("root", password="secret-pass-123")
    client = Client()
    sign_in(client, "root", url=reverse("admin:login"), next_url="/admin/")
    assert client.get("/admin/").status_code == 200


def test_visitor_pages_and_static_files_are_never_held(vera):
    turn_on(vera.user)
    client = Client()
    sign_in(client, "vera")
    assert client.get("/healthz").status_code == 200
    assert client.get(reverse("login")).status_code == 302  # to the console, then held


def test_verified_tells_other_apps_whether_the_session_passed(vera):
    client = Client()
    sign_in(client, "vera")
    request = client.get("/console/").wsgi_request
    assert verified(request)  # no two-factor: a password sign-in is complete
    turn_on(vera.user)
    client = Client()
    sign_in(client, "vera")
    assert not verified(client.get("/console/").wsgi_request)
    client.post(VERIFY, {"code": app_code(vera.user)})
    assert verified(client.get("/console/").wsgi_request)


def test_the_second_step_never_sends_elsewhere(vera):
    turn_on(vera.user)
    client = Client()
    sign_in(client, "vera")
    response = client.post(
        VERIFY, {"code": app_code(vera.user), "next": "https://evil.example/console/"}
    )
    assert response.status_code == 302 and response["Location"] == "/"


def test_without_two_factor_the_console_costs_no_extra_query(vera, settings):
    """The session keeps what it owes (state.py): the check is no database query."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries_of_the_console() -> int:
        client = Client()  # a client loads the middleware on its first request
        sign_in(client, "vera")
        client.get("/console/")  # warm: the same page twice, so caches are alike
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/console/").status_code == 200
        return len(queries)

    with_twofactor = queries_of_the_console()
    settings.MIDDLEWARE = [
        m for m in settings.MIDDLEWARE if "otp" not in m.lower() and "twofactor" not in m
    ]
    assert queries_of_the_console() == with_twofactor
