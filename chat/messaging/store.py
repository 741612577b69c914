"""Where a person's message is locked for and written: one contract, two implementations.

The services (chat/messaging/services.py) clean the input, check the limits, decide what
the message changes on its dialog, and call the store once to lock and once to write.
The store only runs the statements; it holds no rule. ``backend`` is chosen once, from
the database: ``PostgresMessageStore`` (chat/messaging/store_postgres.py, hand-written
SQL, fewer statements than the ORM and nothing compiled per message) on PostgreSQL,
``PortableMessageStore`` (the ORM) elsewhere.

The contract, which both implementations keep (tests/chat/test_message_store.py runs its
contract tests on both, and the races that only PostgreSQL can have on it):

``lock_dialog(dialog_id) -> Dialog | None``
    The dialog, row-locked until the transaction ends (not its site's or visitor's
    rows), with ``site`` and ``visitor`` attached as select_related would; None if there
    is no such dialog. Every writer of a dialog takes this lock first.

``lock_open_dialog(visitor_id, client_id) -> (Dialog | None, resent)``
    The visitor's open dialog locked as above, or None; ``resent``: whether a message
    with this client_id is already stored in any of his dialogs. False when he has no
    open dialog (the service then asks itself, under the visitor's row lock).

``resent_by_visitor(visitor_id, client_id) -> bool``
    Whether a message with this client_id is stored in any of the visitor's dialogs (the
    first message's resend check, under the visitor's row lock, when he has no open
    dialog).

``connected_and_resent(dialog_id, client_id) -> (operator ids, resent)``
    For a locked dialog: the operators connected to it now, in the order they joined,
    read after the lock was granted (so every connect and leave committed before is
    seen), and whether a message with this client_id is stored in it.

``write_visitor_message(message, dialog, dialog_fields, *, visit_id) -> operator ids | None``
    Insert the new message, save ``dialog_fields`` of the locked dialog and, with a
    visit_id, set the visit's last activity to the message's time. Returns the operators
    connected to the dialog, or None when the client_id was stored in the dialog
    meanwhile: then nothing is written and the service answers it as a resend.

``write_operator_message(message, dialog, dialog_fields) -> bool``
    The same without the visit; False when the client_id was stored meanwhile.

``write_join(dialog, participant, dialog_fields, message)``
    An operator joins a locked dialog: insert the new ``participant`` and the system
    ``message`` ("Anna joined"), save ``dialog_fields`` of the dialog (chat/dialogs/
    lifecycle.join_locked_dialog decides them).

Messages come back with their primary key set, as ``Model.save`` leaves them. The
database's constraints (one open dialog per visitor, one client_id per dialog) hold on
both; on SQLite a write transaction is IMMEDIATE (config/settings.py), so writers are
serialised and a check made inside it stays true until the insert.
"""

from django.db import connection
from django.db.models import Exists

from chat.models import Dialog, Message, Participant, Visit


def connected_operator_ids(dialog_id: int):
    """The operators connected to a dialog, as a queryset of ids in the order they joined."""
    stays = Participant.objects.connected().filter(dialog_id=dialog_id).order_by("id")
    return stays.values_list("operator_id", flat=True)


class PortableMessageStore:
    """The ORM's statements: one or two more per message than PostgreSQL's, any database."""

    def lock_dialog(self, dialog_id: int) -> Dialog | None:
        return (
            Dialog.objects.select_for_update(of=("self",))
            .select_related("site", "visitor")
            .filter(pk=dialog_id)
            .first()
        )

    def lock_open_dialog(self, visitor_id: int, client_id: str) -> tuple[Dialog | None, bool]:
        resent = Message.objects.filter(dialog__visitor_id=visitor_id, client_id=client_id)
        dialog = (
            Dialog.objects.select_for_update(of=("self",))
            .select_related("site", "visitor")
            .annotate(resent=Exists(resent))
            .filter(visitor_id=visitor_id, status__in=Dialog.OPEN_STATUSES)
            .first()
        )
        return (None, False) if dialog is None else (dialog, dialog.resent)

    def resent_by_visitor(self, visitor_id: int, client_id: str) -> bool:
        return Message.objects.filter(dialog__visitor_id=visitor_id, client_id=client_id).exists()

    def connected_and_resent(self, dialog_id: int, client_id: str) -> tuple[list[int], bool]:
        resent = Message.objects.filter(dialog_id=dialog_id, client_id=client_id).exists()
        return list(connected_operator_ids(dialog_id)), resent

    def write_visitor_message(self, message, dialog, dialog_fields, *, visit_id):
        message.save(force_insert=True)
        dialog.save(update_fields=dialog_fields)
        if visit_id:
            Visit.objects.filter(pk=visit_id).update(last_activity_at=message.created_at)
        return list(connected_operator_ids(dialog.pk))

    def write_operator_message(self, message, dialog, dialog_fields) -> bool:
        message.save(force_insert=True)
        dialog.save(update_fields=dialog_fields)
        return True

    def write_join(self, dialog, participant, dialog_fields, message) -> None:
        participant.save(force_insert=True)
        dialog.save(update_fields=dialog_fields)
        message.save(force_insert=True)


def _chosen():
    if connection.vendor == "postgresql":
        from chat.messaging.store_postgres import PostgresMessageStore

        return PostgresMessageStore()
    return PortableMessageStore()


backend = _chosen()
