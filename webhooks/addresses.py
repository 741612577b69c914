"""Which URLs an endpoint may have (docs/webhooks.md "Addresses"): http(s) only, no user
name or password, and — unless WEBHOOKS_ALLOW_PRIVATE_HOSTS — no host that is or resolves
to a private, loopback, link-local or reserved address, so a webhook cannot be pointed at
the server's own network. Checked when the endpoint is saved and again before each attempt."""

import ipaddress
import socket
from urllib.parse import urlsplit

from django.conf import settings
from django.utils.translation import gettext as _


class RefusedUrl(ValueError):
    pass


def _addresses(host: str, port: int) -> list:
    try:
        return [ipaddress.ip_address(host)]
    except ValueError:
        pass
    try:
        infos = socket.getaddrinfo(host, port, proto=socket.IPPROTO_TCP)
    except (OSError, UnicodeError) as error:
        raise RefusedUrl(_("The host %(host)s is not found.") % {"host": host}) from error
    return [ipaddress.ip_address(info[4][0].split("%")[0]) for info in infos]


def _private(address) -> bool:
    if getattr(address, "ipv4_mapped", None):
        address = address.ipv4_mapped
    return not address.is_global or address.is_multicast


def check(url: str) -> str:
    """The URL itself if it may be called; RefusedUrl with a reason an admin can act on."""
    url = (url or "").strip()
    try:
        parts = urlsplit(url)
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError as error:
        raise RefusedUrl(_("This is not a valid URL.")) from error
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise RefusedUrl(_("The URL must start with https:// or http://."))
    if parts.username or parts.password:
        raise RefusedUrl(_("The URL must not contain a user name or password."))
    if settings.WEBHOOKS_ALLOW_PRIVATE_HOSTS:
        return url
    if any(_private(address) for address in _addresses(parts.hostname, port)):
        raise RefusedUrl(
            _(
                "The host %(host)s is a private or local address: webhooks go only to "
                "public addresses."
            )
            % {"host": parts.hostname}
        )
    return url
