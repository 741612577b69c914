"""Experiment (not the product): the product's ASGI app with the consumers' database calls
run in a thread pool (thread_sensitive=False) instead of Channels' single shared thread.

    BENCH_APP=bench.asgi_unpinned:application python -m bench.run --only chat

docs/performance.md compares it with config.asgi:application.
"""

import channels.db


class UnpinnedDatabaseSyncToAsync(channels.db.DatabaseSyncToAsync):
    def __init__(self, func, thread_sensitive=False, executor=None):
        super().__init__(func, thread_sensitive=False)


# Before config.asgi imports chat.realtime.consumers, which binds the name at import time.
channels.db.database_sync_to_async = UnpinnedDatabaseSyncToAsync

from config.asgi import application  # noqa: E402

__all__ = ["application"]
