"""The visitor's IP: the peer address, unless the peer is one of our trusted proxies."""

import pytest
from channels.db import database_sync_to_async
from django.test import RequestFactory

from chat.models import Visit
from chat.visitors.client_ip import ip_from_request, ip_from_scope


def scope(peer, *forwarded):
    headers = [(b"user-agent", b"test")] + [(b"x-forwarded-for", v.encode()) for v in forwarded]
    return {"type": "websocket", "client": [peer, 50000] if peer else None, "headers": headers}


def request(peer, forwarded=None):
    extra = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded is not None else {}
    return RequestFactory().get("/", REMOTE_ADDR=peer, **extra)


def test_by_default_a_spoofed_header_is_ignored(settings):
    settings.CHAT_TRUSTED_PROXIES = []
    assert ip_from_scope(scope("203.0.113.7", "1.2.3.4")) == "203.0.113.7"
    assert ip_from_request(request("203.0.113.7", "1.2.3.4")) == "203.0.113.7"


def test_header_from_an_untrusted_peer_is_ignored(settings):
    settings.CHAT_TRUSTED_PROXIES = ["10.0.0.1"]
    assert ip_from_scope(scope("203.0.113.7", "1.2.3.4")) == "203.0.113.7"
    assert ip_from_request(request("203.0.113.7", "1.2.3.4")) == "203.0.113.7"


def test_header_from_a_trusted_proxy_is_used(settings):
    settings.CHAT_TRUSTED_PROXIES = ["10.0.0.1"]
    assert ip_from_scope(scope("10.0.0.1", "81.2.69.160")) == "81.2.69.160"
    assert ip_from_request(request("10.0.0.1", "81.2.69.160")) == "81.2.69.160"


def test_a_forged_left_part_is_skipped_right_most_untrusted_wins(settings):
    # The client sent "X-Forwarded-For: 1.2.3.4"; our proxy appended the real address.
    settings.CHAT_TRUSTED_PROXIES = ["10.0.0.0/8"]
    assert ip_from_request(request("10.0.0.1", "1.2.3.4, 81.2.69.160")) == "81.2.69.160"
    # Two of our proxies in a row (a CIDR range), both skipped.
    assert ip_from_request(request("10.0.0.2", "1.2.3.4, 81.2.69.160, 10.9.9.9")) == "81.2.69.160"
    # The same header sent twice on a socket counts as one list.
    assert ip_from_scope(scope("10.0.0.2", "1.2.3.4", "81.2.69.160, 10.1.1.1")) == "81.2.69.160"


def test_only_proxies_in_the_chain_fall_back_to_the_left_most(settings):
    settings.CHAT_TRUSTED_PROXIES = ["10.0.0.0/8"]
    assert ip_from_request(request("10.0.0.1", "10.0.0.5, 10.0.0.9")) == "10.0.0.5"
    assert ip_from_request(request("10.0.0.1")) == "10.0.0.1"


def test_garbage_in_the_header_never_becomes_the_address(settings):
    settings.CHAT_TRUSTED_PROXIES = ["10.0.0.1"]
    assert ip_from_request(request("10.0.0.1", "<script>, unknown")) == "10.0.0.1"
    assert ip_from_request(request("10.0.0.1", "81.2.69.160:5555")) == "81.2.69.160"


def test_ipv6(settings):
    settings.CHAT_TRUSTED_PROXIES = ["2001:db8:ffff::/48"]
    assert ip_from_scope(scope("2001:db8:ffff::1", "2a02:6b8::1")) == "2a02:6b8::1"
    assert ip_from_scope(scope("2001:db8:ffff::1", "[2a02:6b8::2]:443")) == "2a02:6b8::2"
    # An IPv6 peer outside the range is not trusted.
    assert ip_from_scope(scope("2001:db8:1::1", "2a02:6b8::1")) == "2001:db8:1::1"
    # A v4 client behind a dual-stack listener shows as IPv4-mapped: stored as plain IPv4.
    settings.CHAT_TRUSTED_PROXIES = []
    assert ip_from_scope(scope("::ffff:81.2.69.160")) == "81.2.69.160"


def test_no_peer_address():
    assert ip_from_scope(scope(None)) is None
    assert ip_from_request(request("")) is None


def test_a_mistyped_proxy_list_fails_loudly(settings):
    settings.CHAT_TRUSTED_PROXIES = ["10.0.0.300"]
    with pytest.raises(ValueError):
        ip_from_request(request("10.0.0.1", "1.2.3.4"))


@pytest.mark.django_db(transaction=True)
async def test_the_widget_socket_stores_the_real_ip_behind_a_trusted_proxy(
    settings, sockets, make_site
):
    site = await database_sync_to_async(make_site)()
    settings.CHAT_TRUSTED_PROXIES = ["127.0.0.1"]
    communicator = sockets.communicator(f"/ws/visitor/{site.widget_key}/")
    # Set before the first await, while the application has not read its scope yet.
    communicator.scope["client"] = ["127.0.0.1", 50000]
    communicator.scope["headers"].append((b"x-forwarded-for", b"6.6.6.6, 81.2.69.160"))
    connected, _code = await communicator.connect()
    assert connected
    hello = await communicator.receive_json_from(timeout=5)
    visit = await database_sync_to_async(
        lambda: Visit.objects.get(visitor__token=hello["visitor"]["token"])
    )()
    assert visit.ip == "81.2.69.160"
