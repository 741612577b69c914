"""The presence store's contract, on the in-memory store and (with REDIS_URL) on Redis."""

import os
import time
import uuid

import pytest

from engage.presence_store import MemoryPresenceStore, RedisPresenceStore

TTL = 60
T = 0.0  # each test's "now": Redis expires keys on its own clock, so times near the real one


@pytest.fixture(autouse=True)
def now():
    global T
    T = float(int(time.time()))


@pytest.fixture(params=["memory", "redis"])
def store(request):
    if request.param == "memory":
        return MemoryPresenceStore(TTL)
    url = os.environ.get("REDIS_URL")
    if not url:
        pytest.skip("REDIS_URL is not set")
    return RedisPresenceStore(url, TTL, f"test{uuid.uuid4().hex[:12]}")


def opened(store, visitor=1, socket="a", *, site=1, visit=10, now=None):
    now = T if now is None else now
    store.socket_opened(
        site, visitor, socket, visit_id=visit, since=T - 100, language="ru", now=now
    )


def test_an_open_socket_makes_the_visitor_online_on_his_site_only(store):
    opened(store, now=T)
    entries = store.online([1, 2], now=T + 1)
    assert list(entries) == [(1, 1)]
    entry = entries[(1, 1)]
    assert (entry["visit"], entry["since"], entry["language"], entry["pages"]) == (
        10,
        T - 100,
        "ru",
        0,
    )
    assert store.counts([1, 2], now=T + 1) == {1: 1, 2: 0}


def test_pages_count_changes_of_page_not_reloads(store):
    opened(store, now=T)
    for url in ["https://s/a", "https://s/a", "https://s/b", "https://s/a"]:
        store.page_changed(1, 1, "a", visit_id=10, url=url, title=url[-1], now=T + 1)
    entry = store.entries([(1, 1)], now=T + 2)[(1, 1)]
    assert (entry["url"], entry["title"], entry["pages"]) == ("https://s/a", "a", 3)


def test_a_new_visit_starts_counting_afresh(store):
    opened(store, now=T)
    store.page_changed(1, 1, "a", visit_id=10, url="https://s/a", title="", now=T + 1)
    opened(store, socket="b", visit=11, now=T + 2)
    store.page_changed(1, 1, "b", visit_id=11, url="https://s/a", title="", now=T + 3)
    entry = store.entries([(1, 1)], now=T + 4)[(1, 1)]
    assert (entry["visit"], entry["pages"]) == (11, 1)


def test_he_stays_online_while_one_of_his_sockets_is_open(store):
    opened(store, socket="a", now=T)
    opened(store, socket="b", now=T)
    store.socket_closed(1, 1, "a", now=T + 1)
    assert store.counts([1], now=T + 1) == {1: 1}
    store.socket_closed(1, 1, "b", now=T + 2)
    assert store.online([1], now=T + 2) == {}
    assert store.counts([1], now=T + 2) == {1: 0}


def test_a_socket_nobody_renews_expires(store):
    opened(store, socket="a", now=T)
    opened(store, visitor=2, socket="b", now=T)
    store.refresh([(1, 2, "b")], now=T + TTL - 1)
    later = T + TTL + 1
    assert list(store.online([1], now=later)) == [(1, 2)]
    assert store.counts([1], now=later) == {1: 1}
    assert store.entries([(1, 1), (1, 2)], now=later).keys() == {(1, 2)}


def test_renewing_a_closed_socket_does_not_bring_it_back(store):
    opened(store, now=T)
    store.socket_closed(1, 1, "a", now=T + 1)
    store.refresh([(1, 1, "a")], now=T + 2)
    assert store.online([1], now=T + 3) == {}


def test_pages_go_on_counting_when_he_opens_another_page_of_the_site(store):
    """A multi-page site: the old page's socket closes before the new one opens."""
    opened(store, socket="a", now=T)
    store.page_changed(1, 1, "a", visit_id=10, url="https://s/a", title="A", now=T)
    store.socket_closed(1, 1, "a", now=T + 1)
    assert store.counts([1], now=T + 1) == {1: 0}
    opened(store, socket="b", now=T + 2)
    store.page_changed(1, 1, "b", visit_id=10, url="https://s/b", title="B", now=T + 2)
    entry = store.online([1], now=T + 3)[(1, 1)]
    assert (entry["url"], entry["pages"]) == ("https://s/b", 2)
    assert store.counts([1], now=T + 3) == {1: 1}


def test_a_visitor_who_left_is_forgotten_after_a_while(store):
    opened(store, socket="a", now=T)
    store.page_changed(1, 1, "a", visit_id=10, url="https://s/a", title="A", now=T)
    store.socket_closed(1, 1, "a", now=T + 1)
    opened(store, socket="b", now=T + TTL + 2)
    assert store.online([1], now=T + TTL + 3)[(1, 1)]["pages"] == 0
