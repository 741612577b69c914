"""Live rows of the Visitors tab, coalesced: at most one update per visitor per second
leaves this process, however often he changes pages.

A change (socket opened or closed, page, dialog) marks the visitor dirty; the process's
event loop flushes the dirty visitors at once when the last flush is a second old, else
when it is. One flush reads their entries and rows in a fixed number of queries
(engage/visitors.py), renders each row once per language and publishes it to the site's
console topic group (events.site_topic_group: only the console pages of that site's
operators hear it), with the
site's new count.

Each ASGI process coalesces the changes it sees: a visitor's sockets live on one process
when he has one tab, so the bound holds per visitor; a visitor with tabs on two processes
may reach consoles twice a second. A change made outside an ASGI process's event loop (a
management command, a Celery task) reaches the store but no live row: the Visitors page
shows it when it is next loaded. Sync views under Daphne run on a thread of its loop, so
their changes (an operator connects to a dialog) do go out live.

The same loop renews the presence of the sockets this process holds (the heartbeat,
engage/presence_store.py).
"""

import asyncio
import logging
import threading
import time

from asgiref.sync import SyncToAsync

from chat.messaging import payloads
from chat.realtime import events
from chat.realtime.db_threads import db_thread
from engage import presence_store, visitors

log = logging.getLogger(__name__)

WINDOW = 1.0  # seconds between two updates of one visitor
TOPIC = "visitors"  # the console topic (chat/realtime/extensions.py): every console page


def topic_groups(*, operator, site_ids) -> list[str]:
    return [events.site_topic_group(TOPIC, site_id) for site_id in sorted(site_ids)]


def _main_loop():
    """The event loop this thread serves: its own, or the one whose database thread it is
    (asgiref sets that thread-local for sync_to_async threads; None elsewhere)."""
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        pass
    if getattr(SyncToAsync.threadlocal, "main_event_loop_pid", None) is None:
        return None
    loop = getattr(SyncToAsync.threadlocal, "main_event_loop", None)
    return loop if loop is not None and loop.is_running() else None


class LiveVisitors:
    def __init__(self):
        self._lock = threading.Lock()
        self._pending: set[tuple[int, int]] = set()
        self._loop = None
        self._flush_at: float | None = None  # a flush is scheduled for then
        self._last_flush = 0.0
        self._sockets: set[tuple[int, int, str]] = set()
        self._heartbeat = None
        self.published = 0  # row updates this process has sent (the bench reads it)

    # --- called from hooks, on any thread ------------------------------------------------

    def changed(self, site_id: int, visitor_id: int) -> None:
        loop = _main_loop()
        if loop is None:
            return  # not in an ASGI process: no console hears this process (see above)
        loop.call_soon_threadsafe(self._mark, loop, (site_id, visitor_id))

    def socket_held(self, site_id: int, visitor_id: int, socket_id: str, held: bool) -> None:
        with self._lock:
            if held:
                self._sockets.add((site_id, visitor_id, socket_id))
            else:
                self._sockets.discard((site_id, visitor_id, socket_id))

    def idle(self) -> bool:
        """No change waits for a flush and none is being sent (the tests wait for it)."""
        return not self._pending and self._flush_at is None

    # --- on the event loop ----------------------------------------------------------------

    def _mark(self, loop, key) -> None:
        if self._loop is not loop:  # a new loop (tests): forget the old one's schedule
            self._loop, self._flush_at, self._heartbeat = loop, None, None
        self._pending.add(key)
        if self._heartbeat is None:
            ttl = presence_store.store().ttl
            self._heartbeat = loop.call_later(ttl / 3, self._renew, loop)
        if self._flush_at is None:
            self._schedule(loop)

    def _schedule(self, loop) -> None:
        self._flush_at = max(time.monotonic(), self._last_flush + WINDOW)
        loop.call_at(
            loop.time() + (self._flush_at - time.monotonic()),
            lambda: loop.create_task(self._flush()),
        )

    async def _flush(self) -> None:
        keys, self._pending = list(self._pending), set()
        try:
            if keys:
                sends = await db_thread(render_updates)(keys)
                for group, event in sends:
                    await events.publish_async(group, event)
                self.published += len(keys)
        except Exception:
            log.exception("Visitors: %d live rows were not sent", len(keys))
        finally:
            # The window counts from the end of the sends: however long the next flush
            # takes to render, a visitor's two rows leave a second apart at least.
            self._last_flush = time.monotonic()
            self._flush_at = None
            if self._pending:  # changes heard while this flush was rendering
                self._schedule(asyncio.get_running_loop())

    def _renew(self, loop) -> None:
        """Every third of the presence TTL while the loop runs: push the expiry of the
        sockets this process holds (a timer, not a task: nothing is left pending when a
        loop closes)."""
        store = presence_store.store()
        if self._loop is not loop:
            return  # a newer loop took over
        with self._lock:
            held = list(self._sockets)
        if held:
            future = loop.run_in_executor(None, store.refresh, held)
            future.add_done_callback(_log_failure)
        self._heartbeat = loop.call_later(store.ttl / 3, self._renew, loop)


def _log_failure(future) -> None:
    if not future.cancelled() and future.exception() is not None:
        log.error("Visitors: presence not renewed: %s", future.exception())


live = LiveVisitors()


def render_updates(keys) -> list[tuple[str, dict]]:
    """The events of one flush: each visitor's row (or that he left) and each site's
    count, rendered once per language."""
    store = presence_store.store()
    rows = {(row.site_id, row.visitor.id): row for row in visitors.rows_for(keys)}
    sends = []
    for site_id, visitor_id in keys:
        row = rows.get((site_id, visitor_id))
        html = payloads.per_language(visitors.row_html, row) if row else {"en": ""}
        kind = "visitor_row" if row else "visitor_gone"
        sends.append(
            (
                events.site_topic_group(TOPIC, site_id),
                events.fragment_event(kind, html, site=site_id, visitor=visitor_id),
            )
        )
    sites = {site_id for site_id, _visitor_id in keys}
    for site_id, count in store.counts(sites).items():
        event = events.fragment_event("visitors_count", {"en": ""}, site=site_id, count=count)
        sends.append((events.site_topic_group(TOPIC, site_id), event))
    return sends
