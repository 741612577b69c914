"""CSRF on every form: each URL of the URLConf (enumerated, so a new view is covered the day
it is added) refuses a POST without the token from a logged-in operator. The few views that
are csrf_exempt are listed here with the reason, and each is checked to demand its own
credential instead."""

import json
import time

import pytest
from django.test import Client
from django.urls import resolve, reverse
from url_walk import routes

from chat.models import Message
from chat.visitors import sessions
from crm.connectors.webhook import (
    ID_HEADER,
    STANDARD_SIGNATURE_HEADER,
    STANDARD_TIMESTAMP_HEADER,
)
from leads.models import Lead

CSRF_REFUSED = b"CSRF verification failed"

# Exempt on purpose. Every entry must be proven below to demand another credential.
EXEMPT = {
    "crm_demo_receive": "a CRM webhook sent server to server: HMAC signature and timestamp",
    "webhooks_demo_receive": "an event webhook sent server to server: HMAC signature",
    "widget_attachments": "called by the visitor frame: the visitor token is the credential",
    "leads_widget:lead": "called by the visitor frame: the visitor token is the credential",
    "leads_widget:introduce": "called by the visitor frame: the visitor token is the credential",
    "messengers:telegram_webhook": (
        "Telegram's servers post updates: the bot's secret token header is the credential "
        "(tests/messengers/test_telegram_conversation.py, a forged one gets 403)"
    ),
    "messengers:vk_callback": (
        "VK's Callback API posts events: the community's secret key is the credential "
        "(tests/messengers/test_vk_conversation.py, a forged one gets 403)"
    ),
    "messengers_demo:demo_telegram_api": (
        "the demo's FAKE Bot API (MESSENGERS_DEMO_PEER only), called server to server by "
        "the product's own tasks; it reads and writes no data of the product"
    ),
    "messengers_demo:demo_vk_api": (
        "the demo's FAKE VK API (MESSENGERS_DEMO_PEER only), as the Bot API above"
    ),
    "console:attachment_upload": (
        "exempt outside only so the upload size guard is installed before the body is "
        "parsed; the inner view checks CSRF itself (csrf_protect)"
    ),
}
# The operator API (api/urls.py): DRF's views are csrf_exempt because a bearer token, never
# a cookie, is their credential (proven below: a logged-in browser gets 401 there).
API_REASON = "the operator API: only a bearer token authenticates, never the session cookie"
EXEMPT.update(
    {
        route.name or route.route: API_REASON
        for route in routes()
        if route.route.startswith("api/") and route.csrf_exempt
    }
)
# Sample values for URL parameters; the CSRF check runs before the view looks at them.
SAMPLES = {
    "pk": 1,
    "object_id": 1,
    "widget_key": "k",
    "token": "t",
    "content_type_id": 1,
    "site_id": 1,
}


def concrete_url(route) -> str:
    given = {name: SAMPLES[name] for name in route.parameters if name in SAMPLES}
    return route.urls(**given)[0]


@pytest.fixture
def operator_client(make_operator, make_site):
    operator = make_operator(sites=[make_site()])
    operator.user.is_staff = operator.user.is_superuser = True
    operator.user.save()
    client = Client(enforce_csrf_checks=True)
    client.force_login(operator.user)
    return client


def test_the_exempt_list_is_exactly_the_exempt_views():
    exempt = {route.name or route.route for route in routes() if route.csrf_exempt}
    assert exempt == set(EXEMPT), "a new csrf_exempt view needs a reason and a test here"


@pytest.mark.django_db
def test_every_view_refuses_a_post_without_the_csrf_token(operator_client):
    walked = []
    for route in routes():
        if route.csrf_exempt and route.name != "console:attachment_upload":
            continue
        url = concrete_url(route)
        assert resolve(url).func == route.callback, url
        response = operator_client.post(url, {"anything": "1"})
        assert response.status_code == 403, f"{url} answered {response.status_code}"
        assert CSRF_REFUSED in response.content, url
        walked.append(url)
    assert "/console/status/" in walked and "/accounts/logout/" in walked
    assert len(walked) > 40  # the admin's pages included


