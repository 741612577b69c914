"""A widget socket opens: which site, whether this page and this address may chat, and the
visitor's session, in one call on the consumers' database thread (chat/realtime/db_threads.py).

One call instead of three: on the embedded SQLite default every call of the pool opens and
closes its own connection, and under a storm of new visitors those trips were a third of
the database thread's time (docs/performance.md, "Connection storm").
"""

from dataclasses import dataclass

from chat.console import selectors
from chat.models import Site
from chat.visitors import blocking, origins, sessions

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


def open_visitor_socket(
    *, widget_key: str, origin: str, host: str, ip: str | None, token: str | None, user_agent: str
) -> Opened:
    site = selectors.site_by_key(widget_key)
    if site is None:
        return Opened(refusal=UNKNOWN_SITE)
    if not origins.origin_allowed(site, origin, request_host=host):
        return Opened(refusal=ORIGIN_NOT_ALLOWED)
    if blocking.is_blocked(site.account_id, ip):
        return Opened(refusal=BLOCKED)
    session = sessions.start_visitor_session(site=site, token=token, ip=ip, user_agent=user_agent)
    return Opened(site=site, session=session)
