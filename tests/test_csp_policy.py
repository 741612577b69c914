"""Content-Security-Policy (chat/csp.py, settings CONTENT_SECURITY_POLICY): every console
page, the login, the admin, the demo page and the widget frame carry one policy that runs
no inline script or style, and their HTML has nothing inline that the policy would block."""

from html.parser import HTMLParser

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from chat.messaging import posting
from chat.models import BlockedIP
from chat.visitors import sessions
from leads.models import Lead

pytestmark = pytest.mark.django_db

CONSOLE_POLICY = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'", "data:", "blob:"],
    "font-src": ["'self'"],
    "media-src": ["'self'"],
    "connect-src": ["'self'", "ws://testserver"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
}


def policy(response) -> dict[str, list[str]]:
    """The one Content-Security-Policy header of the response, by directive."""
    headers = [v for k, v in response.headers.items() if k.lower() == "content-security-policy"]
    assert len(headers) == 1, headers
    directives = {}
    for part in headers[0].split(";"):
        name, *sources = part.split()
        directives[name] = sources
    return directives


class InlineCode(HTMLParser):
    """What a policy without 'unsafe-inline' blocks: inline scripts (JSON data blocks are
    not run, so they may stay), event-handler attributes, javascript: URLs, style
    attributes and <style> elements."""

    def __init__(self):
        super().__init__()
        self.found = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "script" and "src" not in attrs and attrs.get("type") != "application/json":
            self.found.append(f"inline <script> at line {self.getpos()[0]}")
        if tag == "style":
            self.found.append(f"<style> at line {self.getpos()[0]}")
        for name, value in attrs.items():
            if name.startswith("on") or name == "style":
                self.found.append(f'<{tag} {name}="{value}">')
            if name in ("href", "src", "action", "formaction") and (
                value or ""
            ).strip().lower().startswith("javascript:"):
                self.found.append(f'<{tag} {name}="{value}">')


def inline_code(response) -> list[str]:
    parser = InlineCode()
    parser.feed(response.content.decode())
    return parser.found


@pytest.fixture
def site(make_site):
    return make_site(name="shop.example", domains="shop.example *.shop.example")


@pytest.fixture
def alice(make_operator, site):
    return make_operator(username="alice", sites=[site], can_see_others=True)


@pytest.fixture
def dialog(site):
    session = sessions.start_visitor_session(site=site, token=None, ip="10.0.0.7", user_agent="")
    message, _created = posting.post_visitor_message(
        visitor_id=session.visitor.id, visit_id=session.visit.id, client_id="c-1", text="Hello"
    )
    return message.dialog


@pytest.fixture
def pages(alice, site, dialog):
    """Every console page and the admin's, as (client, url) for an operator or an admin."""
    lead = Lead.objects.create(
        account=site.account, site=site, source="offline_form", name="Ivan", message="Call me"
    )
    BlockedIP.objects.create(account=site.account, network="10.0.0.9/32", reason="spam")
    admin = get_user_model().objects.create_superuser("root", password="x")
    return [
        (None, reverse("login")),
        (alice.user, reverse("console:mine")),
        (alice.user, reverse("console:others")),
        (alice.user, reverse("console:missed")),
        (alice.user, reverse("console:dialog", args=[dialog.id])),
        (alice.user, reverse("console:history")),
        (alice.user, reverse("console:blocked")),
        (alice.user, reverse("tokens:list")),
        (alice.user, reverse("leads:list")),
        (alice.user, reverse("leads:detail", args=[lead.id])),
        (None, reverse("demo")),
        (None, reverse("api:docs")),  # the operator API's docs page (Swagger UI, no CDN)
        (admin, reverse("admin:index")),
        (admin, reverse("admin:chat_message_changelist")),
        (admin, reverse("admin:chat_site_change", args=[site.id])),
    ]


def test_every_console_page_has_the_strict_policy_and_nothing_inline(client, pages):
    for user, url in pages:
        client.logout()
        if user:
            client.force_login(user)
        response = client.get(url)
        assert response.status_code == 200, url
        assert policy(response) == CONSOLE_POLICY, url
        assert inline_code(response) == [], url


def test_over_tls_the_socket_source_is_wss(client):
    response = client.get(reverse("login"), secure=True)
    assert policy(response)["connect-src"] == ["'self'", "wss://testserver"]


def test_the_widget_frame_has_one_policy_with_the_sites_frame_ancestors(client, site):
    response = client.get(reverse("widget", args=[site.widget_key]))
    assert response.status_code == 200
    assert "X-Frame-Options" not in response.headers
    assert policy(response) == {
        **CONSOLE_POLICY,
        "frame-ancestors": [
            "'self'",
            "http://shop.example:*",
            "https://shop.example:*",
            "http://*.shop.example:*",
            "https://*.shop.example:*",
        ],
    }
    assert inline_code(response) == []


def test_a_site_without_domains_may_be_framed_anywhere_under_the_same_policy(client, make_site):
    open_site = make_site(domains="")
    response = client.get(reverse("widget", args=[open_site.widget_key]))
    assert policy(response) == {**CONSOLE_POLICY, "frame-ancestors": ["*"]}


def test_the_blocked_widget_frame_has_the_same_policy(client, site):
    BlockedIP.objects.create(account=site.account, network="127.0.0.1/32")
    response = client.get(reverse("widget", args=[site.widget_key]))
    assert response.status_code == 403
    assert policy(response)["frame-ancestors"][:2] == ["'self'", "http://shop.example:*"]
    assert policy(response)["script-src"] == ["'self'"]
    assert inline_code(response) == []


def test_attachment_downloads_keep_their_own_sandboxed_policy(client, alice, dialog):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(alice.user)
    client.post(reverse("console:connect", args=[dialog.id]))
    upload = SimpleUploadedFile("note.txt", b"hello", content_type="text/plain")
    answer = client.post(
        reverse("console:attachment_upload", args=[dialog.id]), {"client_id": "a-1", "file": upload}
    )
    assert answer.status_code == 200, answer.content
    attachment_id = dialog.messages.get(client_id="a-1").attachment.id
    response = client.get(reverse("console:attachment", args=[attachment_id]))
    assert "sandbox" in policy(response)
    assert policy(response)["default-src"] == ["'none'"]
