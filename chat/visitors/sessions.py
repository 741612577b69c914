"""A visitor's widget sockets: his session (visitor and visit found or started, ended) and
the page he is on."""

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from chat import hooks
from chat.console import selectors
from chat.errors import ChatError
from chat.models import Dialog, Site, Visit, Visitor
from chat.realtime import events
from chat.visitors import animals, card, sessions_postgres, visits
from operators.models import Operator


@dataclass
class VisitorSession:
    visitor: Visitor
    visit: Visit
    dialog: Dialog | None
    operators: list[Operator]
    operators_online: bool


def start_visitor_session(*, site: Site, token: str | None, ip: str | None, user_agent: str):
    """A widget socket opened: find or create the visitor, continue or start his visit.
    On PostgreSQL the same in hand-written statements (chat/visitors/sessions_postgres.py)."""
    if connection.vendor == "postgresql":
        return _start_on_postgres(site=site, token=token, ip=ip, user_agent=user_agent)
    with transaction.atomic():
        now = timezone.now()
        visitor = None
        if token:
            visitor = Visitor.objects.select_for_update().filter(site=site, token=token).first()
        if visitor is None:
            return _new_visitor_session(site=site, ip=ip, user_agent=user_agent, now=now)
        visit = (
            visitor.visits.filter(
                last_activity_at__gte=now - timedelta(minutes=settings.CHAT_VISIT_TIMEOUT_MINUTES)
            )
            .order_by("-last_activity_at")
            .first()
        )
        new_visit = visit is None
        if new_visit:
            visit = _new_visit(visitor, ip=ip, user_agent=user_agent, now=now)
        else:
            visit.last_activity_at = now
            visit.ended_at = None
            visit.save(update_fields=["last_activity_at", "ended_at"])
        _count_socket(visitor, new_visit=new_visit, now=now)
        dialog = selectors.open_dialog_of(visitor.id)
        _came_online(visitor, dialog)
        return VisitorSession(
            visitor=visitor,
            visit=visit,
            dialog=dialog,
            operators=selectors.active_operators(dialog.id) if dialog else [],
            operators_online=selectors.operators_online(site.id),
        )


def _came_online(visitor: Visitor, dialog: Dialog | None) -> None:
    if dialog and visitor.open_sockets == 1:  # visitor card: he came online
        events.visitor_online_on_commit(dialog.id, online=True)


def _start_on_postgres(*, site: Site, token, ip, user_agent: str) -> VisitorSession:
    now = timezone.now()
    if not token:  # one statement, its own transaction
        return _new_on_postgres(site, ip, user_agent, now)
    with transaction.atomic():
        visitor = sessions_postgres.lock_visitor(site.id, token)
        if visitor is None:
            return _new_on_postgres(site, ip, user_agent, now)
        visit, dialog, operators, online = sessions_postgres.continue_session(
            visitor, site_id=site.id, now=now
        )
        if visit is None:  # none recent: a new one (counted already)
            visit = _new_visit(visitor, ip=ip, user_agent=user_agent, now=now)
        _came_online(visitor, dialog)
        return VisitorSession(
            visitor=visitor,
            visit=visit,
            dialog=dialog,
            operators=operators,
            operators_online=online,
        )


def _count_socket(visitor: Visitor, *, new_visit: bool, now) -> None:
    """One more open socket (and visit): the counters updated and read back in one
    statement, where save() and refresh_from_db() took two (docs/performance.md, "Fifth
    round"). RETURNING: PostgreSQL, and SQLite since 3.35."""
    table = connection.ops.quote_name(Visitor._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET open_sockets = open_sockets + 1,"
            " visits_count = visits_count + %s, last_seen_at = %s"
            " WHERE id = %s RETURNING open_sockets, visits_count",
            [1 if new_visit else 0, now, visitor.id],
        )
        visitor.open_sockets, visitor.visits_count = cursor.fetchone()
    visitor.last_seen_at = now


def _new_on_postgres(site: Site, ip, user_agent: str, now) -> VisitorSession:
    visitor, visit = _new_visitor(site, now), _unsaved_visit(ip, user_agent, now)
    online = sessions_postgres.new_visitor(visitor, visit, site.id)
    return VisitorSession(
        visitor=visitor, visit=visit, dialog=None, operators=[], operators_online=online
    )


def _new_visitor(site: Site, now) -> Visitor:
    visitor = Visitor(
        site=site, visits_count=1, open_sockets=1, first_seen_at=now, last_seen_at=now
    )
    visitor.animal = animals.animal_for(visitor.token)
    return visitor


