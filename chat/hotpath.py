"""The commonest writes, a text message in an open dialog, in hand-written SQL on PostgreSQL.

chat/services.py keeps every rule; this module only stores what the service decided, in
fewer statements than the ORM and without compiling them for every message. Compiling
the ORM's five statements was most of a message's CPU (docs/performance.md, "Fourth
round"). Each function returns None where the general ORM path must decide instead (no
open dialog, a resend); the service then takes that path in the same transaction.

Round trips inside the service's transaction:
- a visitor's message: lock the dialog (with site and visitor), then insert the message,
  update the dialog and the visit and read the connected operators in one statement;
- an operator's message: lock, read the connected operators and the resend check, then
  insert and update in one statement.

The participants are read by a statement that starts after the lock is granted: under
READ COMMITTED it sees every connect and leave committed before, which a sub-select of
the locking statement itself would not.

Only on PostgreSQL (data-modifying WITH, FOR UPDATE OF, ON CONFLICT on the partial unique
index). Instances come back whole through Model.from_db, with the fields' converters,
so templates and payloads see what the ORM would have given them.
"""

from functools import cache

from django.db import connection
from django.db.models.signals import post_save

from chat.models import Dialog, Message, Participant, Site, Visit, Visitor


def enabled() -> bool:
    return connection.vendor == "postgresql"


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
    """INSERT ... ON CONFLICT DO NOTHING RETURNING id, for a WITH clause: a concurrent
    send of the same client_id into the same dialog inserts nothing (the service's
    general path then answers it as a resend)."""
    fields = _insert_fields()
    values = [field.get_db_prep_save(field.pre_save(message, True), connection) for field in fields]
    return _insert_sql(), values


@cache
def _insert_fields() -> tuple:
    return tuple(field for field in _fields(Message) if not field.primary_key)


@cache
def _insert_sql() -> str:
    columns = ", ".join(f'"{field.column}"' for field in _insert_fields())
    placeholders = ", ".join(["%s"] * len(_insert_fields()))
    return (
        f"INSERT INTO {Message._meta.db_table} ({columns}) VALUES ({placeholders}) "
        "ON CONFLICT (dialog_id, client_id) WHERE NOT (client_id = '') DO NOTHING "
        "RETURNING id"
    )


def _update(model, instance, field_names, *, when: str) -> tuple[str, list]:
    """UPDATE of the named fields, for a WITH clause, done only when `when` holds."""
    fields = [model._meta.get_field(name) for name in field_names]
    assignments = ", ".join(f'"{field.column}" = %s' for field in fields)
    values = [
        field.get_db_prep_save(getattr(instance, field.attname), connection) for field in fields
    ]
    sql = f"UPDATE {model._meta.db_table} SET {assignments} WHERE id = %s AND {when}"
    return sql, [*values, instance.pk]


def _connected_operators_sql() -> str:
    return (
        f"ARRAY(SELECT operator_id FROM {Participant._meta.db_table} "
        "WHERE dialog_id = %s AND left_at IS NULL ORDER BY id)"
    )


def _stored(message: Message, message_id: int) -> Message:
    message.pk = message_id
    message._state.adding, message._state.db = False, connection.alias
    # Django's post_save, as Model.save sends it (push/receivers.py listens).
    post_save.send(
        sender=Message, instance=message, created=True, update_fields=None, raw=False,
        using=connection.alias,
    )  # fmt: skip
    return message


# --- visitor ------------------------------------------------------------------------------


def lock_open_dialog(visitor_id: int, client_id: str) -> tuple[Dialog | None, bool]:
    """The visitor's open dialog, row-locked (or None), and whether a message with this
    client_id is already stored in any of his dialogs (a resend, for the general path)."""
    resent = (
        f", EXISTS (SELECT 1 FROM {Message._meta.db_table} m "
        f"JOIN {Dialog._meta.db_table} md ON md.id = m.dialog_id "
        "WHERE md.visitor_id = %s AND m.client_id = %s)"
    )
    statuses = ", ".join(["%s"] * len(Dialog.OPEN_STATUSES))
    dialog, rest = _locked_dialog(
        f"d.visitor_id = %s AND d.status IN ({statuses})",
        [visitor_id, client_id, visitor_id, *Dialog.OPEN_STATUSES],
        extra=resent,
    )
    if dialog is None:
        return None, False
    return dialog, rest[0]


def store_visitor_message(message: Message, dialog: Dialog, dialog_fields, *, visit_id):
    """Insert the message, save dialog_fields of the locked dialog, touch the visit; one
    statement. Returns (message, connected operator ids), or None if the client_id was
    taken meanwhile (nothing written)."""
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
    return _stored(message, message_id), list(operator_ids)


# --- operator -----------------------------------------------------------------------------


def lock_dialog(dialog_id: int):
    """The dialog row-locked with its site and visitor, or None if there is none."""
    dialog, _rest = _locked_dialog("d.id = %s", [dialog_id])
    return dialog


def connected_and_resent(dialog_id: int, client_id: str) -> tuple[list[int], bool]:
    """The operators connected to the locked dialog, and whether client_id is stored in it."""
    sql = (
        f"SELECT {_connected_operators_sql()}, "
        f"EXISTS (SELECT 1 FROM {Message._meta.db_table} WHERE dialog_id = %s AND client_id = %s)"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [dialog_id, dialog_id, client_id])
        operator_ids, resent = cursor.fetchone()
    return list(operator_ids), resent


def store_operator_message(message: Message, dialog: Dialog, dialog_fields):
    """Insert the message and save dialog_fields of the locked dialog in one statement.
    Returns the message, or None if the client_id was taken meanwhile (nothing written)."""
    insert, insert_values = _insert_message(message)
    update, update_values = _update(
        Dialog, dialog, dialog_fields, when="EXISTS (SELECT 1 FROM inserted)"
    )
    sql = f"WITH inserted AS ({insert}), dialog AS ({update}) SELECT id FROM inserted"
    with connection.cursor() as cursor:
        cursor.execute(sql, [*insert_values, *update_values])
        row = cursor.fetchone()
    return None if row is None else _stored(message, row[0])
