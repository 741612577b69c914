"""The rate limits count the same on either cache (chat/messaging/ratelimit.py): Redis in
production (one pipeline) and LocMem in the embedded default, whichever database the run
uses. The socket-level rules are in test_rate_limits.py."""

import os
import time
import uuid

import pytest
from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache

from chat.messaging import ratelimit
from chat.messaging.ratelimit import Bucket, RateLimited

START = 1_800_000_000.0  # a whole number of minutes and hours


@pytest.fixture(params=["locmem", "redis"])
def cache_kind(request, settings):
    if request.param == "redis":
        if not os.environ.get("REDIS_URL"):
            pytest.skip("needs REDIS_URL")
        backend = {
            "BACKEND": "config.redis_cache.SharedRedisCache",
            "LOCATION": os.environ["REDIS_URL"],
            "KEY_PREFIX": f"test{uuid.uuid4().hex[:12]}",
        }
    else:
        backend = {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": f"limits-{uuid.uuid4().hex}",
        }
    settings.CACHES = {"default": backend}
    assert isinstance(caches["default"], RedisCache) == (request.param == "redis")
    return request.param


@pytest.fixture
def now(monkeypatch):
    moment = [START + 20]

    def set_to(value):
        moment[0] = value
        monkeypatch.setattr(ratelimit, "clock", lambda: moment[0])

    set_to(START + 20)
    return set_to


def minute_bucket(limit: int, who: str = "visitor-1") -> Bucket:
    return Bucket("message:visitor", who, limit, 60)


def test_the_limit_refuses_the_next_action_until_the_next_window(cache_kind, now):
    ratelimit.take(minute_bucket(2))
    ratelimit.take(minute_bucket(2))

    with pytest.raises(RateLimited) as refused:
        ratelimit.take(minute_bucket(2))

    assert refused.value.retry_after == 40  # 20 s into the minute
    assert refused.value.fields["retry_after"] == 40
    with pytest.raises(RateLimited):
        ratelimit.check(minute_bucket(2))
    now(START + 60)
    ratelimit.check(minute_bucket(2))
    ratelimit.take(minute_bucket(2))


def test_a_refused_action_is_not_counted(cache_kind, now):
    ratelimit.take(minute_bucket(1))
    for _attempt in range(3):
        with pytest.raises(RateLimited):
            ratelimit.take(minute_bucket(1))

    # Had the refusals counted, a limit of 2 would be used up too.
    ratelimit.take(minute_bucket(2))
    with pytest.raises(RateLimited):
        ratelimit.take(minute_bucket(2))


def test_one_full_bucket_refuses_and_the_others_count_nothing(cache_kind, now):
    visitor = minute_bucket(5, "visitor-1")
    address = Bucket("message:ip", "203.0.113.9", 1, 60)
    ratelimit.take(visitor, address)

    with pytest.raises(RateLimited):
        ratelimit.take(visitor, address)

    # The visitor's own bucket holds 1 of 5, not 2: four more go through alone.
    for _attempt in range(4):
        ratelimit.take(visitor)
    with pytest.raises(RateLimited):
        ratelimit.take(visitor)


def test_senders_and_kinds_are_counted_apart(cache_kind, now):
    ratelimit.take(minute_bucket(1, "visitor-1"))

    ratelimit.take(minute_bucket(1, "visitor-2"))
    ratelimit.take(Bucket("dialog:visitor", "visitor-1", 1, 3600))
    ratelimit.check(minute_bucket(1, "visitor-3"))


def test_the_wait_is_the_longest_of_the_full_buckets(cache_kind, now):
    minute = minute_bucket(1)
    hour = Bucket("dialog:visitor", "visitor-1", 1, 3600)
    ratelimit.take(minute, hour)

    with pytest.raises(RateLimited) as refused:
        ratelimit.take(minute, hour)
    assert refused.value.retry_after == 3600 - 20
    with pytest.raises(RateLimited) as checked:
        ratelimit.check(minute, hour, detail="Too many new conversations.")
    assert checked.value.retry_after == 3600 - 20
    assert checked.value.detail == "Too many new conversations."
    assert "Try again in 40 seconds" in refused_message(minute)


def refused_message(bucket: Bucket) -> str:
    with pytest.raises(RateLimited) as refused:
        ratelimit.take(bucket)
    return refused.value.detail


def test_a_limit_or_a_window_of_zero_is_off(cache_kind, now):
    for _attempt in range(5):
        ratelimit.take(minute_bucket(0), Bucket("message:ip", "203.0.113.9", 1, 0))
        ratelimit.check(minute_bucket(0), Bucket("message:ip", "203.0.113.9", 1, 0))


def test_a_one_second_window_counts_too(cache_kind, now):
    second = Bucket("message:visitor", "visitor-1", 1, 1)
    ratelimit.take(second)
    with pytest.raises(RateLimited) as refused:
        ratelimit.take(second)
    assert refused.value.retry_after == 1


def test_a_windows_counter_is_dropped_after_its_window(cache_kind, now):
    """The key names its window, so its counter only has to outlive it: counters of past
    windows do not pile up in Redis."""
    bucket = minute_bucket(5)
    ratelimit.take(bucket)
    backend = caches["default"]
    full_key = backend.make_and_validate_key(bucket.key(START + 20))
    if cache_kind == "redis":
        lifetime = backend._cache.get_client(full_key).ttl(full_key)
    else:
        lifetime = backend._expire_info[full_key] - time.time()
    assert 0 < lifetime <= 61


def test_a_counter_evicted_before_its_count_starts_again_at_one(settings, now, monkeypatch):
    """LocMem may evict a window's counter between starting it and counting (a full cache):
    the action counts as the first of a new counter, stored for the window."""
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": f"limits-{uuid.uuid4().hex}",
        }
    }
    backend = caches["default"]
    real_incr = backend.incr
    evicted = []

    def incr_after_eviction(key, delta=1, version=None):
        if not evicted:
            evicted.append(key)
            backend.delete(key)
        return real_incr(key, delta, version)

    monkeypatch.setattr(backend, "incr", incr_after_eviction)
    bucket = minute_bucket(1)
    ratelimit.take(bucket)

    with pytest.raises(RateLimited):
        ratelimit.take(bucket)
    assert evicted
    assert backend.get(bucket.key(START + 20)) == 1
    full_key = backend.make_and_validate_key(bucket.key(START + 20))
    assert 0 < backend._expire_info[full_key] - time.time() <= 61


def test_too_many_new_dialogs_say_so(cache_kind, now, settings):
    """A visitor refused a new conversation is told that, not "too many messages"."""
    settings.CHAT_RATE_DIALOGS_PER_VISITOR = 1
    ratelimit.take_dialog_slot(visitor_id=1, ip="203.0.113.9")

    with pytest.raises(RateLimited) as refused:
        ratelimit.take_dialog_slot(visitor_id=1, ip="203.0.113.9")

    assert refused.value.detail == "Too many new conversations. Try again later."
    assert refused.value.retry_after == 3600 - 20


def test_the_count_holds_for_the_whole_window(cache_kind, now):
    """A window is a minute on the clock, not the second of the first action."""
    ratelimit.take(minute_bucket(1))
    now(START + 59.5)
    with pytest.raises(RateLimited) as refused:
        ratelimit.take(minute_bucket(1))
    assert refused.value.retry_after == 1
    with pytest.raises(RateLimited):
        ratelimit.check(minute_bucket(1))
