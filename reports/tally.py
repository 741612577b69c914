"""The Reports page's figures per local day: what the dialogs started and ended that day
contribute (counts, and the lists of values the medians need), so that the figures of any
whole-day period are sums and concatenations of its days (docs/reports.md, "How the figures
are kept fast"). A period is whole days in the operator's zone, so a moment is in the
period exactly when its local day is.

A dialog's contribution is written once here (Tally.add_started, Tally.add_ended);
on PostgreSQL, settled_started_sql and ended_sql are the same rules in SQL, grouped by
the database, so that the page never loads one row per dialog. Medians stay exact: the
lists hold every dialog's values, never daily averages.
"""

from collections import defaultdict
from dataclasses import dataclass, field


@dataclass
class Day:
    started: int = 0
    missed: int = 0
    answered: int = 0
    with_lead: int = 0
    messages: int = 0
    first: list = field(default_factory=list)  # first response seconds
    replies: list = field(default_factory=list)  # reply seconds
    hours: list = field(default_factory=lambda: [0] * 24)  # started by local hour
    ended: int = 0
    auto_closed: int = 0
    durations: list = field(default_factory=list)  # seconds, of the dialogs ended


@dataclass
class OperatorDay:
    dialogs: int = 0
    messages: int = 0
    first: list = field(default_factory=list)
    replies: list = field(default_factory=list)


class Tally:
    def __init__(self):
        self.days: dict = defaultdict(Day)  # local date -> Day
        self.operators: dict = defaultdict(OperatorDay)  # (local date, operator id) -> ...

    def add_started(self, local, missed: bool, walk, with_lead: bool):
        """A dialog started at `local` (in the zone); walk: its metrics.DialogWalk or None
        (no message but system lines)."""
        day = self.days[local.date()]
        day.started += 1
        day.hours[local.hour] += 1
        day.missed += missed
        day.with_lead += with_lead
        if walk is None:
            return
        if walk.sent:
            day.answered += 1
        if walk.first_response is not None:
            day.first.append(walk.first_response)
        for operator_id, count in walk.sent.items():
            mine = self.operators[local.date(), operator_id]
            mine.dialogs += 1
            mine.messages += count
            day.messages += count
        if walk.first_responder is not None:
            self.operators[local.date(), walk.first_responder].first.append(walk.first_response)
        for operator_id, seconds in walk.replies:
            day.replies.append(seconds)
            self.operators[local.date(), operator_id].replies.append(seconds)

    def add_ended(self, local_day, seconds: float, automatically: bool):
        day = self.days[local_day]
        day.ended += 1
        day.auto_closed += automatically
        day.durations.append(seconds)

    def add_grouped(self, kind, local_day, hour, operator_id, n, m, a, b, values):
        """One row of settled_started_sql or ended_sql."""
        if kind == "h":  # started by hour: count, missed, answered, with a lead, messages
            day = self.days[local_day]
            day.started += n
            day.hours[hour] += n
            day.missed += m
            day.answered += a
            day.with_lead += b
            day.first += values or []
        elif kind == "s":  # an operator's dialogs and messages
            mine = self.operators[local_day, operator_id]
            mine.dialogs += n
            mine.messages += m
            self.days[local_day].messages += m
        elif kind == "f":  # first responses by the operator who gave them
            self.operators[local_day, operator_id].first += values
        elif kind == "r":  # replies by operator
            self.days[local_day].replies += values
            if operator_id is not None:
                self.operators[local_day, operator_id].replies += values
        elif kind == "e":  # ended: count, automatically, durations
            day = self.days[local_day]
            day.ended += n
            day.auto_closed += m
            day.durations += values

    def days_of(self, period):
        return [self.days[day] for day in period.days if day in self.days]

    def operators_of(self, period) -> dict:
        """operator id -> his OperatorDay summed over the period."""
        days = set(period.days)
        total = defaultdict(OperatorDay)
        for (day, operator_id), mine in self.operators.items():
            if day in days:
                sum_ = total[operator_id]
                sum_.dialogs += mine.dialogs
                sum_.messages += mine.messages
                sum_.first += mine.first
                sum_.replies += mine.replies
        return total


# {kept}: the page's filters (reports.dialog_filters.Kept.sql on d.id), "" without one.
# The dialogs started in the span, site and zone given, whose facts are settled
# (reports.facts.settled), grouped by local day: the rules of Tally.add_started.
SETTLED_STARTED_SQL = """
WITH s AS (
    SELECT d.id, d.created_at AT TIME ZONE %(zone)s AS local, d.missed_at,
           f.first_response, f.first_responder, f.replies, f.sent
    FROM {dialog} d JOIN {facts} f ON f.dialog_id = d.id
    WHERE d.site_id = ANY(%(sites)s) AND d.created_at >= %(start)s AND d.created_at < %(end)s
      AND d.status = %(closed)s AND f.closed_at = d.closed_at
      AND f.last_message_at = d.last_message_at{kept}
)
SELECT 'h', local::date, extract(hour FROM local)::int, NULL::bigint,
       count(*)::int, count(missed_at)::int,
       (count(*) FILTER (WHERE jsonb_array_length(sent) > 0))::int,
       (count(*) FILTER (WHERE EXISTS (SELECT 1 FROM {lead} l WHERE l.dialog_id = s.id)))::int,
       array_agg(first_response) FILTER (WHERE first_response IS NOT NULL)
FROM s GROUP BY 2, 3
UNION ALL
SELECT 's', local::date, NULL, (e->>0)::bigint, count(*)::int, sum((e->>1)::bigint)::bigint,
       NULL, NULL, NULL
FROM s, jsonb_array_elements(s.sent) e GROUP BY 2, 4
UNION ALL
SELECT 'f', local::date, NULL, first_responder, NULL, NULL, NULL, NULL, array_agg(first_response)
FROM s WHERE first_responder IS NOT NULL GROUP BY 2, 4
UNION ALL
SELECT 'r', local::date, NULL, (r->>0)::bigint, NULL, NULL, NULL, NULL,
       array_agg((r->>1)::float8)
FROM s, jsonb_array_elements(s.replies) r GROUP BY 2, 4
"""

# The dialogs ended in the span: the rule of Tally.add_ended.
ENDED_SQL = """
SELECT 'e', (closed_at AT TIME ZONE %(zone)s)::date, NULL, NULL::bigint, count(*)::int,
       (count(*) FILTER (WHERE closed_automatically))::int, NULL, NULL,
       array_agg(extract(epoch FROM closed_at - created_at)::float8)
FROM {dialog} d
WHERE site_id = ANY(%(sites)s) AND closed_at >= %(start)s AND closed_at < %(end)s{kept}
GROUP BY 2
"""
