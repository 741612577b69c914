"""Login throttling (django-axes): wrong passwords for one login from one address lock that
pair out for the cool-off, on the console's login page and the admin's alike."""

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

PASSWORD = "secret-pass-123"  # tests/conftest.py's PASSWORD
LOCKED = "Too many failed login attempts"


def attempt(username, password, *, ip="198.51.100.7", url=None):
    client = Client(REMOTE_ADDR=ip)
    return client, client.post(
        url or reverse("login"),
        {"username": username, "password": password, "next": "/console/"},
    )


def fail(username, times, **where):
    """Wrong passwords; returns the status codes the attempts got."""
    return [attempt(username, "wrong-password", **where)[1].status_code for _ in range(times)]


def logged_in(client) -> bool:
    return client.get(reverse("console:mine")).status_code == 200


@pytest.fixture
def anna(make_operator):
    return make_operator(username="anna")


@pytest.mark.django_db
def test_after_the_failure_limit_even_the_right_password_is_refused(anna, settings):
    assert settings.AXES_FAILURE_LIMIT == 5
    # The form with its usual error four times; the fifth failure locks the pair out.
    assert fail("anna", 5) == [200, 200, 200, 200, 429]
    client, response = attempt("anna", PASSWORD)
    assert response.status_code == 429
    page = response.content.decode()
    assert LOCKED in page
    assert "15 minutes" in page
    assert 'name="password"' in page  # the login form is still there
    assert not logged_in(client)


@pytest.mark.django_db
def test_below_the_limit_the_right_password_works_and_resets_the_count(anna):
    assert fail("anna", 4) == [200] * 4
    client, response = attempt("anna", PASSWORD)
    assert response.status_code == 302
    assert logged_in(client)
    assert fail("anna", 4) == [200] * 4  # counting starts again after a success
    client, response = attempt("anna", PASSWORD)
    assert response.status_code == 302


@pytest.mark.django_db
def test_the_lock_holds_only_that_login_from_that_address(anna, make_operator):
    make_operator(username="boris")
    fail("anna", 5)
    client, response = attempt("boris", PASSWORD)  # another login, same address
    assert response.status_code == 302 and logged_in(client)
    client, response = attempt("anna", PASSWORD, ip="203.0.113.50")  # anna elsewhere
    assert response.status_code == 302 and logged_in(client)
    _client, response = attempt("anna", PASSWORD)
    assert response.status_code == 429


@pytest.mark.django_db
def test_after_the_cool_off_the_login_works_again(anna, settings):
    fail("anna", 5)
    assert attempt("anna", PASSWORD)[1].status_code == 429
    # Sixteen minutes pass: the failures are older than the cool-off.
    AccessAttempt.objects.update(attempt_time=timezone_minutes_ago(16))
    client, response = attempt("anna", PASSWORD)
    assert response.status_code == 302
    assert logged_in(client)


@pytest.mark.django_db
def test_limit_and_cool_off_are_settings(anna, settings):
    settings.AXES_FAILURE_LIMIT = 2
    settings.AXES_COOLOFF_TIME = timedelta(minutes=1)
    fail("anna", 2)
    response = attempt("anna", PASSWORD)[1]
    assert response.status_code == 429
    assert "Try again in 1 minute." in response.content.decode()


@pytest.mark.django_db
def test_the_message_is_translated(anna):
    fail("anna", 5)
    client = Client(REMOTE_ADDR="198.51.100.7", headers={"accept-language": "ru"})
    response = client.post(reverse("login"), {"username": "anna", "password": PASSWORD})
    assert response.status_code == 429
    assert "Слишком много неудачных попыток входа" in response.content.decode()


@pytest.mark.django_db
def test_the_admin_login_is_throttled_too(db):
    get_user_model().objects.create_superuser("root", "root@example.com", PASSWORD)
    url = reverse("admin:login")
    fail("root", 5, url=url)
    client, response = attempt("root", PASSWORD, url=url)
    assert response.status_code == 429
    assert LOCKED in response.content.decode()
    assert client.get(reverse("admin:index")).status_code == 302  # still not logged in


def timezone_minutes_ago(minutes):
    from django.utils import timezone

    return timezone.now() - timedelta(minutes=minutes)
