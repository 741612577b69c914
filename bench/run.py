"""`make bench`: the product against the bare Channels relay, on real server processes.

    python -m bench.run [--quick] [--profile]
        [--only chat,knee,burst,idle,reconnect,pages,embedded,storm,authstorm,page]

Starts every server itself (Daphne pinned to core 0, the generator pinned to core 1),
on a dedicated PostgreSQL database (livechat_bench, livechat_bench_quick) and a dedicated
Redis database number and channel prefix, so runs never collide with test suites.
Prints one line per scenario as it goes and, last, one JSON object (the summary).
Sizes can be overridden by environment: BENCH_VISITORS, BENCH_OPERATORS, BENCH_INTERVAL,
BENCH_DURATION, BENCH_IDLE, BENCH_BURST, BENCH_DIALOGS, BENCH_MESSAGES, BENCH_STORM,
BENCH_PAGE_REQUESTS, BENCH_RECONNECT, BENCH_AUTHSTORM, BENCH_KNEE_STEP_S, BENCH_REDIS_DB;
BENCH_DB names the PostgreSQL database instead, BENCH_CHANNEL_PREFIX the channel prefix's start;
BENCH_SERVER=uvicorn serves the product and the relay with uvicorn instead of Daphne;
BENCH_PROCESSES=2 runs the chat and burst scenarios, product and relay alike, on two
server processes (one per core) that the generator's sockets take in turn.
"""

import argparse
import contextlib
import gzip
import json
import os
import platform
import re
import resource
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
PG = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")
REDIS = os.environ.get("BENCH_REDIS", "redis://127.0.0.1:6379")

FULL = {
    "visitors": 1000,
    "operators": 50,
    "sites": 10,
    "interval": 5.0,
    "duration": 30.0,
    "drain": 15.0,
    "burst": 200,
    "burst_operators": 5,
    "idle": 10_000,
    "dialogs": 100_000,
    "messages": 1_000_000,
    "page_requests": 200,
    "embedded_visitors": 1000,
    "processes": 1,
    "storm": 200,
    "storm_trials": 3,
    "reconnect": 10_000,
    "authstorm": 2000,
    "knee_step_s": 10.0,
}
QUICK = {
    "visitors": 40,
    "operators": 8,
    "sites": 2,
    "interval": 2.0,
    "duration": 3.0,
    "drain": 3.0,
    "burst": 40,
    "burst_operators": 3,
    "idle": 200,
    "dialogs": 2_000,
    "messages": 20_000,
    "page_requests": 20,
    "processes": 1,
    "embedded_visitors": 30,
    "storm": 200,
    "storm_trials": 1,
    "reconnect": 100,
    "authstorm": 200,
    "knee_step_s": 1.0,
}
# The knee sweep's offered rates (msg/s, visitor messages and answers together).
KNEE_RATES = [100, 200, 300, 400, 500, 600, 800, 1000, 1200, 1600]
KNEE_RATES_QUICK = [40, 160, 320]


NO_RATE_LIMITS = {
    name: "0"
    for name in (
        "CHAT_RATE_MESSAGES_PER_VISITOR",
        "CHAT_RATE_MESSAGES_PER_IP",
        "CHAT_RATE_DIALOGS_PER_VISITOR",
        "CHAT_RATE_DIALOGS_PER_IP",
    )
}


