"""The cluster test's processes: an application host (Daphne, a Celery worker and beat from
this checkout, inside the host's namespace), HAProxy in front of two of them, and the
programs the root namespace offers the hosts (Redis, the PostgreSQL forwarder). Each one
is started in a session of its own and stopped by its process group, so nothing the test
did not start is ever signalled; logs go to test-artifacts/cluster/<name>.log."""

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from tests.cluster.network import Host

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts" / "cluster"
APP_PORT = 8000  # each host has a port space of its own
BALANCER_PORT = 8080


def production_stack() -> bool:
    return os.environ.get("DATABASE_URL", "").startswith(
        ("postgres://", "postgresql://", "pgsql://")
    ) and bool(os.environ.get("REDIS_URL"))


class Process:
    def __init__(self, name: str, args: list[str], env: dict | None = None):
        self.name, self.args, self.env = name, args, env
        self.log_path = ARTIFACTS / f"{name}.log"
        self.log_path.unlink(missing_ok=True)
        self.popen: subprocess.Popen | None = None
        self.log_offset = 0  # where the latest start's output begins

    def start(self) -> None:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        with open(self.log_path, "a") as log:
            log.write(f"=== started at {time.strftime('%H:%M:%S')}\n")
            log.flush()
            self.log_offset = log.tell()
            self.popen = subprocess.Popen(
                self.args,
                cwd=ROOT,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    @property
    def running(self) -> bool:
        return self.popen is not None and self.popen.poll() is None

    def kill(self) -> None:
        """SIGKILL to the program and every process it forked (its session's group)."""
        if self.popen is None:
            return
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.popen.pid, signal.SIGKILL)
        self.popen.wait(timeout=20)

    def terminate(self, timeout: float) -> float | None:
        """SIGTERM to the program; seconds until it exited, None if it did not within
        timeout (then SIGKILL). Whatever it leaves in its group is killed either way."""
        if not self.running:
            return 0.0
        started = time.monotonic()
        self.popen.send_signal(signal.SIGTERM)
        try:
            self.popen.wait(timeout=timeout)
            took = time.monotonic() - started
        except subprocess.TimeoutExpired:
            took = None
            # With PYTHONFAULTHANDLER set, SIGABRT writes every thread's stack to the log:
            # what the program was still waiting for.
            self.popen.send_signal(signal.SIGABRT)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.popen.wait(timeout=3)
        self.kill()
        return took

    def output(self, *, since_start: bool = False) -> str:
        with contextlib.suppress(FileNotFoundError), open(self.log_path, errors="replace") as f:
            if since_start:
                f.seek(self.log_offset)
            return f.read()
        return ""

    def tail(self) -> str:
        return f"--- {self.name} ---\n{self.output()[-2500:]}"


def wait_for(condition, seconds: float, what: str, *processes: Process):
    """condition()'s first truthy value; fails with the processes' logs after `seconds`."""
    deadline = time.monotonic() + seconds
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            logs = "\n".join(process.tail() for process in processes)
            raise AssertionError(f"{what}: not within {seconds} s\n{logs}")
        time.sleep(0.2)


def http_get(url: str, *, headers=None, timeout: float = 10) -> tuple[int, bytes, dict]:
    """(status, body, headers); redirects are not followed."""

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    opener = urllib.request.build_opener(NoRedirect)
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with opener.open(request, timeout=timeout) as response:
            return response.status, response.read(), dict(response.headers)
    except urllib.error.HTTPError as error:
        return error.code, error.read(), dict(error.headers)


class AppHost:
    """One application host: the same three roles as every other host."""

    def __init__(self, host: Host, env: dict):
        self.host, self.name, self.address = host, host.name, host.address
        python = sys.executable
        queue = env["CELERY_TASK_DEFAULT_QUEUE"]
        # config.serve: Daphne that drains on SIGTERM (docs/operations.md, Restarting
        # without a drop), as production runs it.
        daphne = [python, "-m", "config.serve", "-b", self.address, "-p", str(APP_PORT),
                  "config.asgi:application"]  # fmt: skip
        celery = [python, "-m", "celery", "-A", "config"]
        worker = [*celery, "worker", "-Q", queue, "-n", f"{self.name}@%h", "--concurrency", "1",
                  "--without-gossip", "--without-mingle", "--without-heartbeat"]  # fmt: skip
        self.daphne = Process(f"{self.name}-daphne", host.command(daphne), env)
        self.worker = Process(
            f"{self.name}-worker", host.command([*worker, "--loglevel", "info"]), env
        )
        self.beat = Process(
            f"{self.name}-beat", host.command([*celery, "beat", "--loglevel", "info"]), env
        )
        self.processes = (self.daphne, self.worker, self.beat)

    def url(self, path: str) -> str:
        return f"http://{self.address}:{APP_PORT}{path}"

    def start(self) -> None:
        for process in self.processes:
            process.start()

    def healthz(self) -> int | None:
        try:
            return http_get(self.url("/healthz"), timeout=5)[0]
        except OSError:
            return None

    def wait_ready(self, seconds: float = 120) -> None:
        """Daphne answers /healthz with 200 and the worker consumes its queue."""
        wait_for(
            lambda: self.healthz() == 200 or not self.daphne.running and "exited",
            seconds,
            f"{self.name}'s Daphne healthy",
            self.daphne,
        )
        assert self.daphne.running, self.daphne.tail()
        wait_for(
            lambda: " ready." in self.worker.output(since_start=True),
            seconds,
            f"{self.name}'s worker ready",
            self.worker,
        )

    def kill(self) -> None:
        """The host dies: every process of it killed at once, nothing released."""
        for process in self.processes:
            if process.popen is not None:
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.killpg(process.popen.pid, signal.SIGKILL)
        for process in self.processes:
            process.kill()

    def stop(self, timeout: float = 20) -> dict[str, float | None]:
        """A clean stop (SIGTERM to every role at once, as systemd stops a host): seconds
        each took to exit, None where it had to be killed after `timeout`."""
        for process in self.processes:
            if process.running:
                process.popen.send_signal(signal.SIGTERM)
        return {process.name: process.terminate(timeout) for process in self.processes}

    def beat_sends(self) -> int:
        """Periodic tasks this host's beat sent since it was last started."""
        return self.beat.output(since_start=True).count("Sending due task")


