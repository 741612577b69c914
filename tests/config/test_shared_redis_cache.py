"""config/redis_cache.py: every cache object of the process (Django makes one per async
context: per socket and per request under Daphne) shares one Redis client and pool, so a
widget connect opens no new connection to Redis."""

import asyncio

from django.core.cache.backends.redis import RedisCache

from config.redis_cache import SharedRedisCache

URL = "redis://127.0.0.1:6379/15"  # nothing is sent: clients connect on first command
OPTIONS = {"OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1}}


def test_cache_objects_of_two_sockets_share_one_client_and_pool():
    async def one_socket():
        return SharedRedisCache(URL, OPTIONS)._cache

    async def two_sockets():
        return await asyncio.gather(one_socket(), one_socket())

    first, second = asyncio.run(two_sockets())
    assert first is second
    assert first.get_client(write=True) is second.get_client(write=False)


def test_djangos_own_backend_would_make_one_per_object():
    """What the shared one saves (the reason it exists)."""
    assert RedisCache(URL, OPTIONS)._cache is not RedisCache(URL, OPTIONS)._cache


def test_another_location_gets_its_own_client():
    assert (
        SharedRedisCache(URL, OPTIONS)._cache
        is not SharedRedisCache("redis://127.0.0.1:6379/14", OPTIONS)._cache
    )