def log(text: str) -> None:
    print(text, flush=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def machine() -> dict:
    model = ""
    with open("/proc/cpuinfo") as cpuinfo:
        for line in cpuinfo:
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    with open("/proc/meminfo") as meminfo:
        total_kb = int(meminfo.readline().split()[1])
    with open("/proc/sys/net/ipv4/ip_local_port_range") as ports:
        port_range = ports.read().split()
    return {
        "nproc": os.cpu_count(),
        "cpu": model,
        "memory_gb": round(total_kb / 2**20, 1),
        "python": platform.python_version(),
        "load_avg_1m": round(os.getloadavg()[0], 2),
        "ephemeral_ports": f"{port_range[0]}-{port_range[1]}",
        "open_files_hard_limit": resource.getrlimit(resource.RLIMIT_NOFILE)[1],
    }


# --- the databases --------------------------------------------------------------------------


def ensure_postgres_db(name: str) -> None:
    import psycopg

    with psycopg.connect(f"{PG}/postgres", autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')


def django_run(env: dict, *args: str, timeout: int = 900) -> dict | None:
    """Run a Django-configured command against env's database; parse its JSON line."""
    out = subprocess.run(
        [PYTHON, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout
    )
    if out.returncode != 0:
        raise RuntimeError(f"{' '.join(args)} failed:\n{out.stderr[-3000:]}")
    lines = [line for line in out.stdout.splitlines() if line.startswith("{")]
    return json.loads(lines[-1]) if lines else None


# --- the server under test ------------------------------------------------------------------


def server_command(port: int, app: str) -> list[str]:
    """Daphne, the product's server; BENCH_SERVER=uvicorn runs the same app (and the relay)
    on uvicorn with uvloop and the websockets library, for a side-by-side comparison."""
    if os.environ.get("BENCH_SERVER", "daphne") == "uvicorn":
        return ["-m", "uvicorn", "--host", "127.0.0.1", "--port", str(port), "--loop", "uvloop",
                "--ws", "websockets", "--lifespan", "off", "--no-access-log", app]  # fmt: skip
    return ["-m", "daphne", "-b", "127.0.0.1", "-p", str(port), app]


class DaphneServer:
    """The ASGI server (Daphne unless BENCH_SERVER says otherwise) pinned to core 0, with
    the open-files limit raised to the hard one."""

    def __init__(self, app: str, env: dict, core: str = "0", profile: Path | None = None):
        self.port = free_port()
        self.app, self.env, self.core, self.profile = app, env, core, profile
        self.process = None
        self.profiler = None

    def __enter__(self):
        try:
            return self._start()
        except BaseException:
            self.__exit__(None, None, None)  # never leave a server behind
            raise

    def _start(self):
        hard = resource.getrlimit(resource.RLIMIT_NOFILE)[1]

        def limits():
            resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))

        self.log = tempfile.NamedTemporaryFile("w+", prefix="bench-daphne-", suffix=".log")  # noqa: SIM115 (closed in __exit__)
        self.process = subprocess.Popen(
            ["taskset", "-c", self.core, PYTHON, *server_command(self.port, self.app)],
            cwd=ROOT, env=self.env, stdout=self.log, stderr=subprocess.STDOUT,
            preexec_fn=limits,
        )  # fmt: skip
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                self.log.seek(0)
                raise RuntimeError(f"daphne exited:\n{self.log.read()[-3000:]}")
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.5).close()
                break
            except OSError:
                time.sleep(0.1)
        else:
            raise RuntimeError("daphne did not listen within 60 s")
        if self.profile:
            self.profiler = subprocess.Popen(
                [str(Path(PYTHON).parent / "py-spy"), "record", "--gil",
                 "--pid", str(self.process.pid), "--format", "raw", "--rate", "200",
                 "--nonblocking", "-o", str(self.profile)],
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            )  # fmt: skip
        return self

    def __exit__(self, *exc):
        if self.process is None:
            return
        if self.profiler and self.profiler.poll() is None:
            self.profiler.send_signal(signal.SIGINT)
            try:
                self.profiler.wait(30)
            except subprocess.TimeoutExpired:
                self.profiler.kill()
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(3)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)
        self.log.close()

    @property
    def pid(self) -> int:
        # taskset execs daphne in place: the pid is the server's.
        return self.process.pid


