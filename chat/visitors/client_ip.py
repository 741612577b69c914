"""The visitor's IP address, for sockets (ASGI scope) and for HTTP requests.

Trusted reverse proxies are handled here and nowhere else, so every caller gets the same
answer. By default (CHAT_TRUSTED_PROXIES empty) the address is the peer that connected to
us and no header is read: X-Forwarded-For is written by whoever sends the request, so it
is believed only when the peer is one of our own proxies, and then only up to the
right-most address that is not one of them (everything left of it the client may forge).
"""

import functools
import ipaddress
from collections.abc import Callable

from django.conf import settings

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


@functools.cache
def _networks(entries: tuple[str, ...]):
    # ValueError on a typo is wanted: a wrong proxy list must not pass unnoticed.
    return tuple(ipaddress.ip_network(entry.strip(), strict=False) for entry in entries)


def trusted_networks():
    return _networks(tuple(e for e in settings.CHAT_TRUSTED_PROXIES if e.strip()))


def parse_ip(value) -> IPAddress | None:
    """An address from a peer or a header entry ("[2001:db8::1]:443" and "1.2.3.4:80" too);
    None for anything else. IPv4-mapped IPv6 addresses become plain IPv4."""
    if not isinstance(value, str):
        return None
    value = value.strip()
    if value.startswith("["):  # [v6] or [v6]:port
        value = value[1 : value.find("]")] if "]" in value else ""
    elif value.count(":") == 1:  # v4:port
        value = value.partition(":")[0]
    try:
        address = ipaddress.ip_address(value)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        return address.ipv4_mapped
    return address


def is_trusted(address: IPAddress) -> bool:
    return any(address in network for network in trusted_networks())


def client_ip(peer, forwarded_for: Callable[[], str]) -> str | None:
    """The client's address, given the peer address and a reader of X-Forwarded-For that
    is called only when the peer is a trusted proxy."""
    address = parse_ip(peer)
    if address is None or not is_trusted(address):
        return str(address) if address else None
    # Each trusted proxy appended the address it saw; walk back from the right.
    for entry in reversed(forwarded_for().split(",")):
        hop = parse_ip(entry)
        if hop is None:
            break  # garbage that no trusted proxy wrote: stop at the last good hop
        address = hop
        if not is_trusted(hop):
            break
    return str(address)


def ip_from_scope(scope) -> str | None:
    client = scope.get("client")

    def forwarded_for():
        # A header sent twice is one list (RFC 9110), in the order received.
        return ",".join(
            value.decode("latin-1")
            for key, value in scope.get("headers", [])
            if key.lower() == b"x-forwarded-for"
        )

    return client_ip(client[0] if client else None, forwarded_for)


def ip_from_request(request) -> str | None:
    return client_ip(
        request.META.get("REMOTE_ADDR"), lambda: request.META.get("HTTP_X_FORWARDED_FOR", "")
    )
