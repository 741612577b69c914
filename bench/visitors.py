"""The Visitors tab with 1,000 visitors online on one site (docs/engagement.md, Figures).

    python -m bench.visitors [--visitors 1000] [--seconds 10] [--rate 2]

Like bench/run.py: Daphne pinned to core 0 on PostgreSQL and Redis (database
livechat_bench_visitors, its own channel prefix), this generator pinned to core 1. Then:

1. `visitors` widget sockets open on one site, each reports its page; a console page's
   socket (?topics=visitors) counts the rows that reach it: how long until every visitor
   is listed.
2. The Visitors page with them all online: its queries and server render time (Django's
   test client in a process of its own, on the same database and Redis), and the time
   to fetch it over HTTP.
3. For `seconds`, every visitor changes page `rate` times a second (open loop): the rows
   that reach the console per visitor per second (coalesced: at most 1) against the page
   frames sent, and the server's CPU.
4. Step 3 again on the bare relay (bench/relay.py), which forwards every page frame to the
   console uncoalesced: the same-run ratio.

The last line printed is one JSON object.
"""

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections import Counter

PYTHON = sys.executable


# --- database side (subprocesses on the server's environment) ----------------------------


def seed(tag: str) -> dict:
    from bench.fixtures import make_operator, session_cookie
    from chat.models import Site
    from operators.models import Account

    account = Account.objects.create(name=f"bench-visitors-{tag}")
    site = Site.objects.create(account=account, name=f"bench-{tag}", domains="127.0.0.1")
    operator = make_operator(account, f"bv{tag}", [site])
    cookie = session_cookie(operator.user)
    return {"site": site.widget_key, "cookie": cookie, "user": operator.user.id}


def page(user_id: int, rounds: int = 10) -> dict:
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    import bench.fixtures  # noqa: F401 (Django set up)

    client = Client(HTTP_HOST="127.0.0.1")  # an allowed host of the server's settings
    client.force_login(get_user_model().objects.get(pk=user_id))
    timings, queries, size, rows = [], 0, 0, 0
    for _ in range(rounds):
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            response = client.get("/console/visitors/")
            timings.append((time.perf_counter() - started) * 1000)
        queries, size = len(captured), len(response.content)
        rows = response.content.count(b'<li class="v-row')
    return {
        "rows": rows,
        "queries": queries,
        "render_p50_ms": round(statistics.median(timings), 1),
        "render_max_ms": round(max(timings), 1),
        "bytes": size,
    }


# --- the generator -------------------------------------------------------------------------


