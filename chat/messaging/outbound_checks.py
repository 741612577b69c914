"""Checks other apps add to an operator's file before it is stored: a dialog carried by
another app's channel (a messenger) may refuse what that channel cannot carry, with a
clear message, instead of storing a message its visitor will never get.

An app registers a check in its AppConfig.ready():

    outbound_checks.register(check)
    check(dialog, *, upload, text) -> None, or raises ChatError (uploads.UploadRefused)

called by chat.messaging.posting.post_operator_message inside its transaction, after the
access checks, only for a message with a file (text alone costs nothing more).
"""

from collections.abc import Callable

Check = Callable[..., None]

_checks: list[Check] = []


def register(check: Check) -> None:
    if check not in _checks:
        _checks.append(check)


def check_attachment(dialog, *, upload, text: str) -> None:
    for check in _checks:
        check(dialog, upload=upload, text=text)
