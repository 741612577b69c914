"""The message store on PostgreSQL, in hand-written SQL (the contract: chat/messaging/store.py).

Compiling the ORM's five statements for every message was most of a message's CPU
(docs/performance.md, "Fourth round"); here the SQL text is built once per process from
the models (columns, the connected-participants queryset, the unique constraint's
condition) and instances come back whole through Model.from_db, with the fields'
converters, so templates and payloads see what the ORM would have given them.

Round trips inside the service's transaction:
- a visitor's message: lock the dialog (with site and visitor, and the resend check),
  then insert the message, update the dialog and the visit and read the connected
  operators in one statement;
- an operator's message: lock, read the connected operators and the resend check, then
  insert and update in one statement.
- an operator's join (Connect): the participant, the dialog's status and the "joined"
  line in one statement (after the lock and the reads of connect_operator).

The lock statement's resend check reads the snapshot from before its lock wait, so a send
of the same client_id committed meanwhile is caught by the insert's ON CONFLICT on the
partial unique index (write_* then return None / False, nothing written). The
participants are read by a statement that starts after the lock is granted: under READ
COMMITTED it sees every connect and leave committed before, which a sub-select of the
locking statement itself would not.
"""

from functools import cache

from django.db import connection
from django.db.models import Q
from django.db.models.sql import Query

from chat.messaging.store import connected_operator_ids
from chat.models import Dialog, Message, Participant, Site, Visit, Visitor

# --- columns and instances ------------------------------------------------------------------


@cache
def _fields(model) -> tuple:
    return tuple(model._meta.concrete_fields)


@cache  # SQL text is built once per process, not per message
def _select_list(model, alias: str) -> str:
    return ", ".join(f'{alias}."{field.column}"' for field in _fields(model))


@cache
def _converters(model) -> tuple:
    """What SQLCompiler.apply_converters would run on each column (e.g. a JSON field)."""
    table = model._meta.db_table
    out = []
    for index, field in enumerate(_fields(model)):
        expression = field.get_col(table)
        found = connection.ops.get_db_converters(expression) + field.get_db_converters(connection)
        if found:
            out.append((index, expression, found))
    return tuple(out)


def _instance(model, values):
    values = list(values)
    for index, expression, converters in _converters(model):
        for converter in converters:
            values[index] = converter(values[index], expression, connection)
    return model.from_db(connection.alias, [f.attname for f in _fields(model)], values)


def _split(row, *models):
    """One row of joined select lists -> an instance per model, in order, and the rest."""
    out, start = [], 0
    for model in models:
        end = start + len(_fields(model))
        out.append(_instance(model, row[start:end]))
        start = end
    return out, row[start:]