class Load:
    def __init__(self, config: dict):
        self.config = config
        self.base = config["ws_base"]
        self.rows: list[tuple[float, int]] = []  # (arrival, visitor) at the console
        self.count = 0
        self.visitor_of_socket: dict[int, int] = {}

    async def open(self, path: str, cookie: str | None = None):
        import websockets

        return await websockets.connect(
            self.base + path,
            origin=self.config["http_base"],
            additional_headers={"Cookie": f"sessionid={cookie}"} if cookie else None,
            open_timeout=60,
            ping_interval=None,
            max_queue=None,
            compression=None,
        )

    async def console(self):
        site = self.config["fixtures"]["site"]
        cookie = self.config["fixtures"]["cookie"]
        ws = await self.open(f"/ws/console/?topics=visitors&site={site}", cookie)
        json.loads(await ws.recv())  # hello
        return ws

    async def listen(self, ws):
        async for text in ws:
            frame = json.loads(text)
            kind = frame.get("type")
            if kind == "visitor_row":
                self.rows.append((time.monotonic(), frame["visitor"]))
            elif kind == "row":  # the relay's uncoalesced row
                self.rows.append((time.monotonic(), frame["dialog"]))
            elif kind == "visitors_count":
                self.count = frame["count"]

    async def drain(self, ws):
        async for _ in ws:
            pass

    async def visitor(self, n: int, gate: asyncio.Semaphore):
        async with gate:
            ws = await self.open(f"/ws/visitor/{self.config['fixtures']['site']}/")
            hello = json.loads(await ws.recv())
            await ws.send(json.dumps(self.page_frame(n, 0)))
        asyncio.ensure_future(self.drain(ws))
        return ws, hello

    def page_frame(self, n: int, seq: int) -> dict:
        return {"type": "page", "url": f"http://127.0.0.1/shop/{n}/{seq}", "title": f"Page {seq}"}

    async def run(self) -> dict:
        from bench.loadgen import Server

        config, visitors = self.config, self.config["visitors"]
        server = Server([config["server_pid"]])
        console = await self.console()
        asyncio.ensure_future(self.listen(console))
        gate = asyncio.Semaphore(50)
        started = time.monotonic()
        opened = await asyncio.gather(*(self.visitor(n, gate) for n in range(visitors)))
        sockets = [ws for ws, _hello in opened]
        seen_by = started + 120
        while len({v for _t, v in self.rows}) < visitors and time.monotonic() < seen_by:
            await asyncio.sleep(0.05)
        result = {
            "visitors": visitors,
            "listed": len({v for _t, v in self.rows}),
            "all_listed_s": round(time.monotonic() - started, 2),
        }
        if not config["relay"]:
            await asyncio.sleep(1.5)
            result["tab_count"] = self.count
            result["page"] = await asyncio.to_thread(self.page_figures)
        # Every visitor changes page `rate` times a second, open loop, spread evenly.
        await asyncio.sleep(1.5)
        self.rows.clear()
        seconds, rate = config["seconds"], config["rate"]
        interval = 1 / rate
        server.mark()
        t0 = time.monotonic()
        sent = 0

        async def browse(n, ws):
            nonlocal sent
            for seq in range(1, int(seconds * rate) + 1):
                due = t0 + (n / visitors) * interval + (seq - 1) * interval
                await asyncio.sleep(max(0, due - time.monotonic()))
                await ws.send(json.dumps(self.page_frame(n, seq)))
                sent += 1

        await asyncio.gather(*(browse(n, ws) for n, ws in enumerate(sockets)))
        await asyncio.sleep(2.5)  # the last coalesced rows
        result.update(server.report())
        per_second = Counter((v, int(t - t0)) for t, v in self.rows)
        gaps = {}
        last = {}
        for t, v in sorted(self.rows):
            if v in last:
                gaps[v] = min(gaps.get(v, 1e9), t - last[v])
            last[v] = t
        result.update(
            {
                "page_frames_sent": sent,
                "page_frames_per_s": round(sent / seconds, 1),
                "rows_at_console": len(self.rows),
                "rows_per_visitor_per_s": round(len(self.rows) / visitors / (seconds + 2.5), 2),
                "max_rows_one_visitor_one_second": max(per_second.values(), default=0),
                "min_gap_between_rows_of_a_visitor_ms": (
                    round(min(gaps.values()) * 1000) if gaps else None
                ),
            }
        )
        for ws in sockets:
            await ws.close()
        await console.close()
        return result

    def page_figures(self) -> dict:
        config = self.config
        out = subprocess.run(
            ["taskset", "-c", "1", PYTHON, "-m", "bench.visitors", "page", "--user",
             str(config["fixtures"]["user"])],
            env=config["env"], capture_output=True, text=True, timeout=300,
        )  # fmt: skip
        lines = [line for line in out.stdout.splitlines() if line.startswith("{")]
        figures = json.loads(lines[-1]) if lines else {"failed": out.stderr[-2000:]}
        request = urllib.request.Request(
            config["http_base"] + "/console/visitors/",
            headers={"Cookie": f"sessionid={config['fixtures']['cookie']}"},
        )
        timings = []
        for _ in range(5):
            started = time.perf_counter()
            with urllib.request.urlopen(request, timeout=60) as response:
                response.read()
            timings.append((time.perf_counter() - started) * 1000)
        figures["http_p50_ms"] = round(statistics.median(timings), 1)
        return figures