class Balancer:
    """HAProxy (Debian's package) in its own host: HTTP and WebSocket to the app hosts,
    round robin, each checked on /healthz every second, marked down after two failures."""

    def __init__(self, host: Host, servers: list[AppHost], directory: Path):
        self.host, self.address, self.servers = host, host.address, servers
        self.socket_path = directory / "haproxy.sock"
        config = directory / "haproxy.cfg"
        config.write_text(haproxy_config(host.address, servers, self.socket_path))
        binary = "/usr/sbin/haproxy" if os.path.exists("/usr/sbin/haproxy") else "haproxy"
        check = subprocess.run([binary, "-c", "-f", str(config)], capture_output=True, text=True)
        assert check.returncode == 0, check.stdout + check.stderr
        self.process = Process("haproxy", host.command([binary, "-db", "-f", str(config)]))

    def url(self, path: str, scheme: str = "http") -> str:
        return f"{scheme}://{self.address}:{BALANCER_PORT}{path}"

    @property
    def origin(self) -> str:
        return f"http://{self.address}:{BALANCER_PORT}"

    def start(self) -> None:
        self.process.start()

    def stop(self) -> None:
        self.process.terminate(10)

    def status(self) -> dict[str, str]:
        """Each server's state as HAProxy sees it (UP, DOWN, ...), from its stats socket."""
        try:
            with socket.socket(socket.AF_UNIX) as sock:
                sock.settimeout(5)
                sock.connect(str(self.socket_path))
                sock.sendall(b"show stat\n")
                data = b""
                while chunk := sock.recv(65536):
                    data += chunk
        except OSError:
            return {}
        lines = data.decode().splitlines()
        if not lines or not lines[0].startswith("# "):
            return {}
        header = lines[0][2:].split(",")
        rows = [dict(zip(header, line.split(","), strict=False)) for line in lines[1:] if line]
        return {
            row["svname"]: row["status"].split()[0]
            for row in rows
            if row.get("pxname") == "app" and row["svname"] not in ("FRONTEND", "BACKEND")
        }

    def wait_status(self, name: str, status: str, seconds: float = 60) -> None:
        wait_for(
            lambda: self.status().get(name) == status,
            seconds,
            f"HAProxy seeing {name} {status}",
            self.process,
        )


# Checked every second (every half second while changing state), down after 2 failures
# and up after 2 successes; the sockets of a server marked down are closed at once.
SERVER_CHECKS = (
    "inter 1s fastinter 500ms downinter 1s fall 2 rise 2 on-marked-down shutdown-sessions"
)


def haproxy_config(address: str, servers: list[AppHost], socket_path: Path) -> str:
    backends = "\n".join(
        f"    server {server.name} {server.address}:{APP_PORT} check" for server in servers
    )
    return f"""\
global
    maxconn 2000
    stats socket {socket_path} mode 600 level admin
    log stdout format raw local0 info

defaults
    mode http
    log global
    option httplog
    option redispatch
    retries 3
    timeout connect 2s
    timeout client 60s
    timeout server 60s
    timeout http-request 10s
    # a WebSocket, once upgraded, may stay quiet between messages
    timeout tunnel 1h
    timeout client-fin 5s

frontend chat
    bind {address}:{BALANCER_PORT}
    option forwardfor
    http-response set-header X-Served-By %[srv_name]
    default_backend app

backend app
    balance leastconn
    option httpchk
    http-check send meth GET uri /healthz ver HTTP/1.1 hdr Host localhost
    http-check disable-on-404
    http-check expect status 200
    default-server {SERVER_CHECKS}
{backends}
"""


def redis_url_on(host: str, port: int) -> str:
    return f"redis://{host}:{port}/0"


def summary_line(name: str, result: dict, keys) -> str:
    return f"[cluster] {name}: " + json.dumps({key: result.get(key) for key in keys})
