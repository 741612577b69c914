"""Whether a site answers now (its business hours), without chat importing the app that
keeps them.

An app registers one function in its AppConfig.ready():

    availability.register_opening_hours(fn)   # fn(site_id: int, at: datetime) -> bool

chat asks site_is_open(site_id, at) when a dialog opens (a dialog opened outside hours is
quiet: no new-dialog alert, offer nor missed mark, `Dialog.outside_hours`) and when it tells
a widget whether the chat is online (hello and presence: inside hours and an operator
online). With nothing registered every site is always open. The function must be cheap:
at most one query, none when it has the site's hours cached.
"""

from collections.abc import Callable
from datetime import datetime

from django.utils import timezone

OpeningHours = Callable[[int, datetime], bool]

_opening_hours: list[OpeningHours] = []


def register_opening_hours(fn: OpeningHours) -> None:
    """A second, different function is a programming error."""
    if _opening_hours and _opening_hours[0] is not fn:
        raise ValueError("Opening hours are already registered.")
    _opening_hours[:] = [fn]


def site_is_open(site_id: int, at: datetime | None = None) -> bool:
    if not _opening_hours:
        return True
    return _opening_hours[0](site_id, at or timezone.now())
