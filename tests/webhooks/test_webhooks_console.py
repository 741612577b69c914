"""The Webhooks page of the console: managers add endpoints (URLs checked), see the secret,
send a test event, read the delivery log and Retry; others are refused."""

import pytest
from django.urls import reverse
from django.utils import translation

from webhooks.models import Delivery, Endpoint

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager_client(client, make_operator, site):
    manager = make_operator(sites=[site], can_manage_site_settings=True)
    client.force_login(manager.user)
    return client


def test_an_operator_without_the_flag_is_refused(alice_client, make_endpoint, receiver):
    endpoint = make_endpoint(receiver.url)
    assert alice_client.get(reverse("webhooks:list")).status_code == 403
    assert alice_client.get(reverse("webhooks:edit", args=[endpoint.pk])).status_code == 403
    response = alice_client.post(reverse("webhooks:test", args=[endpoint.pk]))
    assert response.status_code == 403 and receiver.requests == []
    assert 'id="webhooks-link"' not in alice_client.get(reverse("console:mine")).content.decode()


def test_a_manager_adds_an_endpoint_and_sends_a_test_event(
    manager_client, receiver, django_capture_on_commit_callbacks
):
    assert 'id="webhooks-link"' in manager_client.get(reverse("console:mine")).content.decode()
    response = manager_client.post(
        reverse("webhooks:add"),
        {"url": receiver.url, "description": "Our CRM", "events": ["lead.created", "dialog.ended"]},
    )
    endpoint = Endpoint.objects.get()
    assert response.status_code == 302 and response.url == reverse(
        "webhooks:edit", args=[endpoint.pk]
    )
    assert endpoint.events == ["dialog.ended", "lead.created"] and endpoint.secret.startswith(
        "whsec_"
    )
    page = manager_client.get(response.url).content.decode()
    assert endpoint.secret in page and "Nothing sent yet." in page

    with django_capture_on_commit_callbacks(execute=True):
        manager_client.post(reverse("webhooks:test", args=[endpoint.pk]))
    assert len(receiver.requests) == 1
    page = manager_client.get(reverse("webhooks:edit", args=[endpoint.pk])).content.decode()
    assert "webhook.test" in page and "Delivered" in page and ">200<" in page


def test_retry_from_the_log(
    manager_client, site, make_endpoint, receiver, django_capture_on_commit_callbacks
):
    endpoint = make_endpoint(receiver.url)
    failed = Delivery.objects.create(
        endpoint=endpoint, event="lead.created", payload={"id": "x"}, status="failed", attempts=3
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = manager_client.post(reverse("webhooks:retry", args=[failed.pk]))
    assert response.status_code == 302
    failed.refresh_from_db()
    assert (failed.status, failed.attempts) == ("sent", 4)
    assert receiver.requests[0][0]["webhook-id"] == str(failed.event_id)


@pytest.mark.parametrize(
    ("url", "error"),
    [
        ("ftp://example.com/hook", "must start with https://"),
        ("https://user:pw@example.com/hook", "user name or password"),
        ("http://127.0.0.1:8000/hook", "private or local address"),
        ("https://10.1.2.3/hook", "private or local address"),
        ("https://169.254.169.254/latest/meta-data/", "private or local address"),
        ("https://[::1]/hook", "private or local address"),
        ("https://[::ffff:127.0.0.1]/hook", "private or local address"),
        ("https://localhost/hook", "private or local address"),
    ],
)
def test_private_and_odd_addresses_are_refused(manager_client, settings, url, error):
    settings.WEBHOOKS_ALLOW_PRIVATE_HOSTS = False
    response = manager_client.post(
        reverse("webhooks:add"), {"url": url, "events": ["lead.created"]}
    )
    assert response.status_code == 200 and error in response.content.decode()
    assert not Endpoint.objects.exists()


def test_a_public_address_is_accepted(manager_client, settings):
    settings.WEBHOOKS_ALLOW_PRIVATE_HOSTS = False
    response = manager_client.post(
        reverse("webhooks:add"), {"url": "https://93.184.215.14/hook", "events": ["lead.created"]}
    )
    assert response.status_code == 302


def test_an_endpoint_turned_private_is_not_called(
    site, make_endpoint, receiver, settings, django_capture_on_commit_callbacks
):
    """Checked again before each attempt: a row saved while allowed is refused after."""
    from webhooks import services

    endpoint = make_endpoint(receiver.url)
    settings.WEBHOOKS_ALLOW_PRIVATE_HOSTS = False
    with django_capture_on_commit_callbacks(execute=True):
        row = services.send_test_event(account_id=site.account_id, endpoint_id=endpoint.pk)
    row.refresh_from_db()
    assert row.status == "failed" and "private or local address" in row.last_error
    assert receiver.requests == []


def test_the_pages_take_a_fixed_number_of_queries(
    manager_client, make_endpoint, django_assert_num_queries
):
    endpoint = make_endpoint("http://127.0.0.1:9/")
    for n in range(3):
        Delivery.objects.create(endpoint=endpoint, event="lead.created", payload={"n": n})
    manager_client.get(reverse("webhooks:list"))  # warm the session's caches

    def count(url):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as queries:
            assert manager_client.get(url).status_code == 200
        return len(queries)

    edit = reverse("webhooks:edit", args=[endpoint.pk])
    before_list, before_edit = count(reverse("webhooks:list")), count(edit)
    for n in range(5):
        make_endpoint(f"http://127.0.0.1:9/{n}")
        Delivery.objects.create(endpoint=endpoint, event="dialog.ended", payload={"n": n})
    with django_assert_num_queries(before_list):
        manager_client.get(reverse("webhooks:list"))
    with django_assert_num_queries(before_edit):
        manager_client.get(edit)


def test_the_page_in_russian(manager_client, make_endpoint):
    endpoint = make_endpoint("http://127.0.0.1:9/")
    with translation.override("ru"):
        manager_client.cookies["django_language"] = "ru"
        page = manager_client.get(
            reverse("webhooks:edit", args=[endpoint.pk]), HTTP_ACCEPT_LANGUAGE="ru"
        ).content.decode()
    assert "Отправить тестовое событие" in page
