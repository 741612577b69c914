"""Only the site's own pages may show its widget: the widget frame's frame-ancestors and
the visitor socket's Origin check (chat/visitors/origins.py, docs/protocol.md "Endpoint")."""

import pytest
from channels.db import database_sync_to_async

from chat.models import Site, Visitor
from chat.realtime.consumers.frames import CLOSE_ORIGIN_NOT_ALLOWED
from chat.visitors import origins

CHAT_HOST = "chat.example"
SHOP = "shop.example\n*.shop.example\nblog.example:8080"


@pytest.fixture(autouse=True)
def chat_host(settings):
    # The console socket's origin check (AllowedHostsOriginValidator) copies ALLOWED_HOSTS
    # when the ASGI application is built: built under this host, it would refuse every
    # later test's console socket (code 1000).
    import config.asgi  # noqa: F401

    settings.ALLOWED_HOSTS = [CHAT_HOST]


@pytest.mark.parametrize(
    ("origin", "allowed"),
    [
        ("https://shop.example", True),
        ("http://shop.example:8000", True),  # any port, http too
        ("https://www.shop.example", True),  # *.shop.example
        ("https://a.b.shop.example", True),  # at any depth
        ("https://blog.example", True),  # the port in the entry does not narrow it
        ("https://SHOP.example", True),
        (f"https://{CHAT_HOST}", True),  # our own pages: the widget frame, the demo page
        (f"https://{CHAT_HOST}:8443", True),
        ("https://evil.example", False),
        ("https://shop.example.evil.example", False),
        ("https://evilshop.example", False),
        ("https://www.blog.example", False),  # no wildcard for blog.example
        ("null", False),  # a sandboxed frame or a file:// page
        ("", False),  # no Origin header: not a browser
        ("not a url", False),
    ],
)
def test_origin_rule(origin, allowed):
    assert origins.origin_allowed(Site(domains=SHOP), origin) is allowed


def test_a_wildcard_does_not_match_the_bare_domain():
    site = Site(domains="*.shop.example")
    assert origins.origin_allowed(site, "https://www.shop.example")
    assert not origins.origin_allowed(site, "https://shop.example")


def test_a_site_without_domains_allows_every_page_but_a_socket_needs_an_origin():
    site = Site(domains="")
    assert origins.origin_allowed(site, "https://anything.example")
    assert not origins.origin_allowed(site, "")
    assert not origins.origin_allowed(site, "null")  # a sandboxed frame, a file:// page


def test_entries_that_are_not_host_names_never_mean_any_host():
    site = Site(domains="* shop.example;script-src 'unsafe-inline'")
    assert not origins.origin_allowed(site, "https://evil.example")
    assert origins.frame_ancestors(site) == "frame-ancestors 'self'"


def test_a_trailing_dot_names_the_same_host_and_a_broken_address_names_none():
    """ "shop.example." (a fully qualified name) is shop.example, in an entry and in an
    Origin; an unbalanced IPv6 bracket is no host at all, never an entry of its own."""
    site = Site(domains="shop.example.")
    assert origins.invalid_domains("shop.example. *.blog.example.") == []
    assert origins.origin_allowed(site, "https://shop.example")
    assert origins.origin_allowed(Site(domains="shop.example"), "https://shop.example.")
    assert origins.invalid_domains("[::1 shop.example") == ["[::1"]
    assert not origins.origin_allowed(site, "https://[::1")
    assert origins.frame_ancestors(Site(domains="[::1")) == "frame-ancestors 'self'"
    assert origins.invalid_domains("*.[::1] [::1]") == ["*.[::1]"]  # no subdomains of an address
    too_long = "a" * 64 + ".example"  # a label over 63 characters has no IDNA form
    assert origins.invalid_domains(too_long) == [too_long]
    assert origins.frame_ancestors(Site(domains=too_long)) == "frame-ancestors 'self'"


def test_with_allowed_hosts_star_only_the_connected_host_counts_as_ours(settings):
    settings.ALLOWED_HOSTS = ["*"]
    site = Site(domains="shop.example")
    assert origins.origin_allowed(site, "https://chat.other", request_host="chat.other:443")
    assert not origins.origin_allowed(site, "https://evil.example", request_host="chat.other")


def test_frame_ancestors_lists_the_sites_hosts_on_any_port():
    assert origins.frame_ancestors(Site(domains="shop.example *.shop.example [::1]")) == (
        "frame-ancestors 'self' http://shop.example:* https://shop.example:* "
        "http://*.shop.example:* https://*.shop.example:* http://[::1]:* https://[::1]:*"
    )
    assert origins.frame_ancestors(Site(domains="пример.рф")) == (
        "frame-ancestors 'self' http://xn--e1afmkfd.xn--p1ai:* https://xn--e1afmkfd.xn--p1ai:*"
    )
    assert origins.frame_ancestors(Site(domains="")) == "frame-ancestors *"


