"""routing's reactions to chat's hooks (chat/hooks.py), after chat's commits.

Presence is not heard here: an operator counts as gone only once his grace period has
passed, which the beat notices; the beat's own pass (routing/tasks.py, every few seconds)
hands his dialogs back and fills the slots of operators who came online, so a console
socket's opening costs no query more."""

from routing import services


def slot_freed(*, dialog, **_kwargs) -> None:
    """A dialog ended: its operators have room, the oldest queued dialogs go to them."""
    services.drain_queue(dialog.account_id)
