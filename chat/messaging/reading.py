"""Read state: an operator with the dialog open on screen has seen the visitor's messages."""

from django.db import transaction

from chat.console import selectors
from chat.dialogs import access, lifecycle
from chat.errors import AccessDenied, ChatError
from chat.models import Dialog, Message
from chat.realtime import events
from operators.models import Operator


def mark_read(*, operator: Operator, dialog_id: int, up_to, site_ids) -> Dialog:
    """The visitor's messages up to message `up_to` of this dialog are read: the visitor
    sees "Read", the row's unread badge clears for everyone. Reading again is a no-op.
    site_ids: the operator's sites (a console socket holds them)."""
    with transaction.atomic():
        if not isinstance(up_to, int) or isinstance(up_to, bool) or up_to < 1:
            raise ChatError("invalid", "up_to must be a message id (a whole number).")
        dialog = lifecycle.lock_dialog(dialog_id)
        operator_ids = selectors.active_operator_ids(dialog.id)
        if not access.can_view_dialog(operator, dialog, site_ids, operator_ids):
            raise AccessDenied()
        if not Message.objects.filter(pk=up_to, dialog_id=dialog.id).exists():
            raise ChatError("invalid", "up_to is not a message of this dialog.")
        if up_to <= dialog.read_up_to and dialog.unread_count == 0:
            return dialog
        dialog.read_up_to = max(dialog.read_up_to, up_to)
        dialog.unread_count = 0
        dialog.save(update_fields=["read_up_to", "unread_count"])
        events.dialog_read_on_commit(dialog, operator_ids)
        return dialog