def loadgen(servers: list[DaphneServer], scenario: str, config: dict, relay: bool) -> dict:
    config = {
        **config,
        "restart": {  # the reconnect storm kills servers[0] and starts it again
            "argv": [
                "taskset",
                "-c",
                servers[0].core,
                PYTHON,
                *server_command(servers[0].port, servers[0].app),
            ],
            "env": servers[0].env,
            "cwd": str(ROOT),
        },  # fmt: skip
        "scenario": scenario,
        "relay": relay,
        "server_pids": [server.pid for server in servers],
        "ws_bases": [f"ws://127.0.0.1:{server.port}" for server in servers],
        "http_bases": [f"http://127.0.0.1:{server.port}" for server in servers],
    }
    with tempfile.NamedTemporaryFile("w", suffix=".json", prefix="bench-") as cfg:
        json.dump(config, cfg)
        cfg.flush()
        out = subprocess.run(
            ["taskset", "-c", "1", PYTHON, "-m", "bench.loadgen", cfg.name],
            cwd=ROOT, capture_output=True, text=True, timeout=config.get("timeout", 600) + 60,
        )  # fmt: skip
    lines = [line for line in out.stdout.splitlines() if line.startswith("{")]
    if out.returncode != 0 or not lines:
        return {"scenario": scenario, "failed": out.stderr[-2000:]}
    return json.loads(lines[-1])


def redis_publish_ceiling(requests: int) -> float | None:
    host_port = REDIS.split("//", 1)[1]
    host, port = host_port.split(":")
    try:
        out = subprocess.run(
            ["taskset", "-c", "1", "redis-benchmark", "-h", host, "-p", port, "-n",
             str(requests), "-q", "--csv", "publish", "bench-ceiling", "x" * 300],
            capture_output=True, text=True, timeout=120,
        )  # fmt: skip
        return float(out.stdout.strip().splitlines()[-1].split(",")[1].strip('"'))
    except (OSError, IndexError, ValueError, subprocess.TimeoutExpired):
        return None


def page_weight(env: dict, site_key: str, runs: int) -> dict:
    """bench/page_weight.py against the demo page served as in production: collected
    static files with their gzip copies, WhiteNoise without its finders."""
    with tempfile.TemporaryDirectory(prefix="bench-static-") as static_root:
        env = {**env, "STATIC_ROOT": static_root, "WHITENOISE_USE_FINDERS": "false"}
        # The admin's files are not on the demo page: not collected, a few seconds saved.
        django_run(env, "manage.py", "collectstatic", "--noinput", "--ignore", "admin")
        with DaphneServer("config.asgi:application", env) as server:
            out = subprocess.run(
                ["taskset", "-c", "1", PYTHON, "-m", "bench.page_weight",
                 f"http://127.0.0.1:{server.port}", site_key, "--runs", str(runs)],
                cwd=ROOT, capture_output=True, text=True, timeout=300,
            )  # fmt: skip
    lines = [line for line in out.stdout.splitlines() if line.startswith("{")]
    if out.returncode != 0 or not lines:
        return {"failed": out.stderr[-2000:]}
    result = json.loads(lines[-1])
    loader = (ROOT / "static" / "chat" / "embed.js").read_bytes()
    result["loader_gzip_bytes"] = len(gzip.compress(loader, 9))
    return result


# --- the summary line -------------------------------------------------------------------------


def ratio(a, b, digits: int = 2):
    if a is None or b in (None, 0):
        return None
    return round(a / b, digits)


def kb(value):
    return None if value is None else round(value / 1024, 1)


