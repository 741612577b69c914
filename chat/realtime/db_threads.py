"""The consumers' database calls, on a bounded thread pool.

Channels' ``database_sync_to_async`` is ``thread_sensitive=True``: every consumer's
database call in the process runs on one shared thread, one at a time, and that thread
spends most of its time waiting for PostgreSQL (docs/performance.md, "Where the time
goes"). ``db_thread`` runs them on a pool of ``settings.CHAT_DB_THREADS`` threads instead.

- Connections are per thread; ``DatabaseSyncToAsync`` still runs ``close_old_connections``
  around each call, so a call returns its connection to the psycopg pool (DB_POOL_MAX,
  checked against CHAT_DB_THREADS in config/settings.py).
- Row locks (the message store's and chat/dialogs/lifecycle.py's) serialise what must be
  serial;
  one socket's calls stay in order because the consumer awaits each before the next.
- On SQLite the pool has one thread: concurrent writers would only queue on its lock.
  That thread keeps its connection open between calls: a file's connection never goes
  stale, and opening and closing one per call (closing the last one also checkpoints the
  WAL) took a quarter of the thread's time when many visitors opened the widget at once
  (docs/performance.md, "Connection storm").
- Sync views and Channels' own helpers keep Django's shared thread; only the consumers
  use this pool.

    from chat.realtime.db_threads import db_thread
    site = await db_thread(selectors.site_by_key)(key)
"""

import threading
from concurrent.futures import ThreadPoolExecutor

from asgiref.sync import SyncToAsync
from channels.db import DatabaseSyncToAsync
from django.conf import settings

_executor: ThreadPoolExecutor | None = None
_lock = threading.Lock()


def executor() -> ThreadPoolExecutor:
    """The process's pool, made on first use (after settings are configured)."""
    global _executor
    if _executor is None:
        with _lock:
            if _executor is None:
                _executor = ThreadPoolExecutor(
                    max_workers=settings.CHAT_DB_THREADS, thread_name_prefix="chat-db"
                )
    return _executor


def keeps_connection() -> bool:
    return settings.DATABASES["default"]["ENGINE"].endswith("sqlite3")


def db_thread(func):
    """``database_sync_to_async(func)``, run on the pool instead of the shared thread."""
    if keeps_connection():
        return SyncToAsync(func, thread_sensitive=False, executor=executor())
    return DatabaseSyncToAsync(func, thread_sensitive=False, executor=executor())
