"""What the widget hears about business hours (docs/protocol.md, "hello.hours"): "online"
is inside hours and an operator online; outside hours hello says when the site opens, in
the visitor's language and the site's zone, and the `hours` frame asks again."""

from datetime import UTC, date, datetime, timedelta

import pytest
from channels.db import database_sync_to_async
from django.test import Client
from django.utils import translation

from engage import hours_widget
from tests.conftest import allowed_origin
from tests.engage.hours_factory import always_closed, always_open, hours
from tests.engage.test_hours_console import form_data

pytestmark = pytest.mark.django_db(transaction=True)


async def test_closed_hours_keep_the_widget_offline_with_an_operator_online(sockets, site, alice):
    await database_sync_to_async(always_closed)(site)
    console, _ = await sockets.operator(alice)
    widget, hello = await sockets.visitor(site)
    assert hello["operators_online"] is False
    assert hello["hours"] == {
        "open": False,
        "opens_at": None,
        "closes_at": None,
        "opens_at_text": None,
        "notice": None,
    }


async def test_open_hours_and_an_operator_online_are_online(sockets, site, alice):
    await database_sync_to_async(always_open)(site)
    console, _ = await sockets.operator(alice)
    widget, hello = await sockets.visitor(site)
    assert hello["operators_online"] is True
    assert hello["hours"]["open"] is True


async def test_a_site_without_hours_is_open_as_before(sockets, site):
    widget, hello = await sockets.visitor(site)
    assert hello["operators_online"] is False  # nobody online
    assert hello["hours"]["open"] is True and hello["hours"]["opens_at"] is None


async def test_an_operator_coming_online_while_closed_leaves_the_widget_offline(
    sockets, site, alice
):
    await database_sync_to_async(always_closed)(site)
    widget, hello = await sockets.visitor(site)
    console, _ = await sockets.operator(alice)
    assert await widget.receive_json_from() == {"type": "presence", "operators_online": False}


async def test_the_hours_frame_answers_a_presence_frame_with_the_hours(sockets, site, alice):
    await database_sync_to_async(always_open)(site)
    console, _ = await sockets.operator(alice)
    widget, hello = await sockets.visitor(site)
    await widget.send_json_to({"type": "hours"})
    answer = await widget.receive_json_from()
    assert answer["type"] == "presence"
    assert answer["operators_online"] is True
    assert answer["hours"]["open"] is True


async def test_the_hours_frame_says_closed_when_the_site_closed_meanwhile(sockets, site, alice):
    console, _ = await sockets.operator(alice)
    widget, hello = await sockets.visitor(site)
    assert hello["operators_online"] is True
    await database_sync_to_async(always_closed)(site)
    await widget.send_json_to({"type": "hours"})
    answer = await widget.receive_json_from()
    assert answer == {"type": "presence", "operators_online": False, "hours": answer["hours"]}
    assert answer["hours"]["open"] is False


# --- the phrase ---------------------------------------------------------------------------

MOSCOW_NOW = datetime(2026, 12, 9, 17, 0, tzinfo=UTC)  # Wednesday 20:00 in Moscow


@pytest.mark.parametrize(
    ("language", "weekly", "expected"),
    [
        ("en", [(3, "09:00", "20:00")], "tomorrow at 09:00"),
        ("ru", [(3, "09:00", "20:00")], "завтра в 09:00"),
        ("en", [(0, "09:00", "20:00")], "on Monday at 09:00"),
        ("ru", [(0, "09:00", "20:00")], "в понедельник в 09:00"),
        ("ru", [(1, "10:30", "20:00")], "во вторник в 10:30"),
        ("ru", [(4, "10:30", "20:00")], "в пятницу в 10:30"),
        ("en", [(2, "21:00", "22:00")], "today at 21:00"),
    ],
)
def test_the_next_opening_in_words(site, language, weekly, expected):
    hours(site, weekly=weekly, zone="Europe/Moscow")
    with translation.override(language):
        part = hours_widget.hours_part(site.id, now=MOSCOW_NOW)
    assert part["open"] is False
    assert part["opens_at_text"] == expected
    assert part["opens_at"].endswith("+03:00")  # in the site's zone


def test_a_far_opening_names_the_date(site):
    hours(site, special=[(date(2026, 12, 28), "09:00", "18:00")], zone="Europe/Moscow")
    with translation.override("ru"):
        part = hours_widget.hours_part(site.id, now=MOSCOW_NOW)
    assert part["opens_at_text"] == "28 декабря в 09:00"
    assert part["notice"] == "Мы ответим 28 декабря в 09:00."
    with translation.override("en"):
        part = hours_widget.hours_part(site.id, now=MOSCOW_NOW)
    assert part["notice"] == "We will answer on 28 December at 09:00."


def test_open_now_gives_the_closing_time(site):
    hours(site, weekly=[(2, "09:00", "24:00")], zone="Europe/Moscow")
    part = hours_widget.hours_part(site.id, now=MOSCOW_NOW)
    assert part["open"] is True
    assert part["closes_at"] == "2026-12-10T00:00:00+03:00"
    assert part["notice"] is None


# --- a saved change reaches open widgets ----------------------------------------------------

WEEKDAYS = {
    "en": ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"],
    "ru": ["в понедельник", "во вторник", "в среду", "в четверг", "в пятницу", "в субботу",
           "в воскресенье"],
}  # fmt: skip


async def widget_in(sockets, site, language: str):
    headers = [(b"origin", allowed_origin()), (b"accept-language", language.encode())]
    communicator = sockets.communicator(f"/ws/visitor/{site.widget_key}/", headers=headers)
    connected, _code = await communicator.connect()
    assert connected
    hello = await communicator.receive_json_from(timeout=10)
    assert hello["type"] == "hello"
    return communicator, hello


async def test_saved_hours_reach_open_widgets_in_their_language(
    sockets, site, alice, make_operator
):
    """The editor closes the site until a day three days ahead: widgets already open flip
    to offline with the notice in their own language, without asking, without a reload."""
    manager = await database_sync_to_async(make_operator)(
        username="maria", sites=[site], can_manage_site_settings=True
    )
    console, _ = await sockets.operator(alice)
    english, hello = await widget_in(sockets, site, "en")
    russian, _ = await widget_in(sockets, site, "ru")
    assert hello["operators_online"] is True and hello["hours"]["open"] is True
    opening_day = (datetime.now(UTC) + timedelta(days=3)).date()

    def save_hours():
        client = Client()
        client.force_login(manager.user)
        data = form_data(weekly=[(opening_day.weekday(), "09:00", "18:00")], zone="UTC")
        assert client.post(f"/console/sites/{site.id}/hours/", data).status_code == 302

    await database_sync_to_async(save_hours)()
    heard_en = await english.receive_json_from()
    heard_ru = await russian.receive_json_from()
    assert heard_en["type"] == heard_ru["type"] == "presence"
    assert heard_en["operators_online"] is False and heard_ru["operators_online"] is False
    weekday = opening_day.weekday()
    assert heard_en["hours"]["notice"] == f"We will answer on {WEEKDAYS['en'][weekday]} at 09:00."
    assert heard_ru["hours"]["notice"] == f"Мы ответим {WEEKDAYS['ru'][weekday]} в 09:00."
    assert heard_en["hours"]["opens_at"] == f"{opening_day.isoformat()}T09:00:00+00:00"
