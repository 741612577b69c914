"""The Reports page's figures per local day: what the dialogs started and ended that day
contribute (counts, and how many times each duration occurs), so that the figures of any
whole-day period are sums of its days (docs/reports.md, "How the figures are kept fast").
A period is whole days in the operator's zone, so a moment is in the period exactly when
its local day is.

Durations are kept to the nearest second, as the page and the CSV show them: a median of
the rounded values is the rounded median, so counting each whole second once per day
keeps the percentiles exact (metrics.percentile) and a day's figures small.

A dialog's contribution is written once here (Tally.add_started, Tally.add_ended); on
PostgreSQL, SETTLED_STARTED_SQL and ENDED_SQL are the same rules in SQL, grouped by the
database, so that the page never loads one row per dialog. A Tally is one site's; the
page adds its sites' together (Tally.merged). as_figures and from_figures are a day's
figures as reports.days stores them.
"""

from collections import Counter, defaultdict
from dataclasses import dataclass, field


def seconds(value) -> int:
    """A duration as the page shows it: whole seconds (round half to even, like Python's
    round(), which reports.formatting uses too)."""
    return round(value)


def counted(values) -> Counter:
    return Counter(map(seconds, values))


@dataclass
class Day:
    started: int = 0
    missed: int = 0
    answered: int = 0
    with_lead: int = 0  # filled from the leads (reports.selectors), never stored
    messages: int = 0
    first: Counter = field(default_factory=Counter)  # first response seconds -> dialogs
    replies: Counter = field(default_factory=Counter)  # reply seconds -> replies
    hours: list = field(default_factory=lambda: [0] * 24)  # started by local hour
    ended: int = 0
    auto_closed: int = 0
    durations: Counter = field(default_factory=Counter)  # seconds -> dialogs ended

    def add(self, other: "Day") -> None:
        for name in ("started", "missed", "answered", "with_lead", "messages", "ended"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.auto_closed += other.auto_closed
        self.first.update(other.first)
        self.replies.update(other.replies)
        self.durations.update(other.durations)
        self.hours = [a + b for a, b in zip(self.hours, other.hours, strict=True)]


@dataclass
class OperatorDay:
    dialogs: int = 0
    messages: int = 0
    first: Counter = field(default_factory=Counter)
    replies: Counter = field(default_factory=Counter)

    def add(self, other: "OperatorDay") -> None:
        self.dialogs += other.dialogs
        self.messages += other.messages
        self.first.update(other.first)
        self.replies.update(other.replies)


class Tally:
    def __init__(self):
        self.days: dict = defaultdict(Day)  # local date -> Day
        self.operators: dict = defaultdict(OperatorDay)  # (local date, operator id) -> ...

    def add_started(self, local, missed: bool, walk):
        """A dialog started at `local` (in the zone); walk: its metrics.DialogWalk or None
        (no message but system lines)."""
        day = self.days[local.date()]
        day.started += 1
        day.hours[local.hour] += 1
        day.missed += missed
        if walk is None:
            return
        if walk.sent:
            day.answered += 1
        if walk.first_response is not None:
            day.first[seconds(walk.first_response)] += 1
        for operator_id, count in walk.sent.items():
            mine = self.operators[local.date(), operator_id]
            mine.dialogs += 1
            mine.messages += count
            day.messages += count
        if walk.first_responder is not None:
            mine = self.operators[local.date(), walk.first_responder]
            mine.first[seconds(walk.first_response)] += 1
        for operator_id, value in walk.replies:
            day.replies[seconds(value)] += 1
            self.operators[local.date(), operator_id].replies[seconds(value)] += 1

    def add_ended(self, local_day, duration: float, automatically: bool):
        day = self.days[local_day]
        day.ended += 1
        day.auto_closed += automatically
        day.durations[seconds(duration)] += 1

    def add_grouped(self, kind, local_day, hour, operator_id, n, m, a, values):
        """One row of SETTLED_STARTED_SQL or ENDED_SQL (without its site)."""
        if kind == "h":  # started by hour: count, missed, answered
            day = self.days[local_day]
            day.started += n
            day.hours[hour] += n
            day.missed += m
            day.answered += a
            day.first.update(counted(values or []))
        elif kind == "s":  # an operator's dialogs and messages
            mine = self.operators[local_day, operator_id]
            mine.dialogs += n
            mine.messages += m
            self.days[local_day].messages += m
        elif kind == "f":  # first responses by the operator who gave them
            self.operators[local_day, operator_id].first.update(counted(values))
        elif kind == "r":  # replies by operator
            replies = counted(values)
            self.days[local_day].replies.update(replies)
            self.operators[local_day, operator_id].replies.update(replies)
        elif kind == "e":  # ended: count, automatically, durations
            day = self.days[local_day]
            day.ended += n
            day.auto_closed += m
            day.durations.update(counted(values))

    def as_figures(self, local_day) -> dict:
        """One day's figures as JSON-ready data (reports.days stores them)."""
        day = self.days.get(local_day) or Day()
        return {
            "started": day.started,
            "missed": day.missed,
            "answered": day.answered,
            "messages": day.messages,
            "first": _pairs(day.first),
            "replies": _pairs(day.replies),
            "hours": day.hours,
            "ended": day.ended,
            "auto_closed": day.auto_closed,
            "durations": _pairs(day.durations),
            "operators": [
                [op, mine.dialogs, mine.messages, _pairs(mine.first), _pairs(mine.replies)]
                for (date, op), mine in self.operators.items()
                if date == local_day
            ],
        }

    def add_figures(self, local_day, figures: dict) -> None:
        """The inverse of as_figures, added to this tally's day."""
        day = self.days[local_day]
        day.add(
            Day(
                started=figures["started"],
                missed=figures["missed"],
                answered=figures["answered"],
                messages=figures["messages"],
                first=Counter(dict(figures["first"])),
                replies=Counter(dict(figures["replies"])),
                hours=figures["hours"],
                ended=figures["ended"],
                auto_closed=figures["auto_closed"],
                durations=Counter(dict(figures["durations"])),
            )
        )
        for op, dialogs, messages, first, replies in figures["operators"]:
            self.operators[local_day, op].add(
                OperatorDay(dialogs, messages, Counter(dict(first)), Counter(dict(replies)))
            )

    @classmethod
    def merged(cls, tallies) -> "Tally":
        total = cls()
        for tally in tallies:
            for local_day, day in tally.days.items():
                total.days[local_day].add(day)
            for key, mine in tally.operators.items():
                total.operators[key].add(mine)
        return total

    def days_of(self, period):
        return [self.days[day] for day in period.days if day in self.days]

    def operators_of(self, period) -> dict:
        """operator id -> his OperatorDay summed over the period."""
        days = set(period.days)
        total = defaultdict(OperatorDay)
        for (day, operator_id), mine in self.operators.items():
            if day in days:
                total[operator_id].add(mine)
        return total


def _pairs(values: Counter) -> list:
    return sorted(values.items())


# {kept}: the page's filters (reports.dialog_filters.Kept.sql on d.id), "" without one.
# The dialogs started in the span, sites and zone given, whose facts are settled
# (reports.facts.settled), grouped by site and local day: the rules of Tally.add_started.
SETTLED_STARTED_SQL = """
WITH s AS (
    SELECT d.id, d.site_id, d.created_at AT TIME ZONE %(zone)s AS local, d.missed_at,
           f.first_response, f.first_responder, f.replies, f.sent
    FROM {dialog} d JOIN {facts} f ON f.dialog_id = d.id
    WHERE d.site_id = ANY(%(sites)s) AND d.created_at >= %(start)s AND d.created_at < %(end)s
      AND d.status = %(closed)s AND f.closed_at = d.closed_at
      AND f.last_message_at = d.last_message_at{kept}
)
SELECT 'h', site_id, local::date, extract(hour FROM local)::int, NULL::bigint,
       count(*)::int, count(missed_at)::int,
       (count(*) FILTER (WHERE jsonb_array_length(sent) > 0))::int,
       array_agg(first_response) FILTER (WHERE first_response IS NOT NULL)
FROM s GROUP BY 2, 3, 4
UNION ALL
SELECT 's', site_id, local::date, NULL, (e->>0)::bigint, count(*)::int,
       sum((e->>1)::bigint)::bigint, NULL, NULL
FROM s, jsonb_array_elements(s.sent) e GROUP BY 2, 3, 5
UNION ALL
SELECT 'f', site_id, local::date, NULL, first_responder, NULL, NULL, NULL,
       array_agg(first_response)
FROM s WHERE first_responder IS NOT NULL GROUP BY 2, 3, 5
UNION ALL
SELECT 'r', site_id, local::date, NULL, (r->>0)::bigint, NULL, NULL, NULL,
       array_agg((r->>1)::float8)
FROM s, jsonb_array_elements(s.replies) r GROUP BY 2, 3, 5
"""

# The dialogs ended in the span: the rule of Tally.add_ended.
ENDED_SQL = """
SELECT 'e', site_id, (closed_at AT TIME ZONE %(zone)s)::date, NULL, NULL::bigint,
       count(*)::int, (count(*) FILTER (WHERE closed_automatically))::int, NULL,
       array_agg(extract(epoch FROM closed_at - created_at)::float8)
FROM {dialog} d
WHERE site_id = ANY(%(sites)s) AND closed_at >= %(start)s AND closed_at < %(end)s{kept}
GROUP BY 2, 3
"""
