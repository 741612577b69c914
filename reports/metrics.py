"""The figures of the Reports page, computed from rows the selectors loaded, with no
query of their own. Each one is defined once in docs/reports.md; the anchors here are
that file's headings."""

import math
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta

from django.utils import timezone

# (key, anchor in docs/reports.md) in the order the page and the CSV show them.
SUMMARY = (
    ("started", "dialogs-started"),
    ("answered", "dialogs-answered"),
    ("missed", "dialogs-missed"),
    ("ended", "dialogs-ended"),
    ("auto_closed", "dialogs-auto-closed"),
    ("first_response_median", "first-response-time"),
    ("first_response_p90", "first-response-time"),
    ("reply_median", "reply-time"),
    ("duration_median", "dialog-duration"),
    ("messages", "messages-sent"),
    ("leads", "leads"),
    ("lead_share", "share-of-dialogs-with-a-lead"),
    ("ratings", "ratings"),
    ("rating_average", "average-rating"),
    ("rating_good_share", "share-of-good-ratings"),
)
DURATIONS = {"first_response_median", "first_response_p90", "reply_median", "duration_median"}
OPERATOR_COLUMNS = (
    ("dialogs", "dialogs-per-operator"),
    ("messages", "messages-sent"),
    ("first_response_median", "first-response-time"),
    ("reply_median", "reply-time"),
    ("online", "time-online"),
)


def percentile(values, p: int):
    """Nearest rank: the smallest value with at least p% of the values at or below it;
    None for no values. The median is percentile(values, 50). values: a list, or a
    mapping of value -> how many times it occurs (reports.tally's whole seconds)."""
    counts = values if isinstance(values, Mapping) else Counter(values)
    total = sum(counts.values())
    if not total:
        return None
    rank = max(1, math.ceil(p * total / 100))
    seen = 0
    for value in sorted(counts):
        seen += counts[value]
        if seen >= rank:
            return value
    return None  # not reached: the ranks add up to total


def merged(counters) -> Counter:
    total = Counter()
    for counts in counters:
        total.update(counts)
    return total


@dataclass
class DialogWalk:
    """What a dialog's messages tell: the first response and later replies (seconds),
    and who wrote."""

    first_response: float | None = None
    first_responder: int | None = None
    replies: list = field(default_factory=list)  # (operator id, seconds)
    sent: dict = field(default_factory=dict)  # operator id -> his messages in the dialog

    @property
    def writers(self):
        return self.sent.keys()


def walk_messages(messages) -> dict[int, DialogWalk]:
    """messages: (dialog id, author kind, operator id, sent at) ordered by dialog and id,
    system lines left out. A wait starts at a visitor's message none is waiting before,
    and ends at the next operator's message; the first wait is the first response."""
    walks = {}
    current, waiting_since, answered = None, None, False
    for dialog_id, kind, operator_id, sent_at in messages:
        if dialog_id != current:
            current, waiting_since, answered = dialog_id, None, False
            walks[dialog_id] = DialogWalk()
        walk = walks[dialog_id]
        if kind == "visitor":
            if waiting_since is None:
                waiting_since = sent_at
            continue
        walk.sent[operator_id] = walk.sent.get(operator_id, 0) + 1
        if waiting_since is not None:
            seconds = (sent_at - waiting_since).total_seconds()
            if answered:
                walk.replies.append((operator_id, seconds))
            else:
                walk.first_response, walk.first_responder = seconds, operator_id
            answered, waiting_since = True, None
    return walks


def online_seconds(changes, before, period) -> float:
    """changes: an operator's (online, at) in time order; before: his state when the
    period starts (the last change before it, False if none). The online intervals,
    clipped to the period, summed."""
    total = 0.0
    since = period.start if before else None
    for online, at in changes:
        at = min(max(at, period.start), period.end)
        if online and since is None:
            since = at
        elif not online and since is not None:
            total += (at - since).total_seconds()
            since = None
    if since is not None:
        total += (min(period.end, max(timezone.now(), since)) - since).total_seconds()
    return total


def summarise(data, period) -> dict:
    """The account-wide figures of one period."""
    days = data.tally.days_of(period)
    started = sum(day.started for day in days)
    first = merged(day.first for day in days)
    return {
        "started": started,
        "answered": sum(day.answered for day in days),
        "missed": sum(day.missed for day in days),
        "ended": sum(day.ended for day in days),
        "auto_closed": sum(day.auto_closed for day in days),
        "first_response_median": percentile(first, 50),
        "first_response_p90": percentile(first, 90),
        "reply_median": percentile(merged(day.replies for day in days), 50),
        "duration_median": percentile(merged(day.durations for day in days), 50),
        "messages": sum(day.messages for day in days),
        "leads": sum(1 for at in data.lead_times if at in period),
        "lead_share": (sum(day.with_lead for day in days) / started) if started else None,
        **rating_figures([r for r in data.ratings if r.rated_at in period]),
    }


def rating_figures(ratings) -> dict:
    """Ratings given in the period (satisfaction.Rating, on the 1-5 scale thumbs share)."""
    return {
        "ratings": len(ratings),
        "rating_average": (sum(r.score for r in ratings) / len(ratings)) if ratings else None,
        "rating_good_share": (sum(r.good for r in ratings) / len(ratings)) if ratings else None,
    }


def latest_comments(data, period, limit: int = 5) -> list:
    """The newest ratings of the period that carry a comment."""
    rated = [r for r in data.ratings if r.rated_at in period and r.comment]
    return sorted(rated, key=lambda r: r.rated_at, reverse=True)[:limit]


def per_operator(data, period) -> dict[int, dict]:
    figures = data.tally.operators_of(period)
    return {
        op.id: {
            "dialogs": figures[op.id].dialogs,
            "messages": figures[op.id].messages,
            "first_response_median": percentile(figures[op.id].first, 50),
            "reply_median": percentile(figures[op.id].replies, 50),
            "online": online_seconds(
                data.presence.get(op.id, []), data.online_before(op, period), period
            ),
        }
        for op in data.operators
    }


def daily(data, period) -> list[dict]:
    """Per day of the period (in the active time zone): dialogs started and the median
    first response time of those dialogs."""
    days = data.tally.days
    return [
        {
            "day": day,
            "started": days[day].started if day in days else 0,
            "first_response_median": percentile(days[day].first, 50) if day in days else None,
        }
        for day in period.days
    ]


def heatmap(data, period) -> list[list[int]]:
    """Dialogs started in the period by weekday (0 Monday) and hour, in the active zone."""
    grid = [[0] * 24 for _ in range(7)]
    for day in period.days:
        if day in data.tally.days:
            row = grid[day.weekday()]
            for hour, count in enumerate(data.tally.days[day].hours):
                row[hour] += count
    return grid


def change(current, previous):
    """current minus previous, None when either is unknown."""
    if current is None or previous is None:
        return None
    return current - previous


def as_duration(seconds) -> timedelta | None:
    return None if seconds is None else timedelta(seconds=round(seconds))