@pytest.mark.django_db
def test_a_post_with_the_token_passes_the_check(operator_client):
    """The walk's 403s come from the missing token, not from something else."""
    operator_client.get(reverse("console:mine"))
    token = operator_client.cookies["csrftoken"].value
    response = operator_client.post(
        reverse("console:status"), {"status": "offline", "csrfmiddlewaretoken": token}
    )
    assert response.status_code == 302


# --- the exempt views demand their own credential -----------------------------------------


@pytest.mark.django_db
def test_the_api_ignores_a_logged_in_browser(operator_client):
    """A page of another site posting to the API with the operator's cookies gets nothing."""
    walked = 0
    for route in routes():
        if EXEMPT.get(route.name or route.route) != API_REASON or route.name in (
            "api:schema",
            "api:docs",
        ):
            continue
        url = concrete_url(route)
        response = operator_client.post(url, {"status": "offline", "text": "x"})
        assert response.status_code in (401, 404), f"{url} answered {response.status_code}"
        walked += 1
    assert walked > 20


@pytest.fixture
def visitor(make_site):
    site = make_site()
    return sessions.start_visitor_session(
        site=site, token=None, ip="203.0.113.9", user_agent="Firefox"
    ).visitor


@pytest.mark.django_db
@pytest.mark.parametrize(
    "name", ["widget_attachments", "leads_widget:lead", "leads_widget:introduce"]
)
def test_widget_endpoints_refuse_a_request_without_the_visitor_token(
    name, visitor, make_site, operator_client
):
    url = reverse(name, args=[visitor.site.widget_key])
    data = {"client_id": "c1", "text": "hi", "name": "Mallory", "email": "m@example.com"}
    # A forged cross-site form carries the operator's cookies, never a visitor token.
    assert operator_client.post(url, data).status_code == 403
    # A token of another site's visitor does not open this site.
    other = sessions.start_visitor_session(
        site=make_site(), token=None, ip="203.0.113.9", user_agent="Firefox"
    ).visitor
    assert Client().post(url, data, headers={"X-Visitor-Token": other.token}).status_code == 403
    assert not Message.objects.exists()
    assert not Lead.objects.exists()


@pytest.mark.django_db
def test_the_console_upload_checks_csrf_inside(operator_client, make_site):
    response = operator_client.post(reverse("console:attachment_upload", args=[1]), {"x": "1"})
    assert response.status_code == 403
    assert CSRF_REFUSED in response.content


def test_the_crm_demo_receiver_demands_a_valid_signature(settings, tmp_path):
    settings.CRM_DEMO_RECEIVER = True
    settings.CRM_DEMO_RECEIVER_FILE = tmp_path / "received.json"
    url = reverse("crm_demo_receive")
    body = json.dumps({"event": "dialog.exported"})
    client = Client()
    assert client.post(url, body, content_type="application/json").status_code in (400, 401)
    forged = {
        ID_HEADER: "forged-1",
        STANDARD_TIMESTAMP_HEADER: str(int(time.time())),
        STANDARD_SIGNATURE_HEADER: "v1,AAAA",
    }
    response = client.post(url, body, content_type="application/json", headers=forged)
    assert response.status_code == 401
    assert not (tmp_path / "received.json").exists()


@pytest.mark.django_db
def test_the_webhooks_demo_receiver_demands_a_valid_signature(settings, make_site):
    from webhooks import demo_receiver
    from webhooks.models import Endpoint

    settings.WEBHOOKS_DEMO_RECEIVER = True
    endpoint = Endpoint.objects.create(account=make_site().account, url="http://x/", events=[])
    url = reverse("webhooks_demo_receive", args=[endpoint.pk])
    body = json.dumps({"event": "webhook.test"})
    client = Client()
    assert client.post(url, body, content_type="application/json").status_code == 401
    forged = {
        ID_HEADER: "forged-1",
        STANDARD_TIMESTAMP_HEADER: str(int(time.time())),
        STANDARD_SIGNATURE_HEADER: "v1,AAAA",
    }
    response = client.post(url, body, content_type="application/json", headers=forged)
    assert response.status_code == 401
    assert demo_receiver.received(endpoint.pk) == []
