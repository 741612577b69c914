"""A dialog's life: opened by a visitor's first message, joined, left and ended by
operators, missed when nobody answered in time. Every writer locks the dialog's row first
(lock_dialog, through the message store), checks access and announces on commit."""

from datetime import timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone, translation

from chat import hooks
from chat.console import row_parts, selectors
from chat.dialogs import access, availability
from chat.errors import AccessDenied, ChatError, NotFound
from chat.messaging import ratelimit, store, system_lines
from chat.models import Dialog, Message, Participant, Visitor
from chat.realtime import events
from chat.visitors import nicknames
from operators.models import Account, Operator


def _next_dialog_number(account_id: int) -> int:
    # The UPDATE locks the account row until commit, so concurrent dialogs get distinct
    # numbers in order; RETURNING (PostgreSQL, SQLite 3.35+) reads the number in the same
    # statement.
    table = Account._meta.db_table
    column = connection.ops.quote_name(Account._meta.get_field("last_dialog_number").column)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {connection.ops.quote_name(table)} SET {column} = {column} + 1 "
            f"WHERE id = %s RETURNING {column}",
            [account_id],
        )
        return cursor.fetchone()[0]


def open_dialog(
    *,
    visitor_id: int,
    visit_id: int | None,
    ip: str | None,
    by_operator: bool = False,
    visitor: Visitor | None = None,
) -> Dialog:
    """A new dialog for the visitor's first message; the caller holds the visitor's row
    lock and found no open dialog. by_operator: an operator writes first
    (chat/dialogs/outreach.py): not the visitor's rate of new dialogs, and no
    hooks.dialog_opened (nobody is to be told of a dialog its operator started).
    visitor: his row, read under that lock with its site (select_related), when the
    caller has it: the dialog gets both attached, so its rows and payloads read neither
    again."""
    if visitor is None:
        visitor = Visitor.objects.select_related("site").get(pk=visitor_id)
    site = visitor.site
    if not by_operator:
        ratelimit.take_dialog_slot(visitor_id=visitor_id, ip=ip)
    number = _next_dialog_number(site.account_id)  # locks the account row until commit
    visitor.animal = nicknames.give_free_nickname(
        visitor_id=visitor_id,
        account_id=site.account_id,
        current=visitor.animal,
        seed=visitor.token,
    )
    dialog = Dialog.objects.create(
        account_id=site.account_id,
        site=site,
        visitor=visitor,
        visit_id=visit_id,
        number=number,
        outside_hours=not availability.site_is_open(site.id),
    )
    row_parts.opened(dialog)  # other apps' parts of its rows: nothing yet, no query
    if not by_operator:
        hooks.dialog_opened.send_on_commit(dialog=dialog)
    return dialog


def lock_dialog(dialog_id: int) -> Dialog:
    """The dialog, row-locked until the transaction ends (NotFound if there is none)."""
    dialog = store.backend.lock_dialog(dialog_id)
    if dialog is None:
        raise NotFound()
    return dialog


def in_widget_language(dialog: Dialog):
    """The language of a system line's stored text (what exports, webhooks and the API
    carry): the site's when it sets one, else the one active now. Readers do not see it:
    each renders the line in his own language (chat/messaging/system_lines.py)."""
    return translation.override(dialog.site.language or translation.get_language())


def system_message(dialog: Dialog, note, operator_ids, *, by: Operator | None = None):
    """Write a system line and announce it on commit. note: a line (system_lines.line:
    every reader gets it in his language) or a plain text (shown as it is). by: the
    operator the line is about; it then stays in the console (console_only)."""
    line = note if isinstance(note, dict) else None
    if line is not None:
        with in_widget_language(dialog):
            note = system_lines.text(line)
    message = Message.objects.create(
        dialog=dialog, author_kind=Message.Author.SYSTEM, text=note, line=line, operator=by
    )
    events.message_posted_on_commit(message, dialog, operator_ids)
    return message


# --- dialog lifecycle -------------------------------------------------------------------


def connect_operator(*, operator: Operator, dialog_id: int, invited: bool = False) -> Dialog:
    """Join a dialog: it becomes active and the visitor sees who answers him. An invited
    operator joins a colleague's dialog without the "join others" flag."""
    with transaction.atomic():
        dialog = lock_dialog(dialog_id)
        operators = selectors.active_operators(dialog.id)
        operator_ids = [op.id for op in operators]
        if operator.id in operator_ids:
            return dialog
        site_ids = selectors.site_ids_of(operator)
        if invited:
            allowed = dialog.site_id in site_ids and dialog.is_open
        else:
            allowed = access.can_connect(operator, dialog, site_ids, operator_ids)
        if not allowed:
            if dialog.status == Dialog.Status.CLOSED and access.can_view_dialog(
                operator, dialog, site_ids, operator_ids
            ):
                raise ChatError("dialog_closed", "The dialog has ended.")
            raise AccessDenied()
        join_locked_dialog(dialog, operator, operators)
        return dialog


def join_locked_dialog(dialog: Dialog, operator: Operator, operators: list[Operator]) -> None:
    """Connect the operator to a dialog whose row the caller has locked and whose access
    it checked: it becomes active, the visitor is told who answers him. operators: those
    connected now (the list is extended). Also the routing app's way to give a dialog to
    one operator (chat/dialogs/assignment.py)."""
    now = timezone.now()
    participant = Participant(dialog=dialog, operator=operator, joined_at=now)
    dialog.status = Dialog.Status.ACTIVE
    dialog.accepted_at = dialog.accepted_at or now
    line = system_lines.line("joined", name=operator.name)
    with in_widget_language(dialog):
        note = system_lines.text(line)
    message = Message(dialog=dialog, author_kind=Message.Author.SYSTEM, text=note, line=line)
    # one statement on PostgreSQL (chat/messaging/store_postgres.py), three elsewhere
    store.backend.write_join(dialog, participant, ["status", "accepted_at"], message)
    operators.append(operator)
    events.message_posted_on_commit(message, dialog, [op.id for op in operators])
    events.dialog_changed_on_commit(dialog, operators)