def summary(results: dict, *, quick: bool) -> dict:
    """The last line of `make bench`: the keys issue 5 asks for, then the rest."""

    def get(scenario, *path):
        value = results.get(scenario)
        for key in path:
            if not isinstance(value, dict):
                return None
            value = value.get(key)
        return value

    def storm(name, key):
        """Over the storm trials (storm, or storm_1, storm_2, ...): the fewest visitors
        served, or the slowest p99 time to hello."""
        trials = [v for k, v in results.items() if re.fullmatch(rf"{name}(_\d+)?", k)]
        trials = [t for t in trials if t.get("scenario") == "storm" and "got_hello" in t]
        if key == "got_hello":
            return min((t["got_hello"] for t in trials), default=None)
        p99s = [t["time_to_hello"]["p99_ms"] for t in trials]
        return max((p for p in p99s if p is not None), default=None)

    pages = results.get("pages", {}).get("pages", {})
    queries = results.get("page_queries", {})
    line = {
        "delivered_per_s": get("chat", "delivered_per_s"),
        "baseline_delivered_per_s": get("chat_relay", "delivered_per_s"),
        "p99_ms": get("chat", "latency", "p99_ms"),
        "baseline_p99_ms": get("chat_relay", "latency", "p99_ms"),
        "idle_sockets": get("idle", "idle_sockets"),
        "bytes_per_socket": get("idle", "bytes_per_socket"),
        "mine_tab_p95_ms": pages.get("mine", {}).get("p95_ms"),
        "history_p95_ms": pages.get("history", {}).get("p95_ms"),
        "messages_lost": get("chat", "messages_lost"),
    }
    line.update(
        {
            "delivered_ratio": ratio(line["delivered_per_s"], line["baseline_delivered_per_s"]),
            "p99_ratio": ratio(line["p99_ms"], line["baseline_p99_ms"]),
            "offered_per_s": get("chat", "offered_per_s"),
            "p50_ms": get("chat", "latency", "p50_ms"),
            "p95_ms": get("chat", "latency", "p95_ms"),
            "baseline_p50_ms": get("chat_relay", "latency", "p50_ms"),
            "baseline_messages_lost": get("chat_relay", "messages_lost"),
            "server_cpu_pct": get("chat", "server_cpu_pct"),
            "baseline_server_cpu_pct": get("chat_relay", "server_cpu_pct"),
            "server_peak_rss_mb": get("chat", "server_peak_rss_mb"),
            "generator_cpu_pct": get("chat", "generator_cpu_pct"),
            "burst_all_visible_ms": get("burst", "all_visible_ms"),
            "baseline_burst_all_visible_ms": get("burst_relay", "all_visible_ms"),
            "burst_after_last_send_ms": get("burst", "after_last_send_ms"),
            "baseline_burst_after_last_send_ms": get("burst_relay", "after_last_send_ms"),
            "baseline_idle_sockets": get("idle_relay", "idle_sockets"),
            "baseline_bytes_per_socket": get("idle_relay", "bytes_per_socket"),
            "history_search_p95_ms": pages.get("history_search", {}).get("p95_ms"),
            "leads_p95_ms": pages.get("leads", {}).get("p95_ms"),
            "reports_p95_ms": pages.get("reports", {}).get("p95_ms"),
            "mine_tab_queries": queries.get("mine"),
            "history_queries": queries.get("history"),
            "history_search_queries": queries.get("history_search"),
            "leads_queries": queries.get("leads"),
            "reports_queries": queries.get("reports"),
            "embedded_delivered_per_s": get("chat_embedded", "delivered_per_s"),
            "embedded_p99_ms": get("chat_embedded", "latency", "p99_ms"),
            "embedded_messages_lost": get("chat_embedded", "messages_lost"),
            "embedded_baseline_delivered_per_s": get("chat_relay_embedded", "delivered_per_s"),
            "embedded_baseline_p99_ms": get("chat_relay_embedded", "latency", "p99_ms"),
            "storm_clients": results.get("sizes", {}).get("storm"),
            "storm_fewest_hello": storm("storm", "got_hello"),
            "storm_worst_p99_ms": storm("storm", "p99"),
            "storm_embedded_fewest_hello": storm("storm_embedded", "got_hello"),
            "storm_embedded_worst_p99_ms": storm("storm_embedded", "p99"),
            "baseline_storm_worst_p99_ms": storm("storm_relay", "p99"),
            "knee_per_s": get("knee", "knee_per_s"),
            "baseline_knee_per_s": get("knee_relay", "knee_per_s"),
            "cpu_ms_per_delivered": get("chat", "cpu_ms_per_delivered"),
            "baseline_cpu_ms_per_delivered": get("chat_relay", "cpu_ms_per_delivered"),
            "cpu_ms_per_connect": get("idle", "cpu_ms_per_connect"),
            "baseline_cpu_ms_per_connect": get("idle_relay", "cpu_ms_per_connect"),
            "connects_per_s": get("idle", "connects_per_s"),
            "baseline_connects_per_s": get("idle_relay", "connects_per_s"),
            "reconnect_clients": get("reconnect", "with_dialog"),
            "reconnect_all_resumed_s": get("reconnect", "all_resumed_s"),
            "reconnect_server_listening_s": get("reconnect", "server_listening_s"),
            "reconnect_after_listening_s": get("reconnect", "resumed_after_listening_s"),
            "reconnect_resumed": get("reconnect", "resumed"),
            "reconnect_refused": get("reconnect", "handshakes_refused"),
            "reconnect_timed_out": get("reconnect", "handshakes_timed_out"),
            "reconnect_messages_lost": get("reconnect", "messages_lost"),
            "reconnect_cpu_ms_per_resume": get("reconnect", "cpu_ms_per_resume"),
            "baseline_reconnect_all_resumed_s": get("reconnect_relay", "all_resumed_s"),
            "baseline_reconnect_server_listening_s": get("reconnect_relay", "server_listening_s"),
            "baseline_reconnect_after_listening_s": get(
                "reconnect_relay", "resumed_after_listening_s"
            ),
            "baseline_reconnect_refused": get("reconnect_relay", "handshakes_refused"),
            "baseline_reconnect_timed_out": get("reconnect_relay", "handshakes_timed_out"),
            "baseline_reconnect_messages_lost": get("reconnect_relay", "messages_lost"),
            "baseline_reconnect_cpu_ms_per_resume": get("reconnect_relay", "cpu_ms_per_resume"),
            "widget_loader_kb_gz": kb(get("page_weight", "loader_gzip_bytes")),
            "widget_loader_kb": kb(get("page_weight", "loader_bytes")),
            "widget_kb_at_load": kb(get("page_weight", "bytes_at_load")),
            "widget_kb_before_open": kb(get("page_weight", "bytes_before_open")),
            "widget_kb_after_open": kb(get("page_weight", "bytes_after_open")),
            "widget_frame_at_load": get("page_weight", "frame_at_load"),
            "widget_socket_at_load": get("page_weight", "socket_at_load"),
            "widget_main_thread_ms_at_load": get("page_weight", "main_thread_ms_at_load"),
            "widget_main_thread_ms": get("page_weight", "main_thread_ms_before_open"),
            "widget_cls": get("page_weight", "widget_cls"),
            "page_cls": get("page_weight", "cls"),
            "authstorm_clients": get("authstorm", "clients"),
            "authstorm_got_hello": get("authstorm", "got_hello"),
            "authstorm_all_hello_s": get("authstorm", "all_hello_s"),
            "authstorm_p99_ms": get("authstorm", "time_to_hello", "p99_ms"),
            "authstorm_console_p99_ms": get(
                "authstorm", "time_to_hello_by_kind", "console", "p99_ms"
            ),
            "authstorm_visitor_p99_ms": get(
                "authstorm", "time_to_hello_by_kind", "visitor", "p99_ms"
            ),
            "authstorm_refused": get("authstorm", "handshakes_refused"),
            "authstorm_timed_out": get("authstorm", "handshakes_timed_out"),
            "authstorm_closed_before_hello": get("authstorm", "closed_before_hello"),
            "authstorm_cpu_ms_per_connect": get("authstorm", "cpu_ms_per_connect"),
            "baseline_authstorm_got_hello": get("authstorm_relay", "got_hello"),
            "baseline_authstorm_all_hello_s": get("authstorm_relay", "all_hello_s"),
            "baseline_authstorm_p99_ms": get("authstorm_relay", "time_to_hello", "p99_ms"),
            "baseline_authstorm_refused": get("authstorm_relay", "handshakes_refused"),
            "baseline_authstorm_timed_out": get("authstorm_relay", "handshakes_timed_out"),
            "baseline_authstorm_cpu_ms_per_connect": get("authstorm_relay", "cpu_ms_per_connect"),
            "redis_publish_per_s": results.get("redis_publish_per_s"),
            "quick": quick,
        }
    )
    line.update(
        {
            "knee_ratio": ratio(line["knee_per_s"], line["baseline_knee_per_s"]),
            "cpu_per_delivered_ratio": ratio(
                line["cpu_ms_per_delivered"], line["baseline_cpu_ms_per_delivered"]
            ),
            "cpu_per_connect_ratio": ratio(
                line["cpu_ms_per_connect"], line["baseline_cpu_ms_per_connect"]
            ),
            "connects_ratio": ratio(line["connects_per_s"], line["baseline_connects_per_s"]),
            "authstorm_all_hello_ratio": ratio(
                line["authstorm_all_hello_s"], line["baseline_authstorm_all_hello_s"]
            ),
            "authstorm_cpu_per_connect_ratio": ratio(
                line["authstorm_cpu_ms_per_connect"], line["baseline_authstorm_cpu_ms_per_connect"]
            ),
        }
    )
    return line


