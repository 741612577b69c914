"""When to try a delivery again: which answers are temporary, exponential backoff with
jitter, and the receiver's Retry-After (seconds or an HTTP date) when it asks for longer."""

import email.utils
import random
from datetime import timedelta

from django.utils import timezone
from django.utils.translation import gettext as _


def is_temporary(status_code: int) -> bool:
    """408, 429 and 5xx may change by themselves; other 4xx need someone to fix something."""
    return status_code in (408, 429) or status_code >= 500


def backoff_seconds(retries: int, *, base: float, cap: float) -> float:
    """min(cap, base * 2**retries), times a random 0.5 to 1."""
    return min(cap, base * 2**retries) * random.uniform(0.5, 1.0)


def retry_after_seconds(value: str | None) -> float | None:
    """Retry-After as seconds: a number, or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        moment = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if moment.tzinfo is None:
        return None
    return max(0.0, (moment - timezone.now()).total_seconds())


def next_delay(retries: int, retry_after: float | None, *, base: float, cap: float) -> float:
    """The wait before the next attempt: the backoff, or Retry-After when that is longer."""
    return max(backoff_seconds(retries, base=base, cap=cap), retry_after or 0)


def within_limits(
    countdown: float, *, retries: int, retrying_since, max_retries: int, window_seconds: float
) -> bool:
    """Whether an attempt `countdown` seconds from now is still allowed: fewer than
    max_retries retries so far, and due inside the window that opened with the first
    temporary failure (retrying_since; None: this one)."""
    started = retrying_since or timezone.now()
    due = timezone.now() + timedelta(seconds=countdown)
    return retries < max_retries and due <= started + timedelta(seconds=window_seconds)


def gave_up_reason(attempts: int, error: str) -> str:
    """The failure shown once retrying stops (attempts: those made, this one included)."""
    return _("Gave up after %(count)s attempts. %(error)s") % {"count": attempts, "error": error}


def lost_task_ids(rows, *, waiting_statuses, limit: int = 100, grace_seconds: int = 60):
    """Ids of deliveries whose task was lost: waiting (`waiting_statuses`), not touched
    for `grace_seconds`, and not due later than that. rows: the delivery model's
    queryset (fields status, updated_at and next_attempt_at)."""
    old = timezone.now() - timedelta(seconds=grace_seconds)
    rows = rows.filter(status__in=waiting_statuses, updated_at__lt=old)
    return list(rows.exclude(next_attempt_at__gt=old).values_list("pk", flat=True)[:limit])
