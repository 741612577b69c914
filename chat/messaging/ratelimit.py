"""Rate limits on Django's cache (Redis in production, shared by every process; LocMem in
the embedded default): how many messages and new dialogs a visitor, and an IP address,
may start in a window. No database query.

Fixed windows on the clock (a minute starts at :00): a counter per window, so the wait is
known exactly (retry_after) and a burst across a boundary can reach twice the limit. A
refused attempt is not counted, so one noisy visitor does not use up his neighbours'
share of an office's IP address. A limit of 0 is off; an unknown IP (None) has no
per-IP limit, since every visitor would share it.
"""

import math
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache, caches
from django.core.cache.backends.redis import RedisCache

from chat.errors import ChatError

clock = time.time  # settable, so tests can move to the next window without sleeping


class RateLimited(ChatError):
    status = 429

    def __init__(self, retry_after: int, detail: str | None = None):
        super().__init__(
            "rate_limited",
            detail or f"Too many messages. Try again in {retry_after} seconds.",
        )
        self.retry_after = retry_after
        self.fields["retry_after"] = retry_after


@dataclass(frozen=True)
class Bucket:
    """`limit` actions of one kind by one sender (`who`) per `window` seconds."""

    kind: str
    who: str
    limit: int
    window: int

    def key(self, now: float) -> str:
        return f"rate:{self.kind}:{self.who}:{int(now) // self.window}"

    def retry_after(self, now: float) -> int:
        return max(1, math.ceil(self.window - now % self.window))


def _active(buckets) -> list[Bucket]:
    return [b for b in buckets if b.limit > 0 and b.window > 0]


def check(*buckets: Bucket, detail: str | None = None) -> None:
    """RateLimited if any bucket is full; counts nothing."""
    now = clock()
    buckets = _active(buckets)
    if not buckets:
        return
    counts = cache.get_many([b.key(now) for b in buckets])
    full = [b for b in buckets if (counts.get(b.key(now)) or 0) >= b.limit]
    if full:
        raise RateLimited(max(b.retry_after(now) for b in full), detail)


def take(*buckets: Bucket, detail: str | None = None) -> None:
    """Count one action in every bucket, or none and RateLimited if any is full: every
    counter goes up at once (atomic increments), and if one went past its limit they all
    go back down, so a refused attempt is not counted. One Redis round trip when allowed."""
    now = clock()
    active = _active(buckets)
    if not active:
        return
    keys = [(bucket.key(now), bucket.window + 1) for bucket in active]
    counts = _increment(keys)
    full = [bucket for n, bucket in enumerate(active) if counts[n] > bucket.limit]
    if full:
        for key, _timeout in keys:
            cache.decr(key)
        raise RateLimited(max(b.retry_after(now) for b in full), detail)


def _increment(keys: list[tuple[str, int]]) -> list[int]:
    """Each key's count after adding one; a new key lives `timeout` seconds (the key names
    its window, so it only has to outlive it)."""
    backend = caches["default"]  # `cache` is a proxy: isinstance never sees a RedisCache
    if isinstance(backend, RedisCache):
        # One pipeline for every bucket: SET NX EX starts a window's counter with its
        # expiry, INCR counts (Django stores integers as plain Redis integers).
        pipe = backend._cache.get_client(write=True).pipeline(transaction=False)
        for key, timeout in keys:
            full_key = backend.make_and_validate_key(key)
            pipe.set(full_key, 0, ex=timeout, nx=True)
            pipe.incr(full_key)
        return pipe.execute()[1::2]
    counts = []
    for key, timeout in keys:
        cache.add(key, 0, timeout=timeout)
        try:
            counts.append(cache.incr(key))
        except ValueError:  # evicted between add and incr
            cache.add(key, 1, timeout=timeout)
            counts.append(1)
    return counts


def _per_visitor_and_ip(kind, visitor_id, ip, visitor_limit, ip_limit, window) -> list[Bucket]:
    buckets = [Bucket(f"{kind}:visitor", str(visitor_id), visitor_limit, window)]
    if ip:
        buckets.append(Bucket(f"{kind}:ip", ip, ip_limit, window))
    return buckets


def take_message_slot(*, visitor_id: int, ip: str | None) -> None:
    take(
        *_per_visitor_and_ip(
            "message",
            visitor_id,
            ip,
            settings.CHAT_RATE_MESSAGES_PER_VISITOR,
            settings.CHAT_RATE_MESSAGES_PER_IP,
            60,
        )
    )


def take_dialog_slot(*, visitor_id: int, ip: str | None) -> None:
    take(
        *_per_visitor_and_ip(
            "dialog",
            visitor_id,
            ip,
            settings.CHAT_RATE_DIALOGS_PER_VISITOR,
            settings.CHAT_RATE_DIALOGS_PER_IP,
            3600,
        ),
        detail="Too many new conversations. Try again later.",
    )
