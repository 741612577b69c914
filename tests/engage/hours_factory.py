"""Business hours rows for tests: hours(site, weekly=[(weekday, "09:00", "17:00")], ...)."""

from datetime import time

from engage import hours_schedule
from engage.models import SiteHours, SpecialDay, WeeklyRange


def _time(text: str) -> time:
    hour, minute = text.split(":")
    return time(int(hour) % 24, int(minute))  # "24:00" is stored as 00:00


def hours(site, *, weekly=(), special=(), zone="UTC", enabled=True) -> SiteHours:
    """special: (date, "10:00", "12:00") or (date, None, None) for a day closed."""
    row = SiteHours.objects.create(site=site, enabled=enabled, time_zone=zone)
    for day, opens, closes in weekly:
        WeeklyRange.objects.create(hours=row, weekday=day, opens=_time(opens), closes=_time(closes))
    for day, opens, closes in special:
        SpecialDay.objects.create(
            hours=row,
            date=day,
            opens=_time(opens) if opens else None,
            closes=_time(closes) if closes else None,
        )
    hours_schedule.forget(site.id)
    return row


def always_closed(site) -> SiteHours:
    """Hours in use with no range at all: closed now and later."""
    return hours(site)


def always_open(site) -> SiteHours:
    return hours(site, weekly=[(day, "00:00", "24:00") for day in range(7)])
