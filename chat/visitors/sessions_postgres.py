"""A widget socket's session start and end on PostgreSQL, in hand-written SQL.

The rules are chat/visitors/sessions.py's (which runs the ORM's statements on any other
database); here the same reads and writes take fewer round trips and nothing is compiled
per connect (docs/performance.md, "Seventh round"). The SQL text is built once per
process from the models; instances come back whole through Model.from_db, with the
fields' converters (chat/messaging/store_postgres.py's helpers).

- A new visitor: the visitor and his first visit inserted, and whether an operator of the
  site is online, in one statement (autocommit: one statement is its own transaction).
- A returning visitor: his row locked (so two sockets of his opening at once are
  serialised, as before), then, in a statement that starts after the lock is granted and
  so sees what the other socket committed: his recent visit continued, his counters
  updated, his open dialog with the operators in it now, and the site's online state.
  A new visit (none recent) is one more statement.
- The close: the counters and the visit updated and his open dialog read when this was
  his last socket, in one statement.
"""

from datetime import timedelta
from functools import cache

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection, transaction

from chat.messaging.store_postgres import _fields, _instance, _select_list
from chat.models import BlockedIP, Dialog, Participant, Site, Visit, Visitor
from operators.models import Operator


def _table(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _column(model, name: str) -> str:
    return connection.ops.quote_name(model._meta.get_field(name).column)


def _prep(instance, field, add: bool = True):
    return field.get_db_prep_save(field.pre_save(instance, add), connection)


# --- pieces of SQL, built once ----------------------------------------------------------------


@cache
def _operators_online_sql() -> str:
    """EXISTS of chat.console.presence.online_operators_q for one site; parameters: site
    id, the online status, the grace moment."""
    sites = Operator.sites.through
    return (
        f"EXISTS (SELECT 1 FROM {_table(Operator)} o "
        f"JOIN {_table(sites)} os ON os.{_column(sites, 'operator')} = o.id "
        f"WHERE os.{_column(sites, 'site')} = %s AND o.{_column(Operator, 'status')} = %s "
        f"AND (o.{_column(Operator, 'open_sockets')} > 0 "
        f"OR o.{_column(Operator, 'last_seen_at')} >= %s))"
    )


def _operators_online_params(site_id: int) -> list:
    from django.utils import timezone

    grace = timezone.now() - timedelta(seconds=settings.CHAT_OPERATOR_PRESENCE_GRACE_SECONDS)
    return [site_id, Operator.Status.ONLINE, grace]


_USER_FIELDS = ("id", "first_name", "last_name", get_user_model().USERNAME_FIELD)


@cache
def _operators_sql() -> str:
    """The operators connected to dialog d now, in the order they joined (as
    selectors.active_operators): each as a text array of the fields their names need."""
    user = get_user_model()
    parts = ", ".join(
        [f"o.id::text, o.{_column(Operator, 'display_name')}"]
        + [f"u.{_column(user, name)}::text" for name in _USER_FIELDS]
    )
    return (
        f"ARRAY(SELECT ARRAY[{parts}] FROM {_table(Participant)} p "
        f"JOIN {_table(Operator)} o ON o.id = p.{_column(Participant, 'operator')} "
        f"JOIN {_table(user)} u ON u.id = o.{_column(Operator, 'user')} "
        f"WHERE p.{_column(Participant, 'dialog')} = d.id "
        f"AND p.{_column(Participant, 'left_at')} IS NULL "
        f"ORDER BY p.{_column(Participant, 'joined_at')})"
    )


def _partial(model, values: dict):
    """An instance with these attributes loaded and the others deferred (a read loads
    them): Model.from_db takes the values in the order of the model's fields."""
    names = [f.attname for f in model._meta.concrete_fields if f.attname in values]
    return model.from_db(connection.alias, names, [values[name] for name in names])


def _operators(rows) -> list[Operator]:
    """Operators with their user attached; other fields are deferred."""
    out = []
    for row in rows or ():
        operator_id, display_name, user_id, *user_values = row
        user = _partial(
            get_user_model(), dict(zip(_USER_FIELDS, [int(user_id), *user_values], strict=True))
        )
        operator = _partial(
            Operator, {"id": int(operator_id), "display_name": display_name, "user_id": user.pk}
        )
        operator.user = user
        out.append(operator)
    return out


def _open_statuses() -> str:
    return ", ".join(["%s"] * len(Dialog.OPEN_STATUSES))


# --- the site and its account's blacklist -----------------------------------------------------


@cache
def _site_sql() -> str:
    blocked = _table(BlockedIP)
    return (
        f"SELECT {_select_list(Site, 's')}, "
        f"ARRAY(SELECT ARRAY[b.id::text, b.{_column(BlockedIP, 'network')}] FROM {blocked} b "
        f"WHERE b.{_column(BlockedIP, 'account')} = s.{_column(Site, 'account')} ORDER BY b.id) "
        f"FROM {_table(Site)} s WHERE s.{_column(Site, 'widget_key')} = %s LIMIT 1"
    )


def site_and_blacklist(widget_key: str) -> tuple[Site | None, list[tuple[int, str]]]:
    """The widget socket's site (as selectors.site_by_key) and its account's blacklist
    entries (id, network), in one statement."""
    with connection.cursor() as cursor:
        cursor.execute(_site_sql(), [widget_key])
        row = cursor.fetchone()
    if row is None:
        return None, []
    site = _instance(Site, row[:-1])
    return site, [(int(entry_id), network) for entry_id, network in row[-1]]


# --- a new visitor ----------------------------------------------------------------------------


@cache
def _insert_fields(model) -> tuple:
    return tuple(field for field in _fields(model) if not field.primary_key)


@cache
def _new_visitor_sql() -> str:
    visitor_fields = _insert_fields(Visitor)
    visit_fields = _insert_fields(Visit)
    visitor_columns = ", ".join(connection.ops.quote_name(f.column) for f in visitor_fields)
    visit_columns = ", ".join(connection.ops.quote_name(f.column) for f in visit_fields)
    visit_values = ", ".join(
        "(SELECT id FROM visitor)" if field.name == "visitor" else "%s" for field in visit_fields
    )
    return (
        f"WITH visitor AS (INSERT INTO {_table(Visitor)} ({visitor_columns}) "
        f"VALUES ({', '.join(['%s'] * len(visitor_fields))}) RETURNING id), "
        f"visit AS (INSERT INTO {_table(Visit)} ({visit_columns}) VALUES ({visit_values}) "
        "RETURNING id) "
        f"SELECT (SELECT id FROM visitor), (SELECT id FROM visit), {_operators_online_sql()}"
    )


def new_visitor(visitor: Visitor, visit: Visit, site_id: int) -> bool:
    """Insert the visitor and his first visit (instances not saved yet: their ids are set
    here); returns whether an operator of the site is online."""
    values = [_prep(visitor, field) for field in _insert_fields(Visitor)]
    values += [_prep(visit, field) for field in _insert_fields(Visit) if field.name != "visitor"]
    with connection.cursor() as cursor:
        cursor.execute(_new_visitor_sql(), [*values, *_operators_online_params(site_id)])
        visitor_id, visit_id, online = cursor.fetchone()
    for instance, pk in ((visitor, visitor_id), (visit, visit_id)):
        instance.pk = pk
        instance._state.adding, instance._state.db = False, connection.alias
    visit.visitor = visitor
    return online


# --- a returning visitor ----------------------------------------------------------------------


@cache
def _lock_sql() -> str:
    return (
        f"SELECT {_select_list(Visitor, 'v')} FROM {_table(Visitor)} v "
        f"WHERE v.{_column(Visitor, 'site')} = %s AND v.{_column(Visitor, 'token')} = %s "
        "LIMIT 1 FOR UPDATE"
    )


def lock_visitor(site_id: int, token: str) -> Visitor | None:
    """The visitor of this site holding the token, row-locked until the transaction ends."""
    assert transaction.get_connection().in_atomic_block
    with connection.cursor() as cursor:
        cursor.execute(_lock_sql(), [site_id, token])
        row = cursor.fetchone()
    return None if row is None else _instance(Visitor, row)


@cache
def _continue_sql() -> str:
    visit, visitor, dialog = _table(Visit), _table(Visitor), _table(Dialog)
    last_activity = _column(Visit, "last_activity_at")
    return (
        f"WITH recent AS (SELECT id FROM {visit} WHERE {_column(Visit, 'visitor')} = %s "
        f"AND {last_activity} >= %s ORDER BY {last_activity} DESC LIMIT 1), "
        f"touched AS (UPDATE {visit} SET {last_activity} = %s, {_column(Visit, 'ended_at')} = NULL "
        f"WHERE id = (SELECT id FROM recent) RETURNING {_select_list(Visit, visit)}), "
        f"counted AS (UPDATE {visitor} SET "
        f"{_column(Visitor, 'open_sockets')} = {_column(Visitor, 'open_sockets')} + 1, "
        f"{_column(Visitor, 'visits_count')} = {_column(Visitor, 'visits_count')} "
        "+ CASE WHEN EXISTS (SELECT 1 FROM recent) THEN 0 ELSE 1 END, "
        f"{_column(Visitor, 'last_seen_at')} = %s WHERE id = %s "
        f"RETURNING {_column(Visitor, 'open_sockets')}, {_column(Visitor, 'visits_count')}) "
        f"SELECT counted.{_column(Visitor, 'open_sockets')}, "
        f"counted.{_column(Visitor, 'visits_count')}, {_operators_online_sql()}, "
        f"{_select_list(Visit, 'touched')}, {_select_list(Dialog, 'd')}, "
        f"CASE WHEN d.id IS NULL THEN NULL ELSE {_operators_sql()} END "
        f"FROM counted LEFT JOIN touched ON true "
        f"LEFT JOIN {dialog} d ON d.{_column(Dialog, 'visitor')} = %s "
        f"AND d.{_column(Dialog, 'status')} IN ({_open_statuses()})"
    )


def continue_session(visitor: Visitor, *, site_id: int, now):
    """For a locked visitor: his recent visit continued (None: he has none, the caller
    starts one, already counted here), one more socket counted, his open dialog with the
    operators in it now, whether an operator of the site is online.
    -> (visit or None, dialog or None, operators, operators_online)."""
    cutoff = now - timedelta(minutes=settings.CHAT_VISIT_TIMEOUT_MINUTES)
    params = [visitor.pk, cutoff, now, now, visitor.pk]
    params += [*_operators_online_params(site_id), visitor.pk, *Dialog.OPEN_STATUSES]
    with connection.cursor() as cursor:
        cursor.execute(_continue_sql(), params)
        row = cursor.fetchone()
    visitor.open_sockets, visitor.visits_count, online = row[:3]
    visitor.last_seen_at = now
    start = 3
    visit_end = start + len(_fields(Visit))
    visit = _instance(Visit, row[start:visit_end]) if row[start] is not None else None
    dialog_end = visit_end + len(_fields(Dialog))
    dialog = _instance(Dialog, row[visit_end:dialog_end]) if row[visit_end] is not None else None
    return visit, dialog, _operators(row[dialog_end]) if dialog else [], online


# --- the close --------------------------------------------------------------------------------


@cache
def _end_sql() -> str:
    visitor, visit, dialog = _table(Visitor), _table(Visit), _table(Dialog)
    open_sockets = _column(Visitor, "open_sockets")
    return (
        f"WITH counted AS (UPDATE {visitor} SET {open_sockets} = {open_sockets} - 1, "
        f"{_column(Visitor, 'last_seen_at')} = %s WHERE id = %s AND {open_sockets} > 0 "
        f"RETURNING {open_sockets}), "
        f"ended AS (UPDATE {visit} SET {_column(Visit, 'last_activity_at')} = %s, "
        f"{_column(Visit, 'ended_at')} = %s WHERE id = %s) "
        f"SELECT d.id FROM {dialog} d WHERE d.{_column(Dialog, 'visitor')} = %s "
        f"AND d.{_column(Dialog, 'status')} IN ({_open_statuses()}) "
        f"AND COALESCE((SELECT {open_sockets} FROM counted), "
        f"(SELECT {open_sockets} FROM {visitor} WHERE id = %s)) = 0 LIMIT 1"
    )


def end_session(*, visitor_id: int, visit_id: int, now) -> int | None:
    """One socket fewer, the visit's last activity and end now; the open dialog's id when
    that was his last socket (card.offline_open_dialog_id), else None."""
    params = [now, visitor_id, now, now, visit_id, visitor_id, *Dialog.OPEN_STATUSES, visitor_id]
    with connection.cursor() as cursor:
        cursor.execute(_end_sql(), params)
        row = cursor.fetchone()
    return row[0] if row else None
