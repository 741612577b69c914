"""What the widget learns about business hours (docs/protocol.md, "hello.hours"):

    hello["hours"] = {"open": bool, "opens_at": ISO or null, "closes_at": ISO or null,
                      "opens_at_text": "on Monday at 09:00" or null,
                      "notice": "We will answer on Monday at 09:00." or null}

in the socket's language, times in the site's zone. chat's own hello.operators_online is
already "an operator online and inside hours" (chat/dialogs/availability.py); this part
says why and until when. static/engage/widget-hours.js asks again with an `hours` frame
when the state is due to change, and gets a `presence` frame with this part in it.
"""

from datetime import datetime

from django.utils import dateformat, timezone, translation
from django.utils.translation import gettext as _

from chat.messaging import payloads
from chat.models import Site
from chat.realtime import events
from engage import hours_schedule

# The weekday with its preposition: Russian needs the accusative and "во" before вторник.
_ON_WEEKDAY = {
    0: lambda: _("on Monday at %(time)s"),
    1: lambda: _("on Tuesday at %(time)s"),
    2: lambda: _("on Wednesday at %(time)s"),
    3: lambda: _("on Thursday at %(time)s"),
    4: lambda: _("on Friday at %(time)s"),
    5: lambda: _("on Saturday at %(time)s"),
    6: lambda: _("on Sunday at %(time)s"),
}


def opening_phrase(opens_at: datetime, now: datetime) -> str:
    """ "today at 09:00", "tomorrow at 09:00", "on Monday at 09:00" within a week, else
    "on 12 January at 09:00", in the active language; opens_at in the site's zone."""
    time_text = opens_at.strftime("%H:%M")
    days = (opens_at.date() - now.astimezone(opens_at.tzinfo).date()).days
    if days <= 0:
        return _("today at %(time)s") % {"time": time_text}
    if days == 1:
        return _("tomorrow at %(time)s") % {"time": time_text}
    if days < 7:
        return _ON_WEEKDAY[opens_at.weekday()]() % {"time": time_text}
    # "E": the month's name as a date says it ("12 января").
    date_format = "j E" if days < 300 else "j E Y"
    return _("on %(date)s at %(time)s") % {
        "date": dateformat.format(opens_at, date_format),
        "time": time_text,
    }


def hours_part(site_id: int, *, now: datetime | None = None) -> dict:
    """hello["hours"] for the site, in the active language."""
    now = now or timezone.now()
    state = hours_schedule.site_state(site_id, now)
    opens_at = None if state.open else state.changes_at
    closes_at = state.changes_at if state.open else None
    phrase = opening_phrase(opens_at, now) if opens_at else None
    return {
        "open": state.open,
        "opens_at": opens_at.isoformat() if opens_at else None,
        "closes_at": closes_at.isoformat() if closes_at else None,
        "opens_at_text": phrase,
        "notice": (_("We will answer %(when)s.") % {"when": phrase}) if phrase else None,
    }


def hello_part(*, site, session, language: str) -> dict:
    """Registered with chat.realtime.extensions.register_hello_part("hours", ...)."""
    with translation.override(language):
        return hours_part(site.id)


def _presence(site_id: int, hours: dict) -> dict:
    """The presence frame as chat sends it, with the hours part: "online" only inside hours."""
    operators_online = Site.objects.filter(pk=site_id).values_list("operators_online", flat=True)
    return {
        "type": "presence",
        "operators_online": bool(operators_online.first()) and hours["open"],
        "hours": hours,
    }


def hours_frame(frame, *, visitor_id: int, visit_id: int, site_id: int) -> dict:
    """The visitor socket's `hours` frame (widget-hours.js sends it when the state is due
    to change): the answer is a `presence` frame as chat sends it, so the widget and the
    offline form follow, with the hours part. Runs in the socket's language."""
    return _presence(site_id, hours_part(site_id))


def announce(site_id: int) -> None:
    """Saved hours reach the site's open widgets at once: the same presence frame, the
    hours in each socket's language, so they flip and re-schedule without a reload."""
    by_language = payloads.per_language(hours_part, site_id)
    frame = _presence(site_id, next(iter(by_language.values())))
    del frame["hours"]
    events.site_frame_on_commit(site_id, frame, localized={"hours": by_language})
