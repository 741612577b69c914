"""Where Redis is, written once: the environment turned into each component's settings.

Two shapes (docs/operations.md, "Redis failover (Sentinel)"):

- one server: REDIS_URL=redis://[:password@]host:port/db;
- Redis Sentinel: REDIS_SENTINELS=host:port,host:port,... and REDIS_SENTINEL_MASTER (the
  name the sentinels monitor; default "mymaster"), optionally REDIS_SENTINEL_PASSWORD
  (the sentinels' own requirepass). The master is whichever server the sentinels name
  now, so every component follows a promoted replica. REDIS_URL is then optional: only
  its password (the data servers') and database number are used, never its host.

Every component asks this module: the channel layer (channels-redis' sentinel hosts), the
Celery broker (kombu's sentinel:// transport), the single beat (celery-redbeat's
redis-sentinel:// URL), Django's cache (config/redis_cache.py, through SentinelPool) and
the process's own client (`client()`, e.g. engage's presence store).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from urllib.parse import quote, unquote, urlsplit

from django.core.exceptions import ImproperlyConfigured

SENTINEL_PORT = 26379
# A sentinel or a master that does not answer: give up on it within this many seconds.
SOCKET_TIMEOUT = 1.0


def parse_sentinels(value: str) -> tuple[tuple[str, int], ...]:
    """'host:port,host:port' (the port defaults to 26379; [v6]:port works) as pairs."""
    sentinels = []
    for item in (part.strip() for part in value.split(",")):
        if not item:
            continue
        parsed = urlsplit(f"//{item}")
        try:
            port = parsed.port or SENTINEL_PORT
        except ValueError:
            raise ImproperlyConfigured(f"REDIS_SENTINELS: bad port in {item!r}") from None
        if not parsed.hostname:
            raise ImproperlyConfigured(f"REDIS_SENTINELS: no host in {item!r}")
        sentinels.append((parsed.hostname, port))
    return tuple(sentinels)


@dataclass(frozen=True)
class RedisTopology:
    url: str  # one server's URL; with sentinels only its password and db count
    sentinels: tuple[tuple[str, int], ...] = ()
    master_name: str = ""
    sentinel_password: str = field(default="", repr=False)

    @classmethod
    def from_env(cls, environ=None) -> RedisTopology | None:
        """None without Redis (the embedded default)."""
        environ = os.environ if environ is None else environ
        url = environ.get("REDIS_URL", "")
        sentinels = parse_sentinels(environ.get("REDIS_SENTINELS", ""))
        if not sentinels:
            return cls(url=url) if url else None
        master = environ.get("REDIS_SENTINEL_MASTER", "") or "mymaster"
        return cls(
            url=url or f"redis://{master}/0",
            sentinels=sentinels,
            master_name=master,
            sentinel_password=environ.get("REDIS_SENTINEL_PASSWORD", ""),
        )

    # --- what the URL says ------------------------------------------------------------

    @property
    def uses_sentinel(self) -> bool:
        return bool(self.sentinels)

    @property
    def db(self) -> int:
        path = urlsplit(self.url).path.strip("/")
        return int(path) if path.isdigit() else 0

    @property
    def password(self) -> str | None:
        password = urlsplit(self.url).password
        return unquote(password) if password else None

    @property
    def username(self) -> str | None:
        username = urlsplit(self.url).username
        return unquote(username) if username else None

    def sentinel_kwargs(self) -> dict:
        """How to talk to the sentinels themselves (not to the servers they name)."""
        kwargs = {"socket_timeout": SOCKET_TIMEOUT, "socket_connect_timeout": SOCKET_TIMEOUT}
        if self.sentinel_password:
            kwargs["password"] = self.sentinel_password
        return kwargs

    def server_kwargs(self) -> dict:
        """The master's database and credentials, for a sentinel-managed pool."""
        kwargs = {"db": self.db}
        if self.password:
            kwargs["password"] = self.password
        if self.username:
            kwargs["username"] = self.username
        return kwargs

    # --- each component --------------------------------------------------------------

    def channel_layer_hosts(self, **pool_options) -> list[dict]:
        """channels-redis CONFIG["hosts"]: a URL, or its sentinel form (a dict with
        "sentinels" and "master_name", channels_redis.utils.create_pool)."""
        if not self.uses_sentinel:
            return [{"address": self.url, **pool_options}]
        return [
            {
                "sentinels": list(self.sentinels),
                "master_name": self.master_name,
                "sentinel_kwargs": self.sentinel_kwargs(),
                **self.server_kwargs(),
                **pool_options,
            }
        ]

    def celery_broker_url(self) -> str:
        """kombu: the sentinels, separated by ';'; the first carries db and password."""
        if not self.uses_sentinel:
            return self.url
        credentials = ""
        if self.password:
            credentials = f"{quote(self.username or '', safe='')}:{quote(self.password, safe='')}@"
        return ";".join(
            f"sentinel://{credentials}{_netloc(host, port)}/{self.db}"
            for host, port in self.sentinels
        )

    def celery_broker_transport_options(self) -> dict:
        if not self.uses_sentinel:
            return {}
        return {"master_name": self.master_name, "sentinel_kwargs": self.sentinel_kwargs()}

    def redbeat_url(self) -> str:
        if not self.uses_sentinel:
            return self.url
        host, port = self.sentinels[0]  # the sentinels come from redbeat_redis_options
        return f"redis-sentinel://{_netloc(host, port)}/{self.db}"

    def redbeat_options(self) -> dict:
        if not self.uses_sentinel:
            return {}
        options = {
            "sentinels": list(self.sentinels),
            "service_name": self.master_name,
            "db": self.db,
            "socket_timeout": SOCKET_TIMEOUT,
            "sentinel_kwargs": self.sentinel_kwargs(),
        }
        if self.password:
            options["password"] = self.password
        if self.username:
            options["username"] = self.username
        return options

    def cache_options(self) -> dict:
        """Django's RedisCache OPTIONS beyond the timeouts: the sentinel pool."""
        if not self.uses_sentinel:
            return {}
        return {
            "pool_class": "config.redis_topology.SentinelPool",
            "sentinels": list(self.sentinels),
            "master_name": self.master_name,
            "sentinel_kwargs": self.sentinel_kwargs(),
        }

    def client(self, **kwargs):
        """A redis.Redis on the current master (follows a failover)."""
        import redis
        from redis.sentinel import Sentinel

        if not self.uses_sentinel:
            return redis.Redis.from_url(self.url, **kwargs)
        sentinel = Sentinel(list(self.sentinels), sentinel_kwargs=self.sentinel_kwargs())
        return sentinel.master_for(self.master_name, **self.server_kwargs(), **kwargs)


def _netloc(host: str, port: int) -> str:
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


class SentinelPool:
    """A connection-pool "class" for Django's RedisCacheClient, which builds its pools
    with pool_class.from_url(LOCATION, **OPTIONS): the master the sentinels name."""

    @staticmethod
    def from_url(url, *, sentinels, master_name, sentinel_kwargs=None, **options):
        from redis.sentinel import Sentinel, SentinelConnectionPool

        topology = RedisTopology(url=url, sentinels=tuple(map(tuple, sentinels)))
        manager = Sentinel(list(topology.sentinels), sentinel_kwargs=sentinel_kwargs)
        return SentinelConnectionPool(master_name, manager, **topology.server_kwargs(), **options)
