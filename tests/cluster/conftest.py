"""Three hosts on this machine, built once for the module (docs/operations.md, "Several
hosts: no state on one host"):

    root namespace (the test)          bridge lcXXXXbr, 10.231.N.0/24
      PostgreSQL 127.0.0.1:5432  <- forwarder on 10.231.N.1
      Redis of the test's own        on 127.0.0.1 and 10.231.N.1
      S3 (moto's server)             on 10.231.N.1
    app1  10.231.N.11:8000   Daphne + Celery worker + beat (this checkout)
    app2  10.231.N.12:8000   the same
    lb    10.231.N.13:8080   HAProxy -> app1, app2 (GET /healthz every second)

Visitors and operators (the test's clients) reach the product only through HAProxy. Each
test makes its own rows (a site and two operators) and is transactional: the database is
flushed after it, and once more when the hosts are gone."""

import contextlib
import logging
import os
import secrets
import signal
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.management import call_command
from django.test import Client, override_settings
from moto.server import ThreadedMotoServer

from tests.cluster.hosts import (
    ARTIFACTS,
    AppHost,
    Balancer,
    Process,
    redis_url_on,
    wait_for,
)
from tests.cluster.network import Network, missing_pieces
from tests.live_stack import database_url_of_test_db, free_port, redis_server_binary
from tests.object_storage import CREDENTIALS, REGION, Bucket

# The fault tests' client and counts (tests/faults/), imported as pytest imports them there.
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "faults"))

OPERATORS = 2


@dataclass
class Cluster:
    network: Network
    hosts: list[AppHost]
    balancer: Balancer
    redis_url: str  # the hosts' Redis, as the test reaches it (127.0.0.1)
    prefix: str
    bucket: Bucket
    media_roots: list[Path]
    forwarder: Process  # PostgreSQL for the hosts

    def url(self, path: str, scheme: str = "http") -> str:
        return self.balancer.url(path, scheme)

    @property
    def origin(self) -> str:
        return self.balancer.origin

    def host(self, name: str) -> AppHost:
        return next(host for host in self.hosts if host.name == name)

    def other(self, host: AppHost) -> AppHost:
        return next(other for other in self.hosts if other is not host)

    def database_cut(self) -> None:
        """The hosts lose PostgreSQL: their connections closed (their transactions rolled
        back, their locks released), new ones refused until database_back()."""
        self._signal_forwarder(signal.SIGUSR1, "cut")

    def database_back(self) -> None:
        """PostgreSQL reachable again; returns once both hosts are healthy and in HAProxy."""
        self._signal_forwarder(signal.SIGUSR2, "restored")
        for host in self.hosts:
            wait_for(lambda host=host: host.healthz() == 200, 60, f"{host.name} healthy")
            self.balancer.wait_status(host.name, "UP")

    def _signal_forwarder(self, number: int, done: str) -> None:
        before = self.forwarder.output().split().count(done)
        self.forwarder.popen.send_signal(number)
        wait_for(
            lambda: self.forwarder.output().split().count(done) > before,
            10,
            f"the forwarder {done}",
            self.forwarder,
        )


@pytest.fixture
def team(cluster, make_site, make_operator):
    """A site and two operators who may join every dialog, each with a session cookie.

    Each test is transactional: after it the database is flushed (TRUNCATE) while the
    hosts still run, and a TRUNCATE waiting for a host's row locks while that host waits
    for the TRUNCATE's is a deadlock. So the hosts lose the database around the flush."""
    cluster.database_back()
    site = make_site(name="cluster.example")
    operators = []
    for number in range(OPERATORS):
        operator = make_operator(
            username=f"cluster-op{number}",
            display_name=f"Op{number}",
            sites=[site],
            can_see_others=True,
            can_join_others=True,
        )
        client = Client()
        client.force_login(operator.user)  # sessions live in the database: every host's
        name = django_settings.SESSION_COOKIE_NAME
        operators.append((operator, f"{name}={client.cookies[name].value}"))
    yield site, operators
    cluster.database_cut()  # until the next test's team, after the flush