# --- the widget frame ---------------------------------------------------------------------


def frame_ancestors_of(response) -> str:
    policy = response.headers.get("Content-Security-Policy", "")
    directives = [d.strip() for d in policy.split(";")]
    return next((d for d in directives if d.startswith("frame-ancestors")), "")


@pytest.mark.django_db
def test_the_widget_frame_may_be_shown_only_in_the_sites_pages(client, make_site):
    shop = make_site(domains="shop.example\n*.shop.example")
    anywhere = make_site(domains="")

    response = client.get(f"/widget/{shop.widget_key}/", HTTP_HOST=CHAT_HOST)

    assert response.status_code == 200
    assert "X-Frame-Options" not in response.headers
    assert frame_ancestors_of(response) == (
        "frame-ancestors 'self' http://shop.example:* https://shop.example:* "
        "http://*.shop.example:* https://*.shop.example:*"
    )
    response = client.get(f"/widget/{anywhere.widget_key}/", HTTP_HOST=CHAT_HOST)
    assert frame_ancestors_of(response) == "frame-ancestors *"


# --- the visitor socket -------------------------------------------------------------------


@pytest.fixture
def shop(make_site):
    return make_site(domains=SHOP)


def visitor_socket(sockets, site, origin: bytes | None):
    headers = [(b"origin", origin)] if origin is not None else []
    headers.append((b"host", CHAT_HOST.encode()))
    return sockets.communicator(f"/ws/visitor/{site.widget_key}/", headers=headers)


def visitors_of(site):
    return database_sync_to_async(Visitor.objects.filter(site=site).count)()


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    "origin",
    [b"https://shop.example", b"https://www.shop.example:8443", f"https://{CHAT_HOST}".encode()],
)
async def test_a_page_of_the_site_or_our_frame_opens_the_socket(sockets, shop, origin):
    widget = visitor_socket(sockets, shop, origin)
    connected, _ = await widget.connect(timeout=5)
    assert connected
    assert (await widget.receive_json_from(timeout=5))["type"] == "hello"


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("origin", [b"https://evil.example", b"https://shop.example.evil", None])
async def test_a_foreign_page_or_no_origin_is_closed_with_4003(sockets, shop, origin):
    widget = visitor_socket(sockets, shop, origin)
    connected, _ = await widget.connect(timeout=5)
    # Accepted, then closed with our code, so the client can tell why.
    assert connected
    assert await widget.receive_output(timeout=5) == {
        "type": "websocket.close",
        "code": CLOSE_ORIGIN_NOT_ALLOWED,
    }
    assert CLOSE_ORIGIN_NOT_ALLOWED == 4003
    assert await visitors_of(shop) == 0


@pytest.mark.django_db(transaction=True)
async def test_a_site_without_domains_accepts_any_page(sockets, make_site):
    anywhere = await database_sync_to_async(make_site)(domains="")
    widget = visitor_socket(sockets, anywhere, b"https://whatever.example")
    connected, _ = await widget.connect(timeout=5)
    assert connected
    assert (await widget.receive_json_from(timeout=5))["type"] == "hello"


# --- the admin ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_admin_refuses_domains_that_are_not_host_names(admin_client, make_account):
    account = make_account()
    page = admin_client.get("/admin/chat/site/add/", HTTP_HOST=CHAT_HOST)
    assert "Leave empty to allow every host" in page.text
    fields = {
        "account": account.id,
        "name": "Shop",
        "widget_key": "shop-key",
        "widget_color": "#2563eb",
        "widget_title": "Chat",
        "greeting": "Hi",
        "language": "",
        "alert_repeat_seconds": 30,
        "offer_after_seconds": 120,
        "typing_preview": "on",
        "auto_close_minutes": 30,
    }

    refused = admin_client.post(
        "/admin/chat/site/add/",
        {**fields, "domains": "shop.example\n*\nx.example;script-src"},
        HTTP_HOST=CHAT_HOST,
    )

    assert refused.status_code == 200
    assert "Not a host name: *, x.example;script-src" in refused.text
    assert not Site.objects.exists()
    saved = admin_client.post(
        "/admin/chat/site/add/",
        {**fields, "domains": "shop.example\n*.shop.example"},
        HTTP_HOST=CHAT_HOST,
    )
    assert saved.status_code == 302
    assert Site.objects.get().domain_list == ["shop.example", "*.shop.example"]
