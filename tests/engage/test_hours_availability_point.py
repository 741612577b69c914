"""chat's extension point for opening hours (chat/dialogs/availability.py): engage fills it;
without it every site is open; a second, different function is refused."""

from datetime import UTC, datetime

import pytest

from chat.dialogs import availability
from engage import hours_schedule


def test_engage_registered_its_hours():
    assert availability._opening_hours == [hours_schedule.site_is_open]


def test_nothing_registered_means_always_open(monkeypatch):
    monkeypatch.setattr(availability, "_opening_hours", [])
    assert availability.site_is_open(12345) is True


def test_the_registered_function_gets_the_site_and_the_moment(monkeypatch):
    asked = []
    monkeypatch.setattr(availability, "_opening_hours", [])
    availability.register_opening_hours(lambda site_id, at: asked.append((site_id, at)) or False)
    at = datetime(2026, 12, 7, 12, tzinfo=UTC)
    assert availability.site_is_open(7, at) is False
    assert asked == [(7, at)]


def test_a_second_function_is_a_programming_error():
    availability.register_opening_hours(hours_schedule.site_is_open)  # the same: fine
    with pytest.raises(ValueError):
        availability.register_opening_hours(lambda site_id, at: True)
