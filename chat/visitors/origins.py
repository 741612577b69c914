"""Which host pages may show a site's widget: one matching rule for the widget frame's
`frame-ancestors` and the visitor socket's Origin check.

A site's domains (Site.domains) are host names: "example.com" is that host only,
"*.example.com" is any subdomain of it at any depth but not example.com itself (as in
CSP), so a site on both lists both. Ports do not count: a domain allows every port of
its host, on http and https. A site with no domains allows every host; entries that are
not host names are skipped (the admin form refuses them), never read as "any host".
"""

import ipaddress
import re
from urllib.parse import urlsplit

from django.conf import settings
from django.http.request import split_domain_port, validate_host

# After IDNA encoding; anything else (";", "*", quotes) must never reach the CSP header.
HOST_NAME_RE = re.compile(
    r"^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*$"
)


def _hostname(value: str) -> str:
    """The host of a domain entry or an origin, "" if it is not one: a scheme, a port, a
    path and a trailing dot are dropped ("https://Shop.example:8443/" -> "shop.example"),
    an IDN becomes its ASCII form, an IPv6 address keeps its brackets ("[::1]")."""
    value = value.strip().lower()
    if "//" not in value:
        value = "//" + value
    try:
        host = (urlsplit(value).hostname or "").rstrip(".")
    except ValueError:  # an unbalanced IPv6 bracket, a bad port
        return ""
    try:
        return f"[{ipaddress.IPv6Address(host)}]"
    except ValueError:
        pass
    try:
        host = host.encode("idna").decode("ascii")
    except UnicodeError:
        return ""
    return host if HOST_NAME_RE.match(host) else ""


def _pattern(entry: str) -> str:
    """A domain entry as a host pattern ("shop.example", "*.shop.example"), "" if bad."""
    wildcard = entry.startswith("*.")
    host = _hostname(entry[2:] if wildcard else entry)
    if not host or (wildcard and host.startswith("[")):
        return ""
    return f"*.{host}" if wildcard else host


def host_patterns(site) -> list[str]:
    return [p for p in map(_pattern, site.domain_list) if p]


def invalid_domains(domains: str) -> list[str]:
    """Entries of a Site.domains text that are not host names (shown by the admin form;
    host_patterns skips them)."""
    return [entry for entry in domains.split() if not _pattern(entry)]


def host_matches(host: str, patterns: list[str]) -> bool:
    for pattern in patterns:
        if pattern.startswith("*."):
            if host.endswith(pattern[1:]):  # ".example.com": a subdomain, never the apex
                return True
        elif host == pattern:
            return True
    return False


def is_own_origin(host: str, request_host: str) -> bool:
    """The page is served by this chat server (the widget frame, the demo page): its
    host is one of ALLOWED_HOSTS. A "*" there names no host, so then the page must come
    from the host the socket connected to (its Host header)."""
    named = [h for h in settings.ALLOWED_HOSTS if h != "*"]
    if validate_host(host, named):
        return True
    return "*" in settings.ALLOWED_HOSTS and host == split_domain_port(request_host)[0]


def origin_allowed(site, origin: str, request_host: str = "") -> bool:
    """May a socket whose handshake carried this Origin header talk as this site's
    visitor? Browsers always send one; without it (or "null") the answer is no."""
    host = _hostname(origin) if origin and origin != "null" else ""
    if not host:
        return False
    if is_own_origin(host, request_host) or not site.domain_list:
        return True
    return host_matches(host, host_patterns(site))


def frame_ancestors(site) -> str:
    """The CSP directive that lets browsers show the widget frame only inside the site's
    pages (and our own, e.g. the demo page)."""
    if not site.domain_list:
        return "frame-ancestors *"
    sources = [
        f"{scheme}://{pattern}:*" for pattern in host_patterns(site) for scheme in ("http", "https")
    ]
    return " ".join(["frame-ancestors", "'self'", *sources])