def _join(dialog: Dialog, operator: Operator) -> None:
    """The operator is in the dialog from now on, and it is active."""
    now = timezone.now()
    Participant.objects.create(dialog=dialog, operator=operator, joined_at=now)
    dialog.status = Dialog.Status.ACTIVE
    dialog.accepted_at = dialog.accepted_at or now
    dialog.save(update_fields=["status", "accepted_at"])


def hand_over_locked(
    dialog: Dialog, *, sender: Operator, receiver: Operator, operators: list, line
) -> list[Operator]:
    """One operator hands an open dialog to another (teamwork's transfer): the receiver
    joins (unless he is in it), the sender leaves, and the visitor reads one line instead
    of "joined" and "left". The caller locked the dialog (lock_dialog), read its connected
    operators and checked every rule. line: as system_message's note. Returns the operators
    connected now."""
    if receiver.id not in {op.id for op in operators}:
        _join(dialog, receiver)
        operators = [*operators, receiver]
    Participant.objects.connected().filter(dialog=dialog, operator=sender).update(
        left_at=timezone.now()
    )
    remaining = [op for op in operators if op.id != sender.id]
    system_message(dialog, line, [op.id for op in remaining])
    events.dialog_changed_on_commit(dialog, remaining)
    return remaining


def end_dialog(*, operator: Operator, dialog_id: int) -> Dialog:
    """Close the dialog for everyone; it moves to history and the visitor is told."""
    with transaction.atomic():
        dialog = lock_dialog(dialog_id)
        operators = selectors.active_operators(dialog.id)
        operator_ids = [op.id for op in operators]
        site_ids = selectors.site_ids_of(operator)
        allowed = operator.id in operator_ids or (
            access.can_view_dialog(operator, dialog, site_ids, operator_ids) and not operator_ids
        )
        if not allowed:
            raise AccessDenied()
        if not dialog.is_open:  # ending twice is a no-op, for those who may end it at all
            return dialog
        close_locked_dialog(dialog, note=system_lines.line("ended", name=operator.name))
        return dialog


def close_locked_dialog(
    dialog: Dialog, *, note, note_by: Operator | None = None, automatic: bool = False
) -> None:
    """Close a dialog whose row the caller has locked and whose permission it checked:
    everyone leaves, the note (as system_message's) goes to the transcript, every screen is
    told. A note_by
    note is for the console only (Message.console_only); automatic: no operator ended it
    (chat.dialogs.autoclose), kept in Dialog.closed_automatically."""
    now = timezone.now()
    Participant.objects.connected().filter(dialog=dialog).update(left_at=now)
    dialog.status = Dialog.Status.CLOSED
    dialog.closed_at = now
    dialog.closed_automatically = automatic
    dialog.save(update_fields=["status", "closed_at", "closed_automatically"])
    system_message(dialog, note, [], by=note_by)
    events.dialog_changed_on_commit(dialog, [])
    hooks.dialog_ended.send_on_commit(dialog=dialog)


def leave_dialog(*, operator: Operator, dialog_id: int) -> Dialog:
    """Step out of a dialog. When nobody is left it is new again, in everyone's Mine."""
    with transaction.atomic():
        dialog = lock_dialog(dialog_id)
        operators = selectors.active_operators(dialog.id)
        if operator.id not in {op.id for op in operators}:
            if not access.can_view_dialog(
                operator, dialog, selectors.site_ids_of(operator), [op.id for op in operators]
            ):
                raise AccessDenied()
            raise ChatError("not_connected", "You are not in this dialog.")
        Participant.objects.connected().filter(dialog=dialog, operator=operator).update(
            left_at=timezone.now()
        )
        remaining = [op for op in operators if op.id != operator.id]
        if not remaining and dialog.is_open:
            dialog.status = Dialog.Status.NEW
            dialog.save(update_fields=["status"])
        note = system_lines.line("left", name=operator.name)
        system_message(dialog, note, [op.id for op in remaining])
        events.dialog_changed_on_commit(dialog, remaining)
        return dialog


def mark_missed(*, now=None) -> list[int]:
    """New dialogs whose visitor has been gone longer than the grace period become missed.
    Idempotent: a dialog is marked once, and only while it is still new."""
    now = now or timezone.now()
    gone_before = now - timedelta(seconds=settings.CHAT_MISSED_GRACE_SECONDS)
    marked = []
    with transaction.atomic():
        candidates = (
            Dialog.objects.select_for_update(of=("self",), skip_locked=True)
            .select_related("site", "visitor")
            .filter(
                status=Dialog.Status.NEW,
                outside_hours=False,  # opened while the site was closed: nobody was due
                visitor__open_sockets=0,
                visitor__last_seen_at__lt=gone_before,
            )
            .exclude(
                Exists(
                    Message.objects.filter(
                        dialog=OuterRef("pk"), author_kind=Message.Author.OPERATOR
                    )
                )
            )
        )
        candidates = list(candidates)
        row_parts.load(candidates)  # other apps' parts of the rows, one query for all
        for dialog in candidates:
            dialog.status = Dialog.Status.MISSED
            dialog.missed_at = now
            dialog.save(update_fields=["status", "missed_at"])
            events.dialog_changed_on_commit(dialog, [])
            marked.append(dialog.id)
    return marked
