"""Business-hours arithmetic, pure (no database): is a site open at a moment, and when does
that change. docs/engagement.md, "Business hours".

A schedule is wall-clock ranges in the site's zone; each range becomes a pair of real
instants, and every question is answered from those instants, so the answers agree with
each other across DST changes:

- an opening or closing time the clock skips (02:30 on a spring-forward night) is the
  moment the clock jumps past it;
- a time the clock shows twice (02:30 on a fall-back night) is its first occurrence;
- ranges that touch (Monday 20:00-24:00 and Tuesday 00:00-02:00) are one opening.
"""

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

DAY_MINUTES = 24 * 60
# How far ahead the next opening is looked for: a year, plus a week for the weekly part.
HORIZON_DAYS = 366 + 7

Range = tuple[int, int]  # minutes from the day's midnight: [opens, closes), closes <= 1440


def minutes(opens: time, closes: time) -> Range:
    """A range of the models (closing 00:00 = 24:00) in minutes."""
    start = opens.hour * 60 + opens.minute
    end = closes.hour * 60 + closes.minute
    return start, (end or DAY_MINUTES)


@dataclass(frozen=True)
class Schedule:
    """weekly: Monday=0 .. Sunday=6 -> ranges; special: a date -> its ranges instead of the
    weekday's (empty: closed all day)."""

    zone: str
    weekly: dict[int, tuple[Range, ...]] = field(default_factory=dict)
    special: dict[date, tuple[Range, ...]] = field(default_factory=dict)

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.zone)

    def ranges_on(self, day: date) -> tuple[Range, ...]:
        if day in self.special:
            return self.special[day]
        return self.weekly.get(day.weekday(), ())


@dataclass(frozen=True)
class State:
    """open now; changes_at: when it closes (open) or opens (closed), in the site's zone;
    None when that does not happen within the horizon (open around the clock, or no hours
    at all)."""

    open: bool
    changes_at: datetime | None


def instant(day: date, minute: int, tz: ZoneInfo) -> datetime:
    """The real moment the site's clock first shows `minute` of `day` (24:00: the next
    day's 00:00), in UTC: an aware time in a repeated hour never equals one of another
    zone (PEP 495), so every comparison here is made in UTC."""
    if minute >= DAY_MINUTES:
        day, minute = day + timedelta(days=1), minute - DAY_MINUTES
    wall = datetime.combine(day, time(minute // 60, minute % 60))
    first = wall.replace(tzinfo=tz, fold=0)
    if first.astimezone(UTC).astimezone(tz).replace(tzinfo=None) == wall:
        return first.astimezone(UTC)  # it exists (the first one if shown twice)
    # Skipped by a spring-forward: the clock jumps past it at the transition, which lies
    # between the wall time read with the offset after (fold=1) and before it (fold=0).
    low = wall.replace(tzinfo=tz, fold=1).astimezone(UTC)
    high = first.astimezone(UTC)
    low, high = min(low, high), max(low, high)
    while high - low > timedelta(seconds=1):
        middle = low + (high - low) / 2
        if middle.astimezone(tz).replace(tzinfo=None) >= wall:
            high = middle
        else:
            low = middle
    return high.replace(microsecond=0)


def _openings(
    schedule: Schedule, first_day: date, days: int
) -> Iterator[tuple[datetime, datetime]]:
    """The openings from first_day on, in order, touching and overlapping ranges merged."""
    tz = schedule.tz
    current = None
    for offset in range(days):
        day = first_day + timedelta(days=offset)
        for start_minute, end_minute in sorted(schedule.ranges_on(day)):
            start, end = instant(day, start_minute, tz), instant(day, end_minute, tz)
            if end <= start:
                continue
            if current and start <= current[1]:
                current = (current[0], max(current[1], end))
                continue
            if current:
                yield current
            current = (start, end)
    if current:
        yield current


def _horizon_end(schedule: Schedule, first_day: date, days: int) -> datetime:
    return instant(first_day + timedelta(days=days), 0, schedule.tz)


def state_at(schedule: Schedule, at: datetime) -> State:
    """Open or not at `at` (aware), and the next moment that changes."""
    tz = schedule.tz
    at = at.astimezone(UTC)
    # From the day before: the zone's date of `at` may be behind a range's day.
    first_day = at.astimezone(tz).date() - timedelta(days=1)
    horizon = _horizon_end(schedule, first_day, HORIZON_DAYS)
    for start, end in _openings(schedule, first_day, HORIZON_DAYS):
        if end <= at:
            continue
        if start <= at:
            return State(open=True, changes_at=None if end >= horizon else end.astimezone(tz))
        return State(open=False, changes_at=start.astimezone(tz))
    return State(open=False, changes_at=None)


def is_open(schedule: Schedule, at: datetime) -> bool:
    """The short question: only the days around `at` are looked at."""
    first_day = at.astimezone(schedule.tz).date() - timedelta(days=1)
    at = at.astimezone(UTC)
    return any(start <= at < end for start, end in _openings(schedule, first_day, 3))


def next_opening(schedule: Schedule, at: datetime) -> datetime | None:
    """When the site next opens after `at` (None: open now, or no opening within a year)."""
    state = state_at(schedule, at)
    return None if state.open else state.changes_at