# --- the orchestrator ----------------------------------------------------------------------


def main(argv=None) -> None:
    parser = argparse.ArgumentParser()
    commands = ["run", "seed", "page", "generate"]
    parser.add_argument("command", nargs="?", default="run", choices=commands)
    parser.add_argument("--visitors", type=int, default=1000)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--rate", type=float, default=2)
    parser.add_argument("--tag", default="")
    parser.add_argument("--user", type=int, default=0)
    parser.add_argument("--config", default="")
    args = parser.parse_args(argv)
    if args.command == "seed":
        print(json.dumps(seed(args.tag)))
    elif args.command == "page":
        print(json.dumps(page(args.user)))
    elif args.command == "generate":
        from bench.loadgen import raise_open_files

        raise_open_files()
        with open(args.config) as config:
            print(json.dumps(asyncio.run(Load(json.load(config)).run())))
    else:
        print(json.dumps(orchestrate(args)))


def orchestrate(args) -> dict:
    from bench.run import (
        NO_RATE_LIMITS,
        PG,
        REDIS,
        DaphneServer,
        django_run,
        ensure_postgres_db,
        log,
        machine,
    )

    tag = f"{int(time.time())}{os.getpid() % 1000}"
    db_name = "livechat_bench_visitors"
    base_env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_", "REDIS_"))}
    env = {
        **base_env,
        "DATABASE_URL": f"{PG}/{db_name}",
        "REDIS_URL": f"{REDIS}/{os.environ.get('BENCH_REDIS_DB', '13')}",
        "CHANNEL_PREFIX": f"benchv{tag}",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DB_POOL_MAX": os.environ.get("DB_POOL_MAX", "20"),
        "LOG_LEVEL": "WARNING",
        "PYTHONUNBUFFERED": "1",
        **NO_RATE_LIMITS,
    }
    results = {"machine": machine(), "sizes": vars(args) | {"command": "run"}}
    log(f"machine: {json.dumps(results['machine'])}")
    ensure_postgres_db(db_name)
    django_run(env, "manage.py", "migrate", "--noinput")
    fixtures = django_run(env, "-m", "bench.visitors", "seed", "--tag", tag)
    for name, app, relay in [
        ("visitors", "config.asgi:application", False),
        ("visitors_relay", "bench.relay:application", True),
    ]:
        server_env = env if not relay else {**env, "CHANNEL_PREFIX": f"relayv{tag}"}
        with DaphneServer(app, server_env) as server:
            config = {
                "fixtures": fixtures,
                "visitors": args.visitors,
                "seconds": args.seconds,
                "rate": args.rate,
                "relay": relay,
                "server_pid": server.pid,
                "ws_base": f"ws://127.0.0.1:{server.port}",
                "http_base": f"http://127.0.0.1:{server.port}",
                "env": env,
            }
            with tempfile.NamedTemporaryFile("w", suffix=".json", prefix="bench-v-") as cfg:
                json.dump(config, cfg)
                cfg.flush()
                out = subprocess.run(
                    ["taskset", "-c", "1", PYTHON, "-m", "bench.visitors", "generate",
                     "--config", cfg.name],
                    capture_output=True, text=True, timeout=900,
                )  # fmt: skip
            lines = [line for line in out.stdout.splitlines() if line.startswith("{")]
            results[name] = json.loads(lines[-1]) if lines else {"failed": out.stderr[-3000:]}
        log(f"{name}: {json.dumps(results[name])}")
    product, relay = results["visitors"], results["visitors_relay"]
    if "rows_at_console" in product and relay.get("rows_at_console"):
        results["rows_at_console_ratio_to_relay"] = round(
            product["rows_at_console"] / relay["rows_at_console"], 3
        )
        results["server_cpu_ratio_to_relay"] = round(
            product["server_cpu_pct"] / max(relay["server_cpu_pct"], 0.1), 2
        )
    return results


if __name__ == "__main__":
    main()
