"""Open-loop load generator: visitors on the public protocol, operators on the console socket.

Run by bench/run.py as `python -m bench.loadgen CONFIG.json` (pinned to its own core); the
last line printed is the scenario's result as one JSON object. No Django here: the
generator knows the server only through its sockets and pages.

Latency is measured from the *intended* send time (open loop): a message scheduled at t and
sent late because the generator or the socket was busy counts from t. Every bench text
carries "bench <v|o><visitor> s<seq> t<intended ns>" so the receiver computes it from the
payload.
"""

import asyncio
import itertools
import json
import os
import re
import resource
import sys
import time
import uuid

import psutil
import websockets
from hdrh.histogram import HdrHistogram

TOKEN = re.compile(r"bench ([vo])(\d+) s(\d+) t(\d+)")
ORIGIN_HEADER = "Origin"


def now_ns() -> int:
    return time.time_ns()


def histogram() -> HdrHistogram:
    return HdrHistogram(1, 120_000_000, 3)  # microseconds, 1 us .. 120 s


def percentiles(hist: HdrHistogram) -> dict:
    if hist.get_total_count() == 0:
        return {"p50_ms": None, "p95_ms": None, "p99_ms": None, "max_ms": None, "count": 0}
    return {
        "p50_ms": round(hist.get_value_at_percentile(50) / 1000, 2),
        "p95_ms": round(hist.get_value_at_percentile(95) / 1000, 2),
        "p99_ms": round(hist.get_value_at_percentile(99) / 1000, 2),
        "max_ms": round(hist.get_max_value() / 1000, 2),
        "count": hist.get_total_count(),
    }


def raise_open_files() -> int:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    return hard


class Server:
    """CPU time and peak memory of the server processes (psutil), between two marks; with
    BENCH_PROCESSES > 1 the figures are the sums over the processes."""

    def __init__(self, pids):
        self.processes = [psutil.Process(pid) for pid in pids if pid]
        self.cpu0 = self.wall0 = 0.0

    def cpu(self) -> float:
        return sum(sum(p.cpu_times()[:2]) for p in self.processes)

    def rss(self) -> int:
        return sum(p.memory_info().rss for p in self.processes)

    def peak_rss(self) -> int:
        total = 0
        for process in self.processes:
            with open(f"/proc/{process.pid}/status") as status:
                for line in status:
                    if line.startswith("VmHWM:"):
                        total += int(line.split()[1]) * 1024
        return total

    def mark(self):
        self.cpu0, self.wall0 = self.cpu(), time.monotonic()

    def cpu_since_mark(self) -> float:
        """Server CPU seconds (user + system, from /proc/<pid>/stat) since mark()."""
        return self.cpu() - self.cpu0

    def cpu_ms_per(self, count: int) -> float | None:
        return round(1000 * self.cpu_since_mark() / count, 3) if count else None

    def report(self) -> dict:
        wall = max(time.monotonic() - self.wall0, 1e-9)
        return {
            "server_cpu_s": round(self.cpu_since_mark(), 3),
            "server_cpu_pct": round(100 * (self.cpu() - self.cpu0) / wall, 1),
            "server_peak_rss_mb": round(self.peak_rss() / 2**20, 1),
            "server_processes": len(self.processes),
        }


