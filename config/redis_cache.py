"""Django's Redis cache with one client per process instead of one per async context.

Django keeps a cache object per context (``caches`` is an asgiref Local), so under Daphne
every socket and request got its own RedisCache, its own connection pool and a new TCP
connection to Redis on its first cache read; redis-py also reads its own package metadata
for each new connection. That was about a tenth of a widget connect's CPU
(docs/performance.md, "Fifth round"). Redis clients and pools are thread-safe: this backend
shares them across the process.
"""

import threading

from django.core.cache.backends.redis import RedisCache, RedisCacheClient

_clients: dict[tuple, RedisCacheClient] = {}
_lock = threading.Lock()


class PooledRedisCacheClient(RedisCacheClient):
    """Django's client, with the redis.Redis object of each pool made once."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._redis_clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._redis_clients.get(id(pool))
        if client is None:
            client = self._redis_clients[id(pool)] = self._client(connection_pool=pool)
        return client


class SharedRedisCache(RedisCache):
    """settings.CACHES BACKEND: the same client for every RedisCache of one LOCATION and
    OPTIONS in the process."""

    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = PooledRedisCacheClient

    @property
    def _cache(self):
        key = (tuple(self._servers), repr(sorted(self._options.items())))
        client = _clients.get(key)
        if client is None:
            with _lock:
                client = _clients.get(key)
                if client is None:
                    client = _clients[key] = self._class(self._servers, **self._options)
        return client
