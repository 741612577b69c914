"""Business-hours arithmetic (engage/hours.py) across DST changes and midnight."""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from engage.hours import Schedule, instant, is_open, next_opening, state_at

MOSCOW = ZoneInfo("Europe/Moscow")
BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")

H = 60  # minutes in an hour
WORKDAYS = {day: ((9 * H, 20 * H),) for day in range(5)} | {5: ((10 * H, 16 * H),)}


def at(zone, *parts):
    return datetime(*parts, tzinfo=zone)


def shop():
    return Schedule(zone="Europe/Moscow", weekly=WORKDAYS)


def test_open_inside_a_range_and_closed_at_its_end():
    schedule = shop()
    # Monday 7 December 2026.
    assert is_open(schedule, at(MOSCOW, 2026, 12, 7, 9, 0))
    assert is_open(schedule, at(MOSCOW, 2026, 12, 7, 19, 59))
    assert not is_open(schedule, at(MOSCOW, 2026, 12, 7, 20, 0))
    assert not is_open(schedule, at(MOSCOW, 2026, 12, 7, 8, 59))


def test_the_moment_is_read_in_the_sites_zone_whatever_the_callers():
    # 06:30 UTC is 09:30 in Moscow: open, although it is 06:30 in London.
    assert is_open(shop(), datetime(2026, 12, 7, 6, 30, tzinfo=UTC))
    assert not is_open(shop(), datetime(2026, 12, 7, 5, 30, tzinfo=UTC))


def test_next_opening_after_friday_evening_is_saturday_then_monday():
    schedule = shop()
    friday_evening = at(MOSCOW, 2026, 12, 11, 21, 0)
    assert next_opening(schedule, friday_evening) == at(MOSCOW, 2026, 12, 12, 10, 0)
    saturday_evening = at(MOSCOW, 2026, 12, 12, 16, 0)
    assert next_opening(schedule, saturday_evening) == at(MOSCOW, 2026, 12, 14, 9, 0)
    assert next_opening(schedule, at(MOSCOW, 2026, 12, 14, 9, 0)) is None  # open now


def test_closing_time_is_the_change_while_open():
    state = state_at(shop(), at(MOSCOW, 2026, 12, 7, 12, 0))
    assert state.open and state.changes_at == at(MOSCOW, 2026, 12, 7, 20, 0)


def test_several_ranges_a_day_with_a_lunch_break():
    schedule = Schedule(zone="Europe/Moscow", weekly={0: ((14 * H, 18 * H), (9 * H, 13 * H))})
    assert is_open(schedule, at(MOSCOW, 2026, 12, 7, 12, 59))
    assert not is_open(schedule, at(MOSCOW, 2026, 12, 7, 13, 30))
    assert next_opening(schedule, at(MOSCOW, 2026, 12, 7, 13, 30)) == at(MOSCOW, 2026, 12, 7, 14)


def test_a_range_ending_at_24_00_runs_into_the_next_days_range():
    # Monday 20:00-24:00 and Tuesday 00:00-02:00: one opening, closing Tuesday at 02:00.
    schedule = Schedule(zone="Europe/Moscow", weekly={0: ((20 * H, 24 * H),), 1: ((0, 2 * H),)})
    assert is_open(schedule, at(MOSCOW, 2026, 12, 7, 23, 59))
    assert is_open(schedule, at(MOSCOW, 2026, 12, 8, 0, 0))
    state = state_at(schedule, at(MOSCOW, 2026, 12, 7, 22, 0))
    assert state.changes_at == at(MOSCOW, 2026, 12, 8, 2, 0)
    assert not is_open(schedule, at(MOSCOW, 2026, 12, 8, 2, 0))


def test_open_around_the_clock_never_changes():
    schedule = Schedule(zone="Europe/Moscow", weekly={d: ((0, 24 * H),) for d in range(7)})
    state = state_at(schedule, at(MOSCOW, 2026, 12, 7, 3, 0))
    assert state.open and state.changes_at is None


def test_a_week_with_no_hours_has_no_next_opening():
    schedule = Schedule(zone="Europe/Moscow")
    assert not is_open(schedule, at(MOSCOW, 2026, 12, 7, 12, 0))
    assert next_opening(schedule, at(MOSCOW, 2026, 12, 7, 12, 0)) is None


def test_a_holiday_is_closed_and_the_next_opening_skips_it():
    # Thursday 31 December and Friday 1 January closed; Saturday 2 January with its own hours.
    schedule = Schedule(
        zone="Europe/Moscow",
        weekly=WORKDAYS,
        special={
            date(2026, 12, 31): (),
            date(2027, 1, 1): (),
            date(2027, 1, 2): ((12 * H, 14 * H),),
        },
    )
    assert not is_open(schedule, at(MOSCOW, 2026, 12, 31, 12, 0))
    assert next_opening(schedule, at(MOSCOW, 2026, 12, 30, 21, 0)) == at(MOSCOW, 2027, 1, 2, 12)
    assert not is_open(schedule, at(MOSCOW, 2027, 1, 2, 11, 0))  # not the usual Saturday 10:00
    assert next_opening(schedule, at(MOSCOW, 2027, 1, 2, 14, 0)) == at(MOSCOW, 2027, 1, 4, 9)


