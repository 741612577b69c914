"""config/redis_topology.py: the environment turned into each Redis client's settings, for
one server and for Redis Sentinel (the failover itself: tests/faults/test_redis_failover.py)."""

import pytest
from django.core.exceptions import ImproperlyConfigured

from config.redis_topology import RedisTopology, SentinelPool


def test_no_redis_is_the_embedded_default():
    assert RedisTopology.from_env({}) is None


def test_one_server_keeps_its_url_everywhere():
    topology = RedisTopology.from_env({"REDIS_URL": "redis://:pw@10.0.0.5:6380/2"})
    assert not topology.uses_sentinel
    assert topology.channel_layer_hosts(max_connections=5) == [
        {"address": "redis://:pw@10.0.0.5:6380/2", "max_connections": 5}
    ]
    assert topology.celery_broker_url() == "redis://:pw@10.0.0.5:6380/2"
    assert topology.celery_broker_transport_options() == {}
    assert topology.redbeat_url() == "redis://:pw@10.0.0.5:6380/2"
    assert topology.cache_options() == {}


def test_sentinels_name_the_master_for_every_component():
    topology = RedisTopology.from_env(
        {
            "REDIS_URL": "redis://:p%40ss@ignored:1/3",
            "REDIS_SENTINELS": "10.0.0.1:26380, 10.0.0.2,[fd00::3]:26381",
            "REDIS_SENTINEL_MASTER": "chat",
            "REDIS_SENTINEL_PASSWORD": "sentinel-secret",
        }
    )
    sentinels = [("10.0.0.1", 26380), ("10.0.0.2", 26379), ("fd00::3", 26381)]
    [host] = topology.channel_layer_hosts()
    assert host["sentinels"] == sentinels and host["master_name"] == "chat"
    assert (host["db"], host["password"]) == (3, "p@ss")  # the data servers'
    assert host["sentinel_kwargs"]["password"] == "sentinel-secret"  # the sentinels'
    assert topology.celery_broker_url() == (
        "sentinel://:p%40ss@10.0.0.1:26380/3;sentinel://:p%40ss@10.0.0.2:26379/3;"
        "sentinel://:p%40ss@[fd00::3]:26381/3"
    )
    assert topology.celery_broker_transport_options()["master_name"] == "chat"
    assert topology.redbeat_url().startswith("redis-sentinel://")
    options = topology.redbeat_options()
    assert (options["sentinels"], options["service_name"], options["db"]) == (sentinels, "chat", 3)
    pool = SentinelPool.from_url(topology.url, **_without_pool_class(topology.cache_options()))
    assert pool.service_name == "chat"
    assert pool.connection_kwargs["db"] == 3 and pool.connection_kwargs["password"] == "p@ss"


def test_sentinels_without_a_url_use_database_0_and_the_default_master_name():
    topology = RedisTopology.from_env({"REDIS_SENTINELS": "127.0.0.1:26379"})
    assert (topology.master_name, topology.db, topology.password) == ("mymaster", 0, None)
    assert topology.celery_broker_url() == "sentinel://127.0.0.1:26379/0"


@pytest.mark.parametrize("value", ["127.0.0.1:port", ":26379"])
def test_a_bad_sentinel_address_is_a_clear_configuration_error(value):
    with pytest.raises(ImproperlyConfigured, match="REDIS_SENTINELS"):
        RedisTopology.from_env({"REDIS_SENTINELS": value})


def _without_pool_class(options):
    return {key: value for key, value in options.items() if key != "pool_class"}
