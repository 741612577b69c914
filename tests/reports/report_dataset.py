"""A hand-built month of one shop (Europe/Berlin, which changes to summer time on Sunday
29 March 2026 at 02:00): dialogs, messages at known times, leads and presence changes.
The figures each test expects are worked out by hand in tests/reports/test_figures.py."""

import datetime
import itertools
import zoneinfo

import pytest

from chat.models import Dialog, Message, Site, Visitor
from leads.models import Lead
from reports.models import PresenceChange
from satisfaction.models import Rating

BERLIN = zoneinfo.ZoneInfo("Europe/Berlin")
CURRENT = {"date_from": "2026-03-23", "date_to": "2026-03-29"}  # Mon .. Sun (DST day)

_numbers = itertools.count(1)


def at(day: int, hour: int, minute: int = 0, second: int = 0, month: int = 3):
    """A moment of March 2026 on a Berlin wall clock."""
    return datetime.datetime(2026, month, day, hour, minute, second, tzinfo=BERLIN)


def dialog(site, started, *, closed=None, automatic=False, missed=None, status=None):
    visitor = Visitor.objects.create(site=site, animal="blue-fox")
    if status is None:
        status = Dialog.Status.CLOSED if closed else Dialog.Status.ACTIVE
    return Dialog.objects.create(
        account=site.account,
        site=site,
        visitor=visitor,
        number=next(_numbers),
        status=status,
        created_at=started,
        last_message_at=started,
        closed_at=closed,
        closed_automatically=automatic,
        missed_at=missed,
    )


def say(dialog, when, operator=None, text="hello"):
    kind = Message.Author.OPERATOR if operator else Message.Author.VISITOR
    return Message.objects.create(
        dialog=dialog, author_kind=kind, operator=operator, text=text, created_at=when
    )


def system_line(dialog, when, text="Anna joined the dialog"):
    return Message.objects.create(
        dialog=dialog, author_kind=Message.Author.SYSTEM, text=text, created_at=when
    )


def rate(dialog, when, score, comment="", scale="stars"):
    """A visitor's rating given at `when` (created_at is set by the database otherwise)."""
    rating = Rating.objects.create(
        dialog=dialog,
        scale=scale,
        score=score,
        good=score >= 4,
        comment=comment,
        changeable_until=when + datetime.timedelta(minutes=10),
    )
    Rating.objects.filter(pk=rating.pk).update(created_at=when, updated_at=when)


def presence(operator, *changes):
    for online, when in changes:
        PresenceChange.objects.create(
            operator=operator, online=online, status="online" if online else "offline", at=when
        )


@pytest.fixture
def alice(make_operator, site):
    return make_operator(
        username="alice",
        display_name="Alice",
        sites=[site],
        can_see_reports=True,
        time_zone="Europe/Berlin",
    )


@pytest.fixture
def bob(make_operator, site):
    return make_operator(username="bob", display_name="Bob", sites=[site])


