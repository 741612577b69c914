"""Web Push end to end against a local push endpoint: the request a push service receives
carries a VAPID signature made with the configured key and an aes128gcm body the device
decrypts to {title, body, url, tag} in the operator's language."""

import re
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from django.utils import timezone
from push_helpers import received, verify_vapid
from werkzeug import Response

from chat.dialogs import lifecycle, offers
from chat.messaging import posting
from chat.models import Dialog
from chat.visitors import sessions
from operators.models import Operator
from push import tasks
from push.models import PushSubscription

pytestmark = pytest.mark.django_db


def origin(httpserver) -> str:
    parts = urlsplit(httpserver.url_for("/"))
    return f"{parts.scheme}://{parts.netloc}"


def visitor_writes(site, text="Do you ship to Kazan?", client_id="c1", session=None):
    session = session or sessions.start_visitor_session(
        site=site, token=None, ip=None, user_agent=""
    )
    message, _ = posting.post_visitor_message(
        visitor_id=session.visitor.id, visit_id=session.visit.id, client_id=client_id, text=text
    )
    return message, session


@pytest.fixture
def endpoint(httpserver):
    """Every device's path answers 201 Created, as a push service does."""
    httpserver.expect_request(re.compile(r"^/push/"), method="POST").respond_with_data(
        "", status=201
    )
    return httpserver


def test_a_new_dialog_is_pushed_to_online_operators_whose_console_is_closed(
    vapid, endpoint, make_device, make_operator, make_site, site, alice,
    django_capture_on_commit_callbacks,
):  # fmt: skip
    other_site = make_site(account=site.account)
    at_console = make_operator(username="bob", sites=[site])
    Operator.objects.filter(pk=at_console.pk).update(open_sockets=1)
    offline = make_operator(username="olga", sites=[site], status="offline")
    elsewhere = make_operator(username="eve", sites=[other_site])
    phone = make_device(alice, "alice")
    quiet = [make_device(op) for op in (at_console, offline, elsewhere)]

    with django_capture_on_commit_callbacks(execute=True):
        message, _ = visitor_writes(site)
    dialog = message.dialog

    [request] = received(endpoint, phone)
    claims = verify_vapid(request, vapid, origin(endpoint))
    assert claims["exp"] > timezone.now().timestamp()
    assert request.headers["Content-Encoding"] == "aes128gcm"
    data = phone.decrypt(request.get_data())
    assert data == {
        "title": f"New dialog #{dialog.number} · shop.example",
        "body": f"{dialog.visitor.display_name}: Do you ship to Kazan?",
        "url": f"/console/dialogs/{dialog.id}/",
        "tag": f"dialog-{dialog.id}",
    }
    for device in quiet:
        assert received(endpoint, device) == []
    phone.subscription.refresh_from_db()
    assert phone.subscription.last_success_at is not None


def test_the_push_speaks_the_operators_language(
    vapid, endpoint, make_device, make_operator, site, django_capture_on_commit_callbacks
):
    ivan = make_operator(username="ivan", sites=[site], language="ru")
    device = make_device(ivan)
    with django_capture_on_commit_callbacks(execute=True):
        message, _ = visitor_writes(site)
    data = device.decrypt(received(endpoint, device)[0].get_data())
    assert data["title"] == f"Новый диалог №{message.dialog.number} · shop.example"


def test_an_offer_is_pushed_to_every_online_operator_whose_console_is_closed(
    vapid, endpoint, make_device, make_operator, site, alice, django_capture_on_commit_callbacks
):
    at_console = make_operator(username="bob", sites=[site])
    message, _ = visitor_writes(site)  # before the devices: only the offer is pushed
    Operator.objects.filter(pk=at_console.pk).update(open_sockets=2)
    phone, laptop = make_device(alice), make_device(at_console)
    past = timezone.now() - timedelta(minutes=7)
    Dialog.objects.filter(pk=message.dialog_id).update(created_at=past, waiting_since=past)

    with django_capture_on_commit_callbacks(execute=True):
        assert len(offers.offer_waiting_dialogs()) == 1

    [request] = received(endpoint, phone)
    verify_vapid(request, vapid, origin(endpoint))
    data = phone.decrypt(request.get_data())
    number = message.dialog.number
    assert data["title"] == f"Nobody has opened dialog #{number}"
    assert data["body"].endswith("waiting 7 min")
    assert data["url"] == f"/console/dialogs/{message.dialog_id}/"
    assert received(endpoint, laptop) == []


def test_a_visitor_message_is_pushed_to_the_connected_operator_whose_console_is_closed(
    vapid, endpoint, make_device, make_operator, site, alice, django_capture_on_commit_callbacks
):
    colleague = make_operator(username="bob", sites=[site])  # not connected to the dialog
    message, session = visitor_writes(site)
    lifecycle.connect_operator(operator=alice, dialog_id=message.dialog_id)
    phone, other = make_device(alice), make_device(colleague)

    with django_capture_on_commit_callbacks(execute=True):
        visitor_writes(site, "Are you still there?", client_id="c2", session=session)

    [request] = received(endpoint, phone)
    data = phone.decrypt(request.get_data())
    assert data["title"] == f"New message in dialog #{message.dialog.number}"
    assert data["body"].endswith(": Are you still there?")
    assert received(endpoint, other) == []


def test_a_subscription_the_browser_dropped_is_deleted(vapid, httpserver, make_device, alice):
    device = make_device(alice)
    httpserver.expect_request(device.path, method="POST").respond_with_data("", status=410)
    payload = {"title": "t", "body": "b", "url": "/console/", "tag": "x"}
    tasks.send_push.delay(device.subscription.id, payload)
    assert len(received(httpserver, device)) == 1
    assert not PushSubscription.objects.filter(pk=device.subscription.pk).exists()


def test_a_push_service_error_is_retried(vapid, httpserver, make_device, alice):
    device = make_device(alice)
    httpserver.expect_ordered_request(device.path, method="POST").respond_with_data("", status=500)
    httpserver.expect_ordered_request(device.path, method="POST").respond_with_data("", status=201)
    payload = {"title": "Hello", "body": "b", "url": "/console/", "tag": "x"}
    tasks.send_push.delay(device.subscription.id, payload)
    requests = received(httpserver, device)
    assert len(requests) == 2
    assert device.decrypt(requests[1].get_data())["title"] == "Hello"
    device.subscription.refresh_from_db()
    assert device.subscription.last_success_at is not None
    assert device.subscription.failures == 0


def test_a_push_service_that_keeps_failing_is_given_up(vapid, httpserver, make_device, alice):
    device = make_device(alice)
    httpserver.expect_request(device.path, method="POST").respond_with_response(
        Response("", status=503)
    )
    result = tasks.send_push.delay(device.subscription.id, {"title": "t"})
    assert result.failed()
    assert len(received(httpserver, device)) == 1 + tasks.send_push.max_retries
    device.subscription.refresh_from_db()
    assert device.subscription.failures == 1 + tasks.send_push.max_retries


@pytest.mark.parametrize("missing", ["PUBLIC_KEY", "PRIVATE_KEY", "SUBJECT"])
def test_nothing_is_pushed_unless_all_three_vapid_settings_are_set(
    vapid, settings, missing, endpoint, make_device, site, alice, django_capture_on_commit_callbacks
):
    setattr(settings, f"WEBPUSH_VAPID_{missing}", "")
    device = make_device(alice)
    with django_capture_on_commit_callbacks(execute=True):
        visitor_writes(site)
    assert received(endpoint, device) == []