class Generator:
    def __init__(self, config: dict):
        self.config = config
        # One server per base (ws://127.0.0.1:PORT); sockets and requests take them in
        # turn, as a round-robin proxy in front of several processes would.
        self.ws_bases, self.http_bases = config["ws_bases"], config["http_bases"]
        self.turn = itertools.count()
        self.http = self.http_bases[0]
        self.relay = config.get("relay", False)
        self.errors: dict[str, int] = {}
        self.server = Server(config.get("server_pids", ()))

    @property
    def base(self) -> str:
        """The next server's ws:// base."""
        return self.ws_bases[next(self.turn) % len(self.ws_bases)]

    def http_base(self, n: int) -> str:
        return self.http_bases[n % len(self.http_bases)]

    def error(self, kind: str):
        self.errors[kind] = self.errors.get(kind, 0) + 1

    async def open(self, url: str, cookie: str | None = None):
        headers = {"Cookie": f"sessionid={cookie}"} if cookie else None
        return await websockets.connect(
            url,
            origin=url.replace("ws://", "http://", 1).split("/ws/", 1)[0],  # its own server
            additional_headers=headers,
            open_timeout=30,
            ping_interval=None,  # idle sockets stay idle; the server's pings are answered
            max_queue=None,
            compression=None,
        )

    async def open_visitor(self, site_key: str):
        ws = await self.open(f"{self.base}/ws/visitor/{site_key}/")
        hello = json.loads(await asyncio.wait_for(ws.recv(), 30))
        if hello.get("type") != "hello":
            raise RuntimeError(f"expected hello, got {hello}")
        return ws

    async def open_operator(self, op: dict, site_key: str):
        url = f"{self.base}/ws/console/?site={site_key}"
        ws = await self.open(url, None if self.relay else op["cookie"])
        hello = json.loads(await asyncio.wait_for(ws.recv(), 30))
        if hello.get("type") != "hello":
            raise RuntimeError(f"expected hello, got {hello}")
        return ws

    async def gather_limited(self, coros, limit: int):
        semaphore = asyncio.Semaphore(limit)

        async def one(coro):
            async with semaphore:
                try:
                    return await coro
                except Exception as error:  # counted, the run goes on
                    self.error(type(error).__name__)
                    return None

        return await asyncio.gather(*(one(c) for c in coros))

    # --- connecting an operator to a dialog (the console's Connect button) ----------------

    async def connect_dialogs(self, pairs, limit: int = 16):
        """pairs: (operator, dialog_id). POST /console/dialogs/<id>/connect/ with the
        operator's session and a CSRF cookie/header pair."""
        import aiohttp

        secret = uuid.uuid4().hex  # 32 characters: Django accepts an unmasked secret
        async with aiohttp.ClientSession(cookie_jar=aiohttp.DummyCookieJar()) as http:

            async def one(op, dialog_id):
                base = self.http_base(dialog_id)
                async with http.post(
                    f"{base}/console/dialogs/{dialog_id}/connect/",
                    headers={
                        "Cookie": f"sessionid={op['cookie']}; csrftoken={secret}",
                        "X-CSRFToken": secret,
                        "Origin": base,
                    },
                    allow_redirects=False,
                ) as response:
                    if response.status != 302:
                        raise RuntimeError(f"connect answered {response.status}")

            await self.gather_limited((one(op, d) for op, d in pairs), limit)

    # --- scenario 1: chat ----------------------------------------------------------------

    async def knee(self) -> dict:
        return await self.chat()

    async def chat(self) -> dict:
        c = self.config
        fixtures = c["fixtures"]
        sites, operators = fixtures["sites"], fixtures["operators"]
        n_visitors, interval, duration = c["visitors"], c["interval"], c["duration"]
        by_site = {}
        for op in operators:
            by_site.setdefault(op["site"], []).append(op)
        # Visitor i is on site i % S and talks to one of that site's operators.
        assigned = [
            by_site[i % len(sites)][(i // len(sites)) % len(by_site[i % len(sites)])]
            for i in range(n_visitors)
        ]
        hists = {"v2o": histogram(), "o2v": histogram()}
        sent = {"v": 0, "o": 0}
        delivered = {"v": 0, "o": 0}
        seen: set[tuple[str, int, int]] = set()
        dialog_of: dict[int, int] = {}  # visitor -> dialog
        visitor_of: dict[int, int] = {}  # dialog -> visitor
        measuring = {"on": False}
        op_sockets: dict[int, object] = {}
        reply_seq: dict[int, int] = {}
        pending_replies: set = set()

        async def operator_reader(op, ws):
            async for raw in ws:
                frame = json.loads(raw)
                kind = frame.get("type")
                if kind == "row" and frame.get("html"):
                    match = TOKEN.search(frame["html"])
                    if not match or match.group(1) != "v":
                        continue
                    vid, seq, t0 = int(match.group(2)), int(match.group(3)), int(match.group(4))
                    if assigned[vid]["id"] != op["id"] or ("v", vid, seq) in seen:
                        continue
                    seen.add(("v", vid, seq))
                    delivered["v"] += 1
                    hists["v2o"].record_value(max(1, (now_ns() - t0) // 1000))
                    if measuring["on"]:  # answer at once: the answer's clock starts now
                        task = asyncio.create_task(reply(op, ws, vid))
                        pending_replies.add(task)
                        task.add_done_callback(pending_replies.discard)
                elif kind == "error":
                    self.error(f"operator_error:{frame.get('code')}")

        async def reply(op, ws, vid):
            seq = reply_seq[vid] = reply_seq.get(vid, 0) + 1
            sent["o"] += 1
            dialog = dialog_of[vid]
            await ws.send(
                json.dumps(
                    {
                        "type": "message",
                        "dialog": dialog,
                        "client_id": uuid.uuid4().hex,
                        "text": f"bench o{vid} s{seq} t{now_ns()}",
                    }
                )
            )

        async def visitor_reader(vid, ws):
            async for raw in ws:
                frame = json.loads(raw)
                kind = frame.get("type")
                if kind == "message":
                    text = frame["message"].get("text") or ""
                    match = TOKEN.search(text)
                    if not match or match.group(1) != "o":
                        continue
                    key = ("o", vid, int(match.group(3)))
                    if key in seen:
                        continue
                    seen.add(key)
                    delivered["o"] += 1
                    hists["o2v"].record_value(max(1, (now_ns() - int(match.group(4))) // 1000))
                elif kind == "ack":
                    if vid not in dialog_of:
                        dialog_of[vid] = frame["dialog"]
                        visitor_of[frame["dialog"]] = vid
                elif kind == "error":
                    self.error(f"visitor_error:{frame.get('code')}")

        readers = []
        # Operators first, so the first rows are heard.
        for op in operators:
            try:
                ws = await self.open_operator(op, sites[op["site"]])
            except Exception as error:
                self.error(f"operator_connect:{type(error).__name__}")
                continue
            op_sockets[op["id"]] = ws
            readers.append(asyncio.create_task(operator_reader(op, ws)))

        visitor_ws: dict[int, object] = {}

        async def start_visitor(vid):
            ws = await self.open_visitor(sites[vid % len(sites)])
            visitor_ws[vid] = ws
            readers.append(asyncio.create_task(visitor_reader(vid, ws)))
            await ws.send(
                json.dumps({"type": "message", "client_id": f"first-{vid}", "text": "Hello"})
            )

        setup_started = time.monotonic()
        await self.gather_limited((start_visitor(v) for v in range(n_visitors)), 64)
        for _ in range(300):  # wait (bounded) for the first acks
            if len(dialog_of) >= len(visitor_ws):
                break
            await asyncio.sleep(0.1)
        if not self.relay:
            await self.connect_dialogs(
                [(assigned[v], d) for v, d in dialog_of.items()], limit=c.get("http_limit", 16)
            )
        setup_seconds = time.monotonic() - setup_started
        await asyncio.sleep(1.0)

        async def window(interval: float, duration: float, seq_base: int) -> dict:
            """Open loop: visitor v sends at start + phase_v + k * interval, for duration."""
            sent.update(v=0, o=0)
            delivered.update(v=0, o=0)
            hists.update(v2o=histogram(), o2v=histogram())
            self.errors.clear()
            start = time.monotonic() + 0.2
            start_ns = now_ns() + 200_000_000
            self.server.mark()
            cpu0 = os.times()
            measuring["on"] = True

            async def visitor_schedule(vid):
                ws = visitor_ws.get(vid)
                if ws is None or vid not in dialog_of:
                    return
                phase = (vid * 0.6180339887 % 1.0) * interval
                seq = 0
                while True:
                    offset = phase + seq * interval
                    if offset >= duration:
                        return
                    intended = start_ns + int(offset * 1e9)
                    await asyncio.sleep(max(0.0, start + offset - time.monotonic()))
                    seq += 1
                    sent["v"] += 1
                    text = f"bench v{vid} s{seq_base + seq} t{intended}"
                    try:
                        await ws.send(
                            json.dumps(
                                {"type": "message", "client_id": uuid.uuid4().hex, "text": text}
                            )
                        )
                    except Exception as error:
                        self.error(f"send:{type(error).__name__}")
                        return

            await asyncio.gather(*(visitor_schedule(v) for v in range(n_visitors)))
            send_end = time.monotonic()
            measuring["on"] = False
            # Drain: wait (bounded) for everything sent to arrive.
            drain_deadline = time.monotonic() + c.get("drain", 10)
            while time.monotonic() < drain_deadline:
                if delivered["v"] >= sent["v"] and delivered["o"] >= sent["o"]:
                    break
                await asyncio.sleep(0.05)
            last_delivery = time.monotonic()
            server = self.server.report()
            total_sent = sent["v"] + sent["o"]
            total_delivered = delivered["v"] + delivered["o"]
            server["cpu_ms_per_delivered"] = self.server.cpu_ms_per(total_delivered)
            cpu1 = os.times()
            wall = last_delivery - start
            both = histogram()
            both.add(hists["v2o"])
            both.add(hists["o2v"])
            return {
                "interval_s": interval,
                "duration_s": duration,
                "offered_per_s": round(total_sent / max(send_end - start, 1e-9), 1),
                "sent": total_sent,
                "delivered": total_delivered,
                "delivered_per_s": round(total_delivered / wall, 1),
                "messages_lost": total_sent - total_delivered,
                "latency": percentiles(both),
                "visitor_to_operator": percentiles(hists["v2o"]),
                "operator_to_visitor": percentiles(hists["o2v"]),
                "errors": dict(self.errors),
                "generator_cpu_pct": round(
                    100 * ((cpu1.user - cpu0.user) + (cpu1.system - cpu0.system)) / wall, 1
                ),
                **server,
            }

        head = {
            "scenario": c["scenario"],
            "visitors": n_visitors,
            "visitors_connected": len(visitor_ws),
            "dialogs": len(dialog_of),
            "operators": len(op_sockets),
            "setup_s": round(setup_seconds, 1),
        }
        if c["scenario"] == "knee":
            head.update(await self.sweep(window, n_visitors))
        else:
            head.update(await window(interval, duration, 0))
        for task in readers:
            task.cancel()
        # No closing handshakes: the process exits (os._exit) and the server sees the drops.
        return head

    async def sweep(self, window, n_visitors: int) -> dict:
        """The chat window at rising offered rates (visitor messages and the operators'
        answers), until p99 passes knee_p99_ms or a message is lost: the knee is the
        highest offered rate that passed."""
        c = self.config
        steps, knee, seq_base = [], None, 0
        for rate in c["knee_rates"]:
            interval = 2 * n_visitors / rate  # each visitor message is answered once
            step = await window(interval, c["knee_step_s"], seq_base)
            seq_base += 100_000
            steps.append({"rate": rate, **{k: step[k] for k in (
                "offered_per_s", "delivered_per_s", "messages_lost", "latency",
                "server_cpu_pct", "cpu_ms_per_delivered", "errors")}})  # fmt: skip
            p99 = step["latency"]["p99_ms"]
            if step["messages_lost"] or p99 is None or p99 > c.get("knee_p99_ms", 50.0):
                break
            knee = step["offered_per_s"]
            await asyncio.sleep(c.get("knee_pause_s", 0.5))
        return {"knee_per_s": knee, "steps": steps}

    # --- scenario 2: burst -----------------------------------------------------------------

    async def burst(self) -> dict:
        c = self.config
        fixtures = c["fixtures"]
        site = fixtures["burst_site"]
        operators = fixtures["burst_operators"]
        n = c["burst"]
        arrived: dict[int, dict[int, int]] = {op["id"]: {} for op in operators}
        per_row = histogram()
        intended_of: dict[int, int] = {}

        async def operator_reader(op, ws):
            async for raw in ws:
                frame = json.loads(raw)
                if frame.get("type") == "row" and frame.get("tab") == "mine" and frame.get("html"):
                    match = TOKEN.search(frame["html"])
                    if match and match.group(1) == "v":
                        vid = int(match.group(2))
                        if vid not in arrived[op["id"]]:
                            t = now_ns()
                            arrived[op["id"]][vid] = t
                            per_row.record_value(max(1, (t - int(match.group(4))) // 1000))

        readers, sockets = [], []
        for op in operators:
            ws = await self.open_operator(op, site)
            sockets.append(ws)
            readers.append(asyncio.create_task(operator_reader(op, ws)))
        visitors = await self.gather_limited((self.open_visitor(site) for _ in range(n)), 64)

        async def drain_visitor(ws):
            async for _ in ws:
                pass

        for ws in visitors:
            if ws is not None:
                sockets.append(ws)
                readers.append(asyncio.create_task(drain_visitor(ws)))
        await asyncio.sleep(0.5)
        self.server.mark()
        start = time.monotonic() + 0.1
        start_ns = now_ns() + 100_000_000

        async def first_message(vid, ws):
            offset = vid / n  # n new dialogs within one second
            intended_of[vid] = start_ns + int(offset * 1e9)
            await asyncio.sleep(max(0.0, start + offset - time.monotonic()))
            await ws.send(
                json.dumps(
                    {
                        "type": "message",
                        "client_id": f"burst-{vid}",
                        "text": f"bench v{vid} s1 t{intended_of[vid]}",
                    }
                )
            )

        await asyncio.gather(
            *(first_message(v, ws) for v, ws in enumerate(visitors) if ws is not None)
        )
        expected = sum(1 for ws in visitors if ws is not None)
        deadline = time.monotonic() + c.get("drain", 10) + 20
        while time.monotonic() < deadline:
            if all(len(a) >= expected for a in arrived.values()):
                break
            await asyncio.sleep(0.02)
        server = self.server.report()
        last = max((t for a in arrived.values() for t in a.values()), default=start_ns)
        complete = all(len(a) >= expected for a in arrived.values())
        for task in readers:
            task.cancel()
        return {
            "scenario": "burst",
            "dialogs": expected,
            "operators": len(operators),
            "all_visible_ms": round((last - start_ns) / 1e6, 1) if complete else None,
            # The sends are spread over one second: what is left after the last one.
            "after_last_send_ms": round((last - start_ns) / 1e6 - 1000 * (n - 1) / n, 1)
            if complete
            else None,
            "rows_seen": sum(len(a) for a in arrived.values()),
            "rows_expected": expected * len(operators),
            "row_latency": percentiles(per_row),
            "errors": self.errors,
            **server,
        }

    # --- scenario 3: idle capacity -----------------------------------------------------------

    async def idle(self) -> dict:
        c = self.config
        n = c["idle"]
        site = c["fixtures"]["sites"][0]
        limit_files = raise_open_files()
        await self.open_visitor(site)  # the server has loaded everything once
        await asyncio.sleep(c.get("settle", 1.0) / 2)
        rss_before = self.server.rss()
        self.server.mark()
        started = time.monotonic()
        sockets = await self.gather_limited(
            (self.open_visitor(site) for _ in range(n)), c.get("connect_limit", 100)
        )
        connect_seconds = time.monotonic() - started
        cpu_ms_per_connect = self.server.cpu_ms_per(sum(1 for ws in sockets if ws is not None))
        await asyncio.sleep(c.get("settle", 1.0))
        rss_after = self.server.rss()
        alive = [ws for ws in sockets if ws is not None and ws.state.name == "OPEN"]
        server = self.server.report()
        # Still answering after that: one more visitor gets his hello.
        try:
            probe = await self.open_visitor(site)
            await probe.close()
            still_serving = True
        except Exception:
            still_serving = False
        result = {
            "scenario": "idle",
            "requested": n,
            "idle_sockets": len(alive),
            "bytes_per_socket": int((rss_after - rss_before) / max(len(alive), 1)),
            "connect_s": round(connect_seconds, 1),
            "connects_per_s": round(len(alive) / max(connect_seconds, 1e-9), 1),
            "cpu_ms_per_connect": cpu_ms_per_connect,
            "server_rss_mb": round(rss_after / 2**20, 1),
            "still_serving": still_serving,
            "generator_open_files_limit": limit_files,
            "errors": self.errors,
            **server,
        }
        return result

    # --- scenario 3b: connection storm ---------------------------------------------------------

    async def storm(self) -> dict:
        """`storm` visitors open the widget at the same moment (a newsletter link, a page
        with the chat on a TV ad): every socket is opened at once, with no limit, as new
        visitors (no token). A visitor counts as served when his `hello` arrives; the
        client waits up to `storm_patience` seconds for it, far longer than a person would,
        so a slow answer is told apart from a dropped one."""
        c = self.config
        n = c["storm"]
        patience = c.get("storm_patience", 60.0)
        site = c["fixtures"]["sites"][0]
        raise_open_files()
        await self.open_visitor(site)  # the server has loaded everything once
        await asyncio.sleep(0.5)
        outcomes: dict[str, int] = {}
        to_hello = histogram()
        sockets = []
        go = asyncio.Event()

        async def one():
            await go.wait()
            t0 = time.perf_counter_ns()
            stage = "handshake"
            try:
                ws = await websockets.connect(
                    f"{self.base}/ws/visitor/{site}/",
                    origin=self.http,
                    open_timeout=patience,
                    ping_interval=None,
                    max_queue=None,
                    compression=None,
                )
                sockets.append(ws)
                stage = "hello"
                frame = json.loads(await asyncio.wait_for(ws.recv(), patience))
                if frame.get("type") != "hello":
                    raise RuntimeError(f"expected hello, got {frame.get('type')}")
            except Exception as error:
                # handshake: no 101 (dropped before any HTTP answer, or refused);
                # hello: accepted, then closed or silent.
                kind = f"{stage}:{type(error).__name__}"
                outcomes[kind] = outcomes.get(kind, 0) + 1
                return
            to_hello.record_value(max(1, (time.perf_counter_ns() - t0) // 1000))
            outcomes["hello"] = outcomes.get("hello", 0) + 1

        tasks = [asyncio.create_task(one()) for _ in range(n)]
        await asyncio.sleep(0.2)  # every task is waiting at the gate
        self.server.mark()
        started = time.monotonic()
        go.set()
        await asyncio.gather(*tasks)
        wall = time.monotonic() - started
        server = self.server.report()
        got_hello = outcomes.get("hello", 0)
        # Still answering after that: one more visitor gets his hello.
        try:
            probe = await self.open_visitor(site)
            await probe.close()
            still_serving = True
        except Exception:
            still_serving = False
        return {
            "scenario": "storm",
            "clients": n,
            "got_hello": got_hello,
            "dropped": n - got_hello,
            "outcomes": outcomes,
            "time_to_hello": percentiles(to_hello),
            "all_served_s": round(wall, 2) if got_hello == n else None,
            "still_serving": still_serving,
            **server,
        }

    # --- scenario 3c: reconnect storm (bench/reconnect.py) ---------------------------------

    async def reconnect(self) -> dict:
        from bench.reconnect import storm

        return await storm(self)

    # --- scenario 3d: authenticated connect storm (bench/authstorm.py) ------------------------

    async def authstorm(self) -> dict:
        from bench.authstorm import storm

        return await storm(self)

    # --- scenario 4: console pages ----------------------------------------------------------

    async def pages(self) -> dict:
        import aiohttp

        c = self.config
        out = {"scenario": "pages", "pages": {}}
        headers = {"Cookie": f"sessionid={c['pages_cookie']}"}
        async with aiohttp.ClientSession(cookie_jar=aiohttp.DummyCookieJar()) as http:
            for name, url in c["pages"].items():
                async with http.get(self.http + url, headers=headers) as response:
                    await response.read()
                    if response.status != 200:
                        out["pages"][name] = {"status": response.status, "p50_ms": None,
                                              "p95_ms": None}  # fmt: skip
                        continue
                hist = histogram()
                for _ in range(c.get("page_warmup", 3)):
                    async with http.get(self.http + url, headers=headers) as response:
                        await response.read()
                statuses = {}

                async def worker(count, url=url, statuses=statuses, hist=hist):
                    for _ in range(count):
                        t0 = time.perf_counter_ns()
                        async with http.get(self.http + url, headers=headers) as response:
                            await response.read()
                            statuses[response.status] = statuses.get(response.status, 0) + 1
                        hist.record_value(max(1, (time.perf_counter_ns() - t0) // 1000))

                started = time.monotonic()
                concurrency = c.get("page_concurrency", 1)
                per_worker = max(1, c.get("page_requests", 200) // concurrency)
                await asyncio.gather(*(worker(per_worker) for _ in range(concurrency)))
                wall = time.monotonic() - started
                p = percentiles(hist)
                out["pages"][name] = {
                    "status": 200,
                    "statuses": statuses,
                    "requests": hist.get_total_count(),
                    "per_s": round(hist.get_total_count() / wall, 1),
                    "concurrency": concurrency,
                    "p50_ms": p["p50_ms"],
                    "p95_ms": p["p95_ms"],
                    "p99_ms": p["p99_ms"],
                }
        return out


def main(argv=None) -> None:
    argv = argv if argv is not None else sys.argv[1:]
    with open(argv[0]) as f:
        config = json.load(f)
    generator = Generator(config)
    scenario = getattr(generator, config["scenario"])
    main_coro = asyncio.wait_for(scenario(), config.get("timeout", 600))
    try:
        import uvloop
    except ImportError:
        result = asyncio.run(main_coro)
    else:
        result = uvloop.run(main_coro)
    sys.stdout.write(json.dumps(result) + "\n")
    sys.stdout.flush()
    os._exit(0)  # thousands of idle sockets need no polite goodbye


if __name__ == "__main__":
    main()
