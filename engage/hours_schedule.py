"""A site's business hours as engage.hours reads them, from the database or the cache.

chat asks whether a site is open when a dialog opens and when a widget connects (through
chat/dialogs/availability.py), so the answer is cached per site: no query while cached, one
for a site without hours (or with them off: the common case), three for a site with them.
Saving the hours drops the entry (hours_services.py); another process (the Celery worker
in the embedded default, whose cache is its own) sees the change within CACHE_SECONDS.
"""

from datetime import datetime

from django.core.cache import cache

from engage.hours import Schedule, State, is_open, minutes, state_at
from engage.models import SiteHours

CACHE_SECONDS = 60
ALWAYS_OPEN = "always-open"  # cached for a site without hours: None means "not cached"


def cache_key(site_id: int) -> str:
    return f"engage:hours:{site_id}"


def build_schedule(hours: SiteHours) -> Schedule:
    """The arithmetic's view of the rows (weekly and special_days prefetched or not)."""
    weekly: dict[int, list] = {}
    for row in hours.weekly.all():
        weekly.setdefault(row.weekday, []).append(minutes(row.opens, row.closes))
    special: dict = {}
    for row in hours.special_days.all():
        ranges = special.setdefault(row.date, [])
        if not row.closed:
            ranges.append(minutes(row.opens, row.closes))
    return Schedule(
        zone=hours.time_zone,
        weekly={day: tuple(ranges) for day, ranges in weekly.items()},
        special={day: tuple(ranges) for day, ranges in special.items()},
    )


def schedule_of(site_id: int) -> Schedule | None:
    """The site's schedule, or None when it has no hours in use (always open)."""
    cached = cache.get(cache_key(site_id))
    if cached is not None:
        return None if cached == ALWAYS_OPEN else cached
    hours = (
        SiteHours.objects.filter(site_id=site_id, enabled=True)
        .prefetch_related("weekly", "special_days")
        .first()
    )
    schedule = build_schedule(hours) if hours else None
    cache.set(cache_key(site_id), schedule or ALWAYS_OPEN, CACHE_SECONDS)
    return schedule


def forget(site_id: int) -> None:
    cache.delete(cache_key(site_id))


def site_state(site_id: int, at: datetime) -> State:
    schedule = schedule_of(site_id)
    if schedule is None:
        return State(open=True, changes_at=None)
    return state_at(schedule, at)


def site_is_open(site_id: int, at: datetime) -> bool:
    """chat/dialogs/availability.py's question, registered in EngageConfig.ready()."""
    schedule = schedule_of(site_id)
    return schedule is None or is_open(schedule, at)
