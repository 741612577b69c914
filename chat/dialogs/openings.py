"""A dialog's first message supplied by another app: the visitor answers something the
widget showed him on its own (an engage invitation), and that text opens the dialog as an
operator-side message, before his own.

The visitor's first `message` frame names it ("invitation": a value chat does not read);
the app that gives those values registers one function in its AppConfig.ready():

    openings.register_opener(opener)
    opener(value, *, dialog) -> Opening | None

called in the transaction that opens the dialog (row locks held), only when the frame
carries a value: a message without one costs nothing more. None: the value names nothing
this visitor was shown, and the dialog opens with his message alone.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.utils import timezone

from chat.messaging import attachments
from chat.models import Dialog, Message
from chat.realtime import events
from operators.models import Operator


@dataclass(frozen=True)
class Opening:
    text: str
    operator: Operator | None = None  # None: written by the site; its user loaded


Opener = Callable[..., Opening | None]

_opener: list[Opener] = []


def register_opener(opener: Opener) -> None:
    """One opener at most: a second, different one is a programming error."""
    if _opener and _opener[0] is not opener:
        raise ValueError("A dialog opener is already registered.")
    _opener[:] = [opener]


def write_opening(dialog: Dialog, value) -> Message | None:
    """Stores the opening message of a dialog just opened, if value names one, and
    announces it on commit (before the visitor's message, which is announced after)."""
    if value is None or not _opener:
        return None
    opening = _opener[0](value, dialog=dialog)
    if opening is None:
        return None
    message = Message(
        dialog=dialog,
        author_kind=Message.Author.OPERATOR,
        operator=opening.operator,
        text=opening.text,
        created_at=timezone.now(),
    )
    attachments.attach(message, None)  # none: its payloads need not ask
    message.save(force_insert=True)
    events.message_posted_on_commit(message, dialog, [])
    return message
