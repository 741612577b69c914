"""The fault tests' stack: Daphne on the test database behind a TCP proxy the test can cut,
and a redis-server of our own (channel layer, cache, broker) the test can kill."""

import asyncio
import uuid

import pytest
from live_stack import Stack, TcpProxy, daphne, database_url_of_test_db, redis_server


class FaultyStack:
    def __init__(self, server, redis, db_proxy, redis_url):
        self.server, self.redis, self.db_proxy, self.redis_url = server, redis, db_proxy, redis_url

    def url(self, path: str, scheme: str = "http") -> str:
        return f"{scheme}://127.0.0.1:{self.server.port}{path}"

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self.server.port}"


@pytest.fixture
async def faulty_stack(transactional_db, tmp_path, settings):
    stack = Stack()
    db_proxy = TcpProxy(int(settings.DATABASES["default"].get("PORT") or 5432))
    await db_proxy.start()
    redis = redis_server(stack, tmp_path, name="faults-redis")
    await asyncio.to_thread(redis.start)
    redis_url = f"redis://127.0.0.1:{redis.port}/0"
    prefix = f"faults{uuid.uuid4().hex[:8]}"
    # This process publishes too (services called by the test): on the same layer.
    settings.CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "chat.realtime.layer.ResilientPubSubLayer",
            "CONFIG": {"hosts": [{"address": redis_url}], "prefix": prefix},
        }
    }
    server = daphne(
        stack,
        {
            "DATABASE_URL": database_url_of_test_db(port=db_proxy.port),
            "REDIS_URL": redis_url,
            "CHANNEL_PREFIX": prefix,
            "CELERY_TASK_DEFAULT_QUEUE": prefix,
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "LOG_LEVEL": "WARNING",
            "DB_POOL_MIN": "1",
            # The limits stay on (Redis serves them), high enough for the test's pace.
            "CHAT_RATE_MESSAGES_PER_VISITOR": "100000",
            "CHAT_RATE_MESSAGES_PER_IP": "1000000",
        },
        name="faults-daphne",
    )
    try:
        await asyncio.to_thread(server.start)
        yield FaultyStack(server, redis, db_proxy, redis_url)
    finally:
        await asyncio.to_thread(stack.stop)
        await db_proxy.close()
