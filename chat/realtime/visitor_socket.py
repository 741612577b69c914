"""A widget socket opens: which site, whether this page and this address may chat, and the
visitor's session, in one call on the consumers' database thread (chat/realtime/db_threads.py).

One call instead of three: on the embedded SQLite default every call of the pool opens and
closes its own connection, and under a storm of new visitors those trips were a third of
the database thread's time (docs/performance.md, "Connection storm").
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import connection

from chat import hooks
from chat.console import selectors
from chat.dialogs import availability
from chat.models import Site
from chat.realtime import extensions
from chat.visitors import blocking, origins, sessions, sessions_postgres

UNKNOWN_SITE = "unknown_site"
ORIGIN_NOT_ALLOWED = "origin_not_allowed"
BLOCKED = "blocked"


@dataclass
class Opened:
    """refusal: why the socket may not chat (one of the constants above), else None and
    the site and the visitor's session."""

    refusal: str | None = None
    site: Site | None = None
    session: sessions.VisitorSession | None = None
    language: str = ""
    site_open: bool = True  # inside the site's business hours (chat/dialogs/availability.py)
    hello_parts: dict = field(default_factory=dict)  # other apps' parts of hello


def open_visitor_socket(
    *,
    widget_key: str,
    origin: str,
    host: str,
    ip: str | None,
    token: str | None,
    user_agent: str,
    language_of: Callable[[Site], str] = lambda site: site.language,
    socket_id: str = "",
    browser_language: str = "",
) -> Opened:
    """language_of: the socket's language for the site (the site's, else the browser's).
    socket_id, browser_language: for hooks.visitor_socket_opened (who is online)."""
    if connection.vendor == "postgresql":  # the site and the blacklist in one statement
        site, blacklist = sessions_postgres.site_and_blacklist(widget_key)
    else:
        site, blacklist = selectors.site_by_key(widget_key), None
    if site is None:
        return Opened(refusal=UNKNOWN_SITE)
    if not origins.origin_allowed(site, origin, request_host=host):
        return Opened(refusal=ORIGIN_NOT_ALLOWED)
    if (
        blocking.is_blocked_by(blacklist, ip)
        if blacklist is not None
        else blocking.is_blocked(site.account_id, ip)
    ):
        return Opened(refusal=BLOCKED)
    session = sessions.start_visitor_session(site=site, token=token, ip=ip, user_agent=user_agent)
    language = language_of(site)
    hooks.visitor_socket_opened.send_on_commit(
        site=site, session=session, socket_id=socket_id, language=browser_language
    )
    return Opened(
        site=site,
        session=session,
        language=language,
        site_open=availability.site_is_open(site.id),
        hello_parts=extensions.hello_parts(site=site, session=session, language=language),
    )