def test_a_special_day_opens_a_day_that_is_usually_closed():
    schedule = Schedule(
        zone="Europe/Moscow", weekly=WORKDAYS, special={date(2026, 12, 13): ((10 * H, 12 * H),)}
    )
    # Sunday 13 December, usually closed.
    assert is_open(schedule, at(MOSCOW, 2026, 12, 13, 11, 0))
    assert next_opening(schedule, at(MOSCOW, 2026, 12, 12, 17, 0)) == at(MOSCOW, 2026, 12, 13, 10)


def test_a_lone_opening_months_away_is_found():
    schedule = Schedule(zone="Europe/Moscow", special={date(2027, 6, 1): ((9 * H, 10 * H),)})
    assert next_opening(schedule, at(MOSCOW, 2026, 12, 7, 12)) == at(MOSCOW, 2027, 6, 1, 9)


# --- DST ---------------------------------------------------------------------------------
# Berlin: Sunday 29 March 2026 the clock jumps 02:00 -> 03:00; Sunday 25 October 2026 it
# goes back 03:00 -> 02:00. New York: 8 March 2026 and 1 November 2026.

NIGHT = {6: ((1 * H, 4 * H),)}  # Sunday 01:00-04:00, spanning the changed hour


def test_a_range_spanning_the_skipped_hour_is_two_real_hours():
    schedule = Schedule(zone="Europe/Berlin", weekly=NIGHT)
    opens = at(BERLIN, 2026, 3, 29, 1, 0)
    state = state_at(schedule, datetime(2026, 3, 29, 0, 30, tzinfo=UTC))  # 01:30 CET
    assert state.open
    assert state.changes_at == at(BERLIN, 2026, 3, 29, 4, 0)
    # Same-zone subtraction reads the wall clocks: the real length is in UTC.
    assert (state.changes_at.astimezone(UTC) - opens.astimezone(UTC)).total_seconds() == 2 * 3600
    assert is_open(schedule, datetime(2026, 3, 29, 1, 30, tzinfo=UTC))  # 03:30 CEST


def test_a_range_spanning_the_repeated_hour_is_four_real_hours():
    schedule = Schedule(zone="Europe/Berlin", weekly=NIGHT)
    state = state_at(schedule, datetime(2026, 10, 25, 0, 30, tzinfo=UTC))  # 02:30 CEST
    assert state.open
    assert state.changes_at.astimezone(UTC) == datetime(2026, 10, 25, 3, 0, tzinfo=UTC)
    assert is_open(schedule, datetime(2026, 10, 25, 1, 30, tzinfo=UTC))  # 02:30 CET, 2nd time


def test_an_opening_time_the_clock_skips_opens_when_the_clock_jumps():
    # Sunday 02:30-05:00 in New York on 8 March 2026: 02:30 never shows; 03:00 EDT does.
    schedule = Schedule(zone="America/New_York", weekly={6: ((2 * H + 30, 5 * H),)})
    saturday = at(NEW_YORK, 2026, 3, 7, 12, 0)
    opening = next_opening(schedule, saturday)
    assert opening.astimezone(UTC) == datetime(2026, 3, 8, 7, 0, tzinfo=UTC)  # 03:00 EDT
    assert is_open(schedule, opening)
    assert not is_open(schedule, datetime(2026, 3, 8, 6, 59, tzinfo=UTC))  # 01:59 EST


def test_an_opening_time_the_clock_shows_twice_opens_the_first_time():
    schedule = Schedule(zone="America/New_York", weekly={6: ((1 * H + 30, 5 * H),)})
    opening = next_opening(schedule, at(NEW_YORK, 2026, 10, 31, 12, 0))
    assert opening.astimezone(UTC) == datetime(2026, 11, 1, 5, 30, tzinfo=UTC)  # 01:30 EDT


def test_every_weekday_opens_at_nine_local_across_a_dst_change():
    schedule = Schedule(zone="Europe/Berlin", weekly={d: ((9 * H, 17 * H),) for d in range(7)})
    saturday_evening = at(BERLIN, 2026, 3, 28, 18, 0)
    sunday_opening = next_opening(schedule, saturday_evening)
    assert sunday_opening.astimezone(UTC) == datetime(2026, 3, 29, 7, 0, tzinfo=UTC)  # CEST
    monday = next_opening(schedule, at(BERLIN, 2026, 3, 29, 18, 0))
    assert (monday.hour, monday.minute) == (9, 0)


def test_moscow_has_no_dst():
    schedule = Schedule(zone="Europe/Moscow", weekly={6: ((1 * H, 4 * H),)})
    state = state_at(schedule, at(MOSCOW, 2026, 3, 29, 1, 0))
    assert (state.changes_at - at(MOSCOW, 2026, 3, 29, 1, 0)).total_seconds() == 3 * 3600


@pytest.mark.parametrize(
    ("wall", "expected_utc"),
    [
        ((2026, 3, 29, 2, 30), datetime(2026, 3, 29, 1, 0, tzinfo=UTC)),  # skipped
        ((2026, 10, 25, 2, 30), datetime(2026, 10, 25, 0, 30, tzinfo=UTC)),  # shown twice
        ((2026, 7, 1, 12, 0), datetime(2026, 7, 1, 10, 0, tzinfo=UTC)),
    ],
)
def test_instant_of_a_wall_time(wall, expected_utc):
    year, month, day, hour, minute = wall
    assert instant(date(year, month, day), hour * 60 + minute, BERLIN) == expected_utc


def test_24_00_is_the_next_days_midnight():
    assert instant(date(2026, 12, 7), 24 * 60, MOSCOW) == at(MOSCOW, 2026, 12, 8, 0, 0)