@pytest.fixture
def month(site, alice, bob, make_site, make_operator):
    """The dataset; returns the dialogs by name."""
    d = {}
    # D1, Monday 10:00: first response 30 s (Alice), replies 60 s (Alice) and 120 s (Bob),
    # ended by an operator after 20 min; a lead came out of it.
    d["d1"] = dialog(site, at(23, 10), closed=at(23, 10, 20))
    say(d["d1"], at(23, 10))
    system_line(d["d1"], at(23, 10, 0, 10))
    say(d["d1"], at(23, 10, 0, 30), alice)
    say(d["d1"], at(23, 10, 5))
    say(d["d1"], at(23, 10, 5, 10))  # still waiting since 10:05:00
    say(d["d1"], at(23, 10, 6), alice)
    say(d["d1"], at(23, 10, 10))
    say(d["d1"], at(23, 10, 12), bob)
    Lead.objects.create(
        account=site.account,
        site=site,
        dialog=d["d1"],
        source="introduce",
        name="Ivan",
        created_at=at(23, 10, 3),
    )
    # D2, Tuesday 23:50 across midnight: Bob answers in 120 s, closed automatically at
    # 00:30 on Wednesday (40 min).
    d["d2"] = dialog(site, at(24, 23, 50), closed=at(25, 0, 30), automatic=True)
    say(d["d2"], at(24, 23, 50))
    say(d["d2"], at(24, 23, 52), bob)
    # D3 across the DST change: 01:30 CET, answered at 03:10 CEST (40 real minutes), ended
    # at 03:30 CEST (one real hour).
    d["d3"] = dialog(site, at(29, 1, 30), closed=at(29, 3, 30))
    say(d["d3"], at(29, 1, 30))
    say(d["d3"], at(29, 3, 10), alice)
    # D4, Thursday 15:00: nobody answered, missed.
    d["d4"] = dialog(site, at(26, 15), missed=at(26, 15, 10), status=Dialog.Status.MISSED)
    say(d["d4"], at(26, 15))
    # D5, Friday 09:00: Alice answers in 10 min; still open.
    d["d5"] = dialog(site, at(27, 9))
    say(d["d5"], at(27, 9))
    say(d["d5"], at(27, 9, 10), alice)
    # D9, Monday 00:20 in Berlin, still Sunday 23:20 in UTC: nobody wrote back yet.
    d["d9"] = dialog(site, at(23, 0, 20), status=Dialog.Status.NEW)
    say(d["d9"], at(23, 0, 20))
    # The previous period (16-22 March).
    # D6, Wednesday 18th 12:00: Alice answers in 60 s; ended after 1830 s.
    d["d6"] = dialog(site, at(18, 12), closed=at(18, 12, 30, 30))
    say(d["d6"], at(18, 12))
    say(d["d6"], at(18, 12, 1), alice)
    # D8, Sunday 22nd 22:00: missed, ended by an operator on Monday 08:00 (10 h).
    d["d8"] = dialog(site, at(22, 22), closed=at(23, 8), missed=at(22, 22, 10))
    say(d["d8"], at(22, 22))
    # Before both periods: counts nowhere.
    d["old"] = dialog(site, at(10, 9), closed=at(10, 9, 30))
    say(d["old"], at(10, 9))
    say(d["old"], at(10, 9, 1), alice)
    # An offline-form lead on Wednesday.
    Lead.objects.create(
        account=site.account,
        site=site,
        source="offline_form",
        name="Olga",
        created_at=at(25, 12),
    )
    # Ratings: D1 5 stars (a comment with markup), D2 a thumbs-down after midnight, D3 4
    # stars with no comment | D6 3 stars.
    rate(d["d1"], at(23, 10, 30), 5, comment="Quick & <b>clear</b>")
    rate(d["d2"], at(25, 1), 1, comment="Too slow", scale="thumbs")
    rate(d["d3"], at(29, 4), 4)
    rate(d["d6"], at(18, 13), 3, comment="Fine")
    # Elsewhere: a site of the account Alice does not work on, and another account.
    for other in (
        make_site(account=site.account, name="other-site.example"),
        make_site(name="other-account.example"),
    ):
        make_operator(sites=[other], username=f"op-{other.pk}")
        foreign = dialog(other, at(24, 12), closed=at(24, 12, 30), automatic=True)
        say(foreign, at(24, 12))
        rate(foreign, at(24, 13), 1, comment="Not for Alice's report")
        Lead.objects.create(
            account=other.account,
            site=other,
            dialog=foreign,
            source="introduce",
            created_at=at(24, 12, 1),
        )
    # Presence: Alice online 15th 23:00 - 16th 01:00 (1 h in the previous period), 22nd
    # 23:00 - 23rd 02:00 (1 h previous, 2 h current), 28th 22:00 CET - 29th 04:00 CEST
    # (5 real hours), and from 29th 23:00 on (1 h up to the period's end). Bob 25th
    # 10:00 - 10:30.
    presence(
        alice,
        (True, at(15, 23)),
        (False, at(16, 1)),
        (True, at(22, 23)),
        (False, at(23, 2)),
        (True, at(28, 22)),
        (False, at(29, 4)),
        (True, at(29, 23)),
    )
    presence(bob, (True, at(25, 10)), (False, at(25, 10, 30)))
    return d


def site_of(operator) -> Site:
    return operator.sites.get()
