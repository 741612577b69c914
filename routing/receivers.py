"""routing's reactions to chat's hooks (chat/hooks.py), after chat's commits."""

from operators.models import Operator
from routing import services


def slot_freed(*, dialog, **_kwargs) -> None:
    """A dialog ended: its operators have room, the oldest queued dialogs go to them."""
    services.drain_queue(dialog.account_id)


def presence_changed(*, operator_ids, **_kwargs) -> None:
    """Operators gone offline hand their unanswered dialogs back; one who came online
    takes from the queue. operator_ids None (the beat's refresh): the beat task's own
    pass does the rest."""
    if operator_ids is None:
        return
    services.hand_back_from_offline(operator_ids)
    for account_id in set(
        Operator.objects.filter(pk__in=operator_ids).values_list("account_id", flat=True)
    ):
        services.drain_queue(account_id)