def _unsaved_visit(ip, user_agent: str, now) -> Visit:
    return Visit(
        ip=ip,
        user_agent=user_agent[:1000],
        started_at=now,
        **visits.describe(ip=ip, user_agent=user_agent),  # browser, OS, location
    )


def _new_visitor_session(*, site: Site, ip, user_agent: str, now) -> VisitorSession:
    """A visitor seen for the first time: stored with his first visit and socket counted,
    nothing to look up (a storm of new visitors is the commonest burst of connects,
    docs/performance.md "Connection storm")."""
    visitor = _new_visitor(site, now)
    visitor.save()
    return VisitorSession(
        visitor=visitor,
        visit=_new_visit(visitor, ip=ip, user_agent=user_agent, now=now),
        dialog=None,
        operators=[],
        operators_online=selectors.operators_online(site.id),
    )


def _new_visit(visitor: Visitor, *, ip, user_agent: str, now) -> Visit:
    visit = _unsaved_visit(ip, user_agent, now)
    visit.visitor = visitor
    visit.save(force_insert=True)
    return visit


def end_visitor_session(
    *, visitor_id: int, visit_id: int, site_id: int | None = None, socket_id: str = ""
) -> None:
    """site_id, socket_id: the closing socket's, for hooks.visitor_socket_closed."""
    if connection.vendor == "postgresql":  # one statement (chat/visitors/sessions_postgres.py)
        offline_in = sessions_postgres.end_session(
            visitor_id=visitor_id, visit_id=visit_id, now=timezone.now()
        )
        _ended(offline_in, visitor_id=visitor_id, site_id=site_id, socket_id=socket_id)
        return
    with transaction.atomic():
        now = timezone.now()
        Visitor.objects.filter(pk=visitor_id, open_sockets__gt=0).update(
            open_sockets=F("open_sockets") - 1, last_seen_at=now
        )
        Visit.objects.filter(pk=visit_id).update(last_activity_at=now, ended_at=now)
        offline_in = card.offline_open_dialog_id(visitor_id)
        _ended(offline_in, visitor_id=visitor_id, site_id=site_id, socket_id=socket_id)


def _ended(offline_in: int | None, *, visitor_id: int, site_id, socket_id: str) -> None:
    if offline_in:  # visitor card: he went offline
        events.visitor_online_on_commit(offline_in, online=False)
    if site_id is not None:
        hooks.visitor_socket_closed.send_on_commit(
            site_id=site_id, visitor_id=visitor_id, socket_id=socket_id
        )


def _plain(value, limit: int) -> str:
    """A string for storage: NUL removed (PostgreSQL refuses it), cut to the column size."""
    return value.replace("\x00", "")[:limit] if isinstance(value, str) else ""


def _web_url(value) -> str:
    """Only http(s) URLs are kept: the console shows them as links."""
    url = _plain(value, 2000).strip()
    return url if url.lower().startswith(("http://", "https://")) else ""


def record_page(
    *,
    visit_id: int,
    url,
    title,
    referrer=None,
    utm=None,
    site_id: int | None = None,
    socket_id: str = "",
) -> None:
    """The visitor is on a page now; the first page of a visit is its landing page.
    site_id, socket_id: the reporting socket's, for hooks.visitor_page_changed."""
    with transaction.atomic():
        if not isinstance(url, str) or not _web_url(url):
            raise ChatError("invalid", "url must be the http(s) address of the page.")
        visit = Visit.objects.get(pk=visit_id)
        visit.current_url, visit.current_title = _web_url(url), _plain(title, 300)
        visit.last_activity_at = timezone.now()
        if not visit.landing_url:
            visit.landing_url = visit.current_url
            visit.referrer = _web_url(referrer)
            if isinstance(utm, dict):
                kept = [
                    (key, value)
                    for key, value in utm.items()
                    if isinstance(key, str) and key.startswith("utm_") and isinstance(value, str)
                ]
                visit.utm = {_plain(key, 50): _plain(value, 200) for key, value in kept[:10]}
        visit.save()
        dialog = selectors.open_dialog_of(visit.visitor_id)
        if dialog:  # visitor card: the open dialog shows the page live
            events.visitor_page_on_commit(dialog.id, visit)
        if site_id is not None:
            hooks.visitor_page_changed.send_on_commit(
                site_id=site_id, visit=visit, socket_id=socket_id
            )
