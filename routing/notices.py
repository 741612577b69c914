"""What an operator is told when a dialog given to him goes elsewhere (a `notice` frame on
his consoles, chat's own toast), in each console's language."""

from django.utils.translation import gettext as _

from chat.messaging import payloads
from chat.realtime import events


def _passed_text(number: int, name: str, seconds: int | None) -> str:
    if seconds is None:
        return _("Dialog #%(number)s went to %(name)s: you went offline.") % {
            "number": number,
            "name": name,
        }
    return _("Dialog #%(number)s went to %(name)s: you did not answer in %(seconds)s s.") % {
        "number": number,
        "name": name,
        "seconds": seconds,
    }


def _queued_text(number: int) -> str:
    return _("Dialog #%(number)s went back to the queue: you went offline.") % {"number": number}


def _notice(operator_id: int, text: dict) -> None:
    events.publish_on_commit(
        (events.operator_group(operator_id), {"type": "chat.notice", "text": text})
    )


def tell_passed(dialog, old_operator_id: int, new_operator, *, timed_out: bool, settings) -> None:
    seconds = settings.answer_timeout_seconds if timed_out and settings else None
    text = payloads.per_language(_passed_text, dialog.number, new_operator.name, seconds)
    _notice(old_operator_id, text)


def tell_queued(dialog, old_operator_id: int) -> None:
    _notice(old_operator_id, payloads.per_language(_queued_text, dialog.number))
