"""The operator's time zone: his profile's, else his browser's.

The console's script (static/chat/console-time.js) keeps the browser's zone in the "tz"
cookie; operator_required activates the zone for console pages, so History, Leads and
the tab lists show times where the operator is. Live fragments are rendered in UTC and
console-time.js shows their <time> elements in the same zone.
"""

import zoneinfo
from functools import cache

COOKIE = "tz"

# Offered first in the profile menu; every other IANA zone follows.
COMMON = (
    "Europe/Kaliningrad",
    "Europe/Moscow",
    "Europe/Samara",
    "Asia/Yekaterinburg",
    "Asia/Omsk",
    "Asia/Novosibirsk",
    "Asia/Krasnoyarsk",
    "Asia/Irkutsk",
    "Asia/Yakutsk",
    "Asia/Vladivostok",
    "Asia/Magadan",
    "Asia/Kamchatka",
    "Europe/Minsk",
    "Europe/Kyiv",
    "Asia/Almaty",
    "Asia/Tashkent",
    "Asia/Tbilisi",
    "Asia/Yerevan",
    "Europe/London",
    "Europe/Berlin",
    "America/New_York",
    "America/Chicago",
    "America/Los_Angeles",
    "UTC",
)


@cache
def available() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


@cache
def choices() -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(the common zones, every other zone), each sorted as the menu shows them."""
    common = tuple(zone for zone in COMMON if zone in available())
    rest = tuple(sorted(available() - set(common)))
    return common, rest


def is_valid(name) -> bool:
    return isinstance(name, str) and name in available()


def zone_for(operator, cookie: str | None) -> str:
    """The zone to show the operator's times in: his profile's, else the browser's from
    the cookie; "" when neither is known or valid (settings.TIME_ZONE then)."""
    for name in (operator.time_zone, cookie):
        if name and is_valid(name):
            return name
    return ""