# --- the run ----------------------------------------------------------------------------------


def main(argv=None) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--profile", action="store_true", help="py-spy the product's chat run")
    parser.add_argument(
        "--only", default="chat,knee,burst,idle,reconnect,pages,embedded,storm,authstorm,page"
    )
    args = parser.parse_args(argv)
    sizes = dict(QUICK if args.quick else FULL)
    for key in sizes:
        env_value = os.environ.get(f"BENCH_{key.upper()}")
        if env_value:
            sizes[key] = type(sizes[key])(env_value)
    only = set(args.only.split(","))
    started = time.monotonic()

    db_name = os.environ.get("BENCH_DB") or (
        "livechat_bench_quick" if args.quick else "livechat_bench"
    )
    tag = f"{int(time.time())}{os.getpid() % 1000}"
    prefix = os.environ.get("BENCH_CHANNEL_PREFIX", "bench")  # + the run's tag
    base_env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_", "REDIS_"))}
    prod_env = {
        **base_env,
        "DATABASE_URL": f"{PG}/{db_name}",
        "REDIS_URL": f"{REDIS}/{os.environ.get('BENCH_REDIS_DB', '13')}",
        "CHANNEL_PREFIX": f"{prefix}{tag}",
        "CELERY_TASK_DEFAULT_QUEUE": f"bench{tag}",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DB_POOL_MAX": os.environ.get("DB_POOL_MAX", "20"),
        "LOG_LEVEL": "WARNING",
        "PYTHONUNBUFFERED": "1",
        # Every generated visitor comes from 127.0.0.1: the per-IP limits would refuse
        # them (chat/messaging/ratelimit.py; 0 turns a limit off).
        **NO_RATE_LIMITS,
    }
    embedded_db = ROOT / "var" / f"{db_name}.sqlite3"
    embedded_env = {
        **base_env,
        "DATABASE_URL": f"sqlite:///{embedded_db}",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "LOG_LEVEL": "WARNING",
        **NO_RATE_LIMITS,
    }
    results: dict = {
        "machine": machine(),
        "sizes": sizes,
        "server": os.environ.get("BENCH_SERVER", "daphne"),
    }
    log(f"machine: {json.dumps(results['machine'])}")
    log(f"sizes: {json.dumps(sizes)}")

    ensure_postgres_db(db_name)
    django_run(prod_env, "manage.py", "migrate", "--noinput")
    fixtures = django_run(
        prod_env, "-m", "bench.fixtures", "chat", "--tag", tag, "--sites", str(sizes["sites"]),
        "--operators", str(sizes["operators"]),
        "--burst-operators", str(sizes["burst_operators"]),
    )  # fmt: skip
    common = {"fixtures": fixtures, "drain": sizes["drain"]}
    chat_config = {
        **common,
        "visitors": sizes["visitors"],
        "interval": sizes["interval"],
        "duration": sizes["duration"],
    }
    app = os.environ.get("BENCH_APP", "config.asgi:application")
    relay_env = {**prod_env, "CHANNEL_PREFIX": f"{prefix}relay{tag}"}
    profile_path = ROOT / "var" / "bench-profile.txt" if args.profile else None

    def scenario(name, app, env, kind, config, relay, profile=None, processes=1):
        """processes > 1: that many servers, server i pinned to core i (mod the cores)."""
        t0 = time.monotonic()
        load = round(os.getloadavg()[0], 2)  # the machine is shared: beside every figure
        with contextlib.ExitStack() as stack:
            servers = [
                stack.enter_context(
                    DaphneServer(
                        app, env, core=str(i % (os.cpu_count() or 1)),
                        profile=profile if i == 0 else None,
                    )
                )
                for i in range(processes)
            ]  # fmt: skip
            result = loadgen(servers, kind, config, relay)
        results[name] = {**result, "load_avg_1m_at_start": load}
        log(f"{name} ({time.monotonic() - t0:.0f} s): {json.dumps(results[name])}")

    n = sizes["processes"]
    if "chat" in only:
        scenario(
            "chat_relay", "bench.relay:application", relay_env, "chat", chat_config, True,
            processes=n,
        )  # fmt: skip
        scenario("chat", app, prod_env, "chat", chat_config, False, profile_path, processes=n)
    if "knee" in only:
        knee_config = {
            **chat_config,
            "knee_rates": KNEE_RATES_QUICK if args.quick else KNEE_RATES,
            "knee_step_s": sizes["knee_step_s"],
            "timeout": 1800,
        }
        scenario(
            "knee_relay", "bench.relay:application", relay_env, "knee", knee_config, True,
            processes=n,
        )  # fmt: skip
        scenario("knee", app, prod_env, "knee", knee_config, False, processes=n)
    if "reconnect" in only:
        reconnect_config = {**common, "reconnect": sizes["reconnect"], "timeout": 1800}
        scenario(
            "reconnect_relay", "bench.relay:application", relay_env, "reconnect",
            reconnect_config, True,
        )  # fmt: skip
        scenario("reconnect", app, prod_env, "reconnect", reconnect_config, False)
    if "burst" in only:
        burst_config = {**common, "burst": sizes["burst"]}
        scenario(
            "burst_relay", "bench.relay:application", relay_env, "burst", burst_config, True,
            processes=n,
        )  # fmt: skip
        scenario("burst", app, prod_env, "burst", burst_config, False, processes=n)
    if "idle" in only:
        idle_config = {
            **common,
            "idle": sizes["idle"],
            "timeout": 900,
            "settle": 1.0 if args.quick else 3.0,
        }
        scenario("idle_relay", "bench.relay:application", relay_env, "idle", idle_config, True)
        scenario("idle", app, prod_env, "idle", idle_config, False)
    if "pages" in only:
        seeded = django_run(
            prod_env, "-m", "bench.fixtures", "seed-pages", "--dialogs", str(sizes["dialogs"]),
            "--messages", str(sizes["messages"]),
        )  # fmt: skip
        log(f"seed: {json.dumps(seeded)}")
        page_info = django_run(
            prod_env, "-m", "bench.fixtures", "pages", "--dialogs", str(sizes["dialogs"])
        )
        results["page_queries"] = {n: p["queries"] for n, p in page_info["pages"].items()}
        log(f"page queries: {json.dumps(page_info['pages'])}")
        pages_config = {
            "pages_cookie": page_info["cookie"],
            "pages": {n: p["url"] for n, p in page_info["pages"].items()},
            "page_requests": sizes["page_requests"],
        }
        scenario("pages", "config.asgi:application", prod_env, "pages", pages_config, False)
    embedded_seeded = {}

    def embedded_fixtures() -> dict:
        if not embedded_seeded:
            django_run(embedded_env, "manage.py", "migrate", "--noinput")
            embedded_seeded.update(
                django_run(
                    embedded_env,
                    "-m",
                    "bench.fixtures",
                    "chat",
                    "--tag",
                    tag,
                    "--sites",
                    str(sizes["sites"]),
                    "--operators",
                    str(sizes["operators"]),
                    "--burst-operators",
                    "1",
                )  # fmt: skip
            )
        return embedded_seeded

    if "embedded" in only:
        embedded_chat = {
            **chat_config,
            "fixtures": embedded_fixtures(),
            "visitors": sizes["embedded_visitors"],
        }
        scenario(
            "chat_relay_embedded", "bench.relay:application", embedded_env, "chat",
            embedded_chat, True,
        )  # fmt: skip
        scenario(
            "chat_embedded", "config.asgi:application", embedded_env, "chat", embedded_chat, False
        )
    if "storm" in only:
        # `storm` new visitors open their sockets at the same moment; each trial on a fresh
        # server process. On PostgreSQL + Redis, and on the embedded default as `make run`
        # serves it (SQLite, and a Redis server for the channel layer and the cache).
        storm_config = {**common, "storm": sizes["storm"]}
        storm_embedded_env = {
            **embedded_env,
            "REDIS_URL": prod_env["REDIS_URL"],
            "CHANNEL_PREFIX": f"storm{tag}",
        }
        storm_embedded = {**storm_config, "fixtures": embedded_fixtures()}
        for trial in range(1, sizes["storm_trials"] + 1):
            suffix = f"_{trial}" if sizes["storm_trials"] > 1 else ""
            scenario(f"storm_relay{suffix}", "bench.relay:application", relay_env, "storm",
                     storm_config, True)  # fmt: skip
            scenario(f"storm{suffix}", app, prod_env, "storm", storm_config, False)
            scenario(f"storm_embedded{suffix}", "config.asgi:application", storm_embedded_env,
                     "storm", storm_embedded, False)  # fmt: skip
    if "authstorm" in only:
        # The authenticated connect storm (issue 20, bench/authstorm.py): half console
        # sockets (a quarter of them with an access token), half returning visitors.
        t0 = time.monotonic()
        n_storm = sizes["authstorm"]
        consoles = n_storm // 2
        # BENCH_AUTHSTORM_FIXTURES=path: the credentials made once and kept there, so two
        # trees (before and after a change) are measured on the same rows.
        saved = Path(os.environ.get("BENCH_AUTHSTORM_FIXTURES") or os.devnull)
        if saved.is_file() and saved.stat().st_size:
            authstorm_fixtures = json.loads(saved.read_text())
        else:
            authstorm_fixtures = django_run(
                prod_env, "-m", "bench.fixtures", "authstorm", "--tag", tag,
                "--consoles", str(consoles), "--token-consoles", str(consoles // 4),
                "--visitors", str(n_storm - consoles), "--sites", str(sizes["sites"]),
                timeout=1800,
            )  # fmt: skip
            if saved != Path(os.devnull):
                saved.write_text(json.dumps(authstorm_fixtures))
        log(f"authstorm fixtures ({time.monotonic() - t0:.0f} s)")
        authstorm_config = {
            **common,
            "fixtures": authstorm_fixtures,
            "authstorm_patience": 60.0,
            "timeout": 300,
        }
        scenario("authstorm_relay", "bench.relay:application", relay_env, "authstorm",
                 authstorm_config, True)  # fmt: skip
        scenario("authstorm", app, prod_env, "authstorm", authstorm_config, False)
    if "page" in only:
        # The widget's cost to the host page (issue 20): the demo page in Chromium.
        t0 = time.monotonic()
        results["page_weight"] = page_weight(
            embedded_env, embedded_fixtures()["sites"][0], runs=1 if args.quick else 5
        )
        log(f"page_weight ({time.monotonic() - t0:.0f} s): {json.dumps(results['page_weight'])}")
    results["redis_publish_per_s"] = redis_publish_ceiling(20_000 if args.quick else 200_000)
    log(f"redis-benchmark PUBLISH (300 B): {results['redis_publish_per_s']} per s")
    if profile_path and profile_path.exists():
        log(f"profile (py-spy raw, collapsed stacks): {profile_path}")
    log(f"total: {time.monotonic() - started:.0f} s")
    log(json.dumps(summary(results, quick=args.quick)))


if __name__ == "__main__":
    main()