def _locked_dialog(where: str, params, extra: str = ""):
    """The dialog row-locked (not its site's or visitor's rows), with site and visitor
    attached as select_related would. extra: more select columns, returned after them."""
    sql = (
        f"SELECT {_select_list(Dialog, 'd')}, {_select_list(Site, 's')}, "
        f"{_select_list(Visitor, 'v')}{extra} "
        f"FROM {Dialog._meta.db_table} d "
        f"JOIN {Site._meta.db_table} s ON s.id = d.site_id "
        f"JOIN {Visitor._meta.db_table} v ON v.id = d.visitor_id "
        f"WHERE {where} ORDER BY d.id LIMIT 1 FOR UPDATE OF d"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    if row is None:
        return None, ()
    (dialog, site, visitor), rest = _split(row, Dialog, Site, Visitor)
    dialog.site, dialog.visitor = site, visitor
    return dialog, rest


# --- the statements -------------------------------------------------------------------------


def _insert_message(message: Message) -> tuple[str, list]:
    """INSERT ... ON CONFLICT DO NOTHING RETURNING id, for a WITH clause."""
    values = [
        field.get_db_prep_save(field.pre_save(message, True), connection)
        for field in _insert_fields()
    ]
    return _insert_sql(), values


@cache
def _insert_fields(model=Message) -> tuple:
    return tuple(field for field in _fields(model) if not field.primary_key)


@cache
def _plain_insert_sql(model) -> str:
    """INSERT ... RETURNING id of every column but the key, for a WITH clause."""
    columns = ", ".join(f'"{field.column}"' for field in _insert_fields(model))
    placeholders = ", ".join(["%s"] * len(_insert_fields(model)))
    return f"INSERT INTO {model._meta.db_table} ({columns}) VALUES ({placeholders}) RETURNING id"


def _insert_values(instance) -> list:
    return [
        field.get_db_prep_save(field.pre_save(instance, True), connection)
        for field in _insert_fields(type(instance))
    ]


@cache
def _insert_sql() -> str:
    columns = ", ".join(f'"{field.column}"' for field in _insert_fields())
    placeholders = ", ".join(["%s"] * len(_insert_fields()))
    return (
        f"INSERT INTO {Message._meta.db_table} ({columns}) VALUES ({placeholders}) "
        f"ON CONFLICT {_client_id_conflict_target()} DO NOTHING RETURNING id"
    )


def _client_id_conflict_target() -> str:
    """The partial unique index of (dialog, client_id), spelled from Message's constraint."""
    (constraint,) = (
        c
        for c in Message._meta.constraints
        if tuple(getattr(c, "fields", ())) == ("dialog", "client_id")
    )
    columns = ", ".join(f'"{Message._meta.get_field(name).column}"' for name in constraint.fields)
    return f"({columns}) WHERE {_where_sql(Message, constraint.condition)}"


def _where_sql(model, condition: Q) -> str:
    """A Q as SQL with its values inlined (as UniqueConstraint writes its index), without
    table names: an index predicate names bare columns."""
    query = Query(model=model, alias_cols=False)
    compiler = query.get_compiler(connection=connection)
    sql, params = query.build_where(condition).as_sql(compiler, connection)
    return connection.ops.compose_sql(sql, params)


def _update(model, instance, field_names, *, when: str) -> tuple[str, list]:
    """UPDATE of the named fields, for a WITH clause, done only when `when` holds."""
    fields = [model._meta.get_field(name) for name in field_names]
    assignments = ", ".join(f'"{field.column}" = %s' for field in fields)
    values = [
        field.get_db_prep_save(getattr(instance, field.attname), connection) for field in fields
    ]
    sql = f"UPDATE {model._meta.db_table} SET {assignments} WHERE id = %s AND {when}"
    return sql, [*values, instance.pk]


@cache
def _connected_operators_sql() -> str:
    """ARRAY(...) of store.connected_operator_ids, with the dialog id as its one parameter."""
    sql, params = connected_operator_ids(0).query.sql_with_params()
    assert list(params) == [0], params  # the dialog id is the only value in it
    return f"ARRAY({sql})"


def _stored(message: Message, message_id: int) -> Message:
    message.pk = message_id
    message._state.adding, message._state.db = False, connection.alias
    return message


@cache
def _message_in_dialog_sql() -> str:
    return (
        f"EXISTS (SELECT 1 FROM {Message._meta.db_table} WHERE dialog_id = %s AND client_id = %s)"
    )


@cache
def _message_of_visitor_sql() -> str:
    return (
        f"EXISTS (SELECT 1 FROM {Message._meta.db_table} m "
        f"JOIN {Dialog._meta.db_table} md ON md.id = m.dialog_id "
        "WHERE md.visitor_id = %s AND m.client_id = %s)"
    )


class PostgresMessageStore:
    def lock_dialog(self, dialog_id: int) -> Dialog | None:
        dialog, _rest = _locked_dialog("d.id = %s", [dialog_id])
        return dialog

    def lock_open_dialog(self, visitor_id: int, client_id: str) -> tuple[Dialog | None, bool]:
        statuses = ", ".join(["%s"] * len(Dialog.OPEN_STATUSES))
        dialog, rest = _locked_dialog(
            f"d.visitor_id = %s AND d.status IN ({statuses})",
            [visitor_id, client_id, visitor_id, *Dialog.OPEN_STATUSES],
            extra=f", {_message_of_visitor_sql()}",
        )
        return (None, False) if dialog is None else (dialog, rest[0])

    def resent_by_visitor(self, visitor_id: int, client_id: str) -> bool:
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT {_message_of_visitor_sql()}", [visitor_id, client_id])
            return cursor.fetchone()[0]

    def connected_and_resent(self, dialog_id: int, client_id: str) -> tuple[list[int], bool]:
        sql = f"SELECT {_connected_operators_sql()}, {_message_in_dialog_sql()}"
        with connection.cursor() as cursor:
            cursor.execute(sql, [dialog_id, dialog_id, client_id])
            operator_ids, resent = cursor.fetchone()
        return list(operator_ids), resent

    def write_visitor_message(self, message, dialog, dialog_fields, *, visit_id):
        insert, insert_values = _insert_message(message)
        update, update_values = _update(
            Dialog, dialog, dialog_fields, when="EXISTS (SELECT 1 FROM inserted)"
        )
        visit_table = Visit._meta.db_table
        sql = (
            f"WITH inserted AS ({insert}), "
            f"dialog AS ({update}), "
            f"visit AS (UPDATE {visit_table} SET last_activity_at = %s "
            "WHERE id = %s AND EXISTS (SELECT 1 FROM inserted)) "
            f"SELECT (SELECT id FROM inserted), {_connected_operators_sql()}"
        )
        touched = Visit._meta.get_field("last_activity_at").get_db_prep_save(
            message.created_at, connection
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [*insert_values, *update_values, touched, visit_id, dialog.pk])
            message_id, operator_ids = cursor.fetchone()
        if message_id is None:
            return None
        _stored(message, message_id)
        return list(operator_ids)

    def write_operator_message(self, message, dialog, dialog_fields) -> bool:
        insert, insert_values = _insert_message(message)
        update, update_values = _update(
            Dialog, dialog, dialog_fields, when="EXISTS (SELECT 1 FROM inserted)"
        )
        sql = f"WITH inserted AS ({insert}), dialog AS ({update}) SELECT id FROM inserted"
        with connection.cursor() as cursor:
            cursor.execute(sql, [*insert_values, *update_values])
            row = cursor.fetchone()
        if row is None:
            return False
        _stored(message, row[0])
        return True

    def write_join(self, dialog, participant, dialog_fields, message) -> None:
        update, update_values = _update(Dialog, dialog, dialog_fields, when="TRUE")
        sql = (
            f"WITH joined AS ({_plain_insert_sql(Participant)}), "
            f"dialog AS ({update}), "
            f"line AS ({_plain_insert_sql(Message)}) "
            "SELECT (SELECT id FROM joined), (SELECT id FROM line)"
        )
        params = [*_insert_values(participant), *update_values, *_insert_values(message)]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            participant_id, message_id = cursor.fetchone()
        _stored(participant, participant_id)
        _stored(message, message_id)