def host_env(network: Network, *, database_url, redis_url, prefix, s3, bucket, media_root):
    addresses = [host.address for host in network.hosts]
    return {
        **os.environ,
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "CHANNEL_PREFIX": prefix,
        "CELERY_TASK_DEFAULT_QUEUE": prefix,
        # Every host shares the key (sessions, the visitors' signed download links).
        "SECRET_KEY": django_settings.SECRET_KEY,
        "ALLOWED_HOSTS": ",".join([*addresses, "127.0.0.1", "localhost"]),
        "HTTPS": "false",  # plain HTTP between the test and HAProxy
        "LOG_LEVEL": "WARNING",
        "PYTHONFAULTHANDLER": "1",  # a process that will not stop shows where it waits
        "DB_POOL_MIN": "1",
        "STORAGE_S3_BUCKET": bucket,
        "AWS_S3_ENDPOINT_URL": s3,
        "AWS_S3_REGION_NAME": REGION,
        "AWS_ACCESS_KEY_ID": CREDENTIALS["aws_access_key_id"],
        "AWS_SECRET_ACCESS_KEY": CREDENTIALS["aws_secret_access_key"],
        "MEDIA_ROOT": str(media_root),  # must stay empty: files live in the bucket
        # One beat: a short lock and a tick every second, so a takeover takes ~10 s.
        "BEAT_LOCK_TIMEOUT_SECONDS": "10",
        "BEAT_MAX_LOOP_INTERVAL_SECONDS": "1",
        "CHAT_OFFER_CHECK_SECONDS": "2",
        # Every visitor comes through HAProxy's one address; the limits stay on (Redis
        # serves them), high enough for the test's pace.
        "CHAT_RATE_MESSAGES_PER_VISITOR": "100000",
        "CHAT_RATE_MESSAGES_PER_IP": "1000000",
    }


@pytest.fixture(scope="module")
def cluster(django_db_setup, django_db_blocker, tmp_path_factory):
    missing = missing_pieces()
    if missing:
        message = "the cluster test needs " + ", ".join(missing)
        if os.environ.get("REQUIRE_CLUSTER") == "1":
            pytest.fail(message)
        pytest.skip(message)
    directory = tmp_path_factory.mktemp("cluster")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with django_db_blocker.unblock(), contextlib.ExitStack() as cleanup:
        # Last, once every host is gone: the database as a transactional test leaves it.
        cleanup.callback(call_command, "flush", verbosity=0, interactive=False)

        try:
            network = Network()
        except RuntimeError as error:  # root, but no right to make interfaces (a container)
            if os.environ.get("REQUIRE_CLUSTER") == "1":
                raise
            pytest.skip(f"cannot build the hosts' network: {error}")
        cleanup.callback(network.close)
        apps = [network.add_host("app1"), network.add_host("app2")]
        lb = network.add_host("lb")
        gateway = network.gateway

        redis_port = free_port()
        redis_args = [redis_server_binary(), "--port", str(redis_port), "--bind", "127.0.0.1",
                      gateway, "--save", "", "--appendonly", "no", "--protected-mode", "no",
                      "--dir", str(directory)]  # fmt: skip
        redis = Process("redis", redis_args)
        redis.start()
        cleanup.callback(redis.terminate, 10)

        database_port = free_port()
        database_port_local = int(django_settings.DATABASES["default"].get("PORT") or 5432)
        forward = [sys.executable, str(Path(__file__).with_name("forward.py")), gateway,
                   str(database_port), str(database_port_local)]  # fmt: skip
        forwarder = Process("postgres-forwarder", forward)
        forwarder.start()
        cleanup.callback(forwarder.terminate, 10)

        logging.getLogger("werkzeug").setLevel(logging.WARNING)  # moto's request log
        s3_server = ThreadedMotoServer(ip_address=gateway, port=0, verbose=False)
        s3_server.start()
        cleanup.callback(s3_server.stop)
        s3_host, s3_port = s3_server.get_host_and_port()
        s3 = f"http://{s3_host}:{s3_port}"
        bucket = Bucket(s3, f"cluster-{secrets.token_hex(6)}")

        prefix = f"cluster{secrets.token_hex(4)}"
        media_roots = [directory / f"{host.name}-media" for host in apps]
        hosts = []
        for host, media_root in zip(apps, media_roots, strict=True):
            env = host_env(
                network,
                database_url=database_url_of_test_db(port=database_port, host=gateway),
                redis_url=redis_url_on(gateway, redis_port),
                prefix=prefix,
                s3=s3,
                bucket=bucket.name,
                media_root=media_root,
            )
            app = AppHost(host, env)
            hosts.append(app)
            cleanup.callback(app.kill)
        for app in hosts:
            app.start()
        for app in hosts:
            app.wait_ready()
        balancer = Balancer(lb, hosts, directory)
        balancer.start()
        cleanup.callback(balancer.stop)
        for app in hosts:
            balancer.wait_status(app.name, "UP")
        # One beat of the two holds the lock and sends the schedule.
        wait_for(
            lambda: any(app.beat_sends() for app in hosts),
            90,
            "a beat sending the schedule",
            *(app.beat for app in hosts),
        )
        # The test process writes nothing live itself; if it did, to the hosts' layer.
        with override_settings(
            CHANNEL_LAYERS={
                "default": {
                    "BACKEND": "chat.realtime.layer.ResilientPubSubLayer",
                    "CONFIG": {
                        "hosts": [{"address": redis_url_on("127.0.0.1", redis_port)}],
                        "prefix": prefix,
                    },
                }
            }
        ):
            yield Cluster(
                network=network,
                hosts=hosts,
                balancer=balancer,
                redis_url=redis_url_on("127.0.0.1", redis_port),
                prefix=prefix,
                bucket=bucket,
                media_roots=media_roots,
                forwarder=forwarder,
            )
