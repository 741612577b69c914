"""The authenticated connect storm (issue 20): a morning shift and its returning visitors.

Run by bench/loadgen.py (scenario "authstorm"). Every socket of bench/fixtures.py's
`authstorm` credentials is opened at the same moment, with no limit, on one server process:

- operators' console sockets (/ws/console/) with their session cookie, as the console
  page opens them, and some with a personal access token ("Authorization: Bearer", an
  app's socket: api/sockets.py) instead;
- returning visitors' widget sockets (/ws/visitor/<key>/?token=...), each visitor with an
  open dialog holding his first message.

A socket counts as served when its `hello` arrives (the client waits up to
`authstorm_patience` seconds, far longer than a person would, so a slow answer is told
apart from a dropped one). The relay (bench/relay.py) gets the same sockets with the same
URLs and headers; it reads none of the credentials (plain sockets). Figures: time from the
start until all have their hello, time to hello per kind, handshakes refused (an HTTP
answer other than 101, or the connection dropped before any) or timed out, sockets
accepted and then closed before hello, and the server's CPU per served socket.
"""

import asyncio
import json
import time

import websockets

KINDS = ("console", "token", "visitor")


def sockets_of(fixtures: dict, base: str) -> list[tuple[str, str, dict]]:
    """(kind, url, extra headers) of every socket of the storm, consoles and visitors
    interleaved so neither kind goes first."""
    sites = fixtures["sites"]
    consoles, visitors = [], []
    for console in fixtures["consoles"]:
        # ?site= is the relay's (its console joins that site's group); the product's
        # console reads the operator's sites from the database and ignores it.
        url = f"{base}/ws/console/?site={sites[console['site']]}"
        if "token" in console:
            consoles.append(("token", url, {"Authorization": f"Bearer {console['token']}"}))
        else:
            consoles.append(("console", url, {"Cookie": f"sessionid={console['cookie']}"}))
    for visitor in fixtures["visitors"]:
        url = f"{base}/ws/visitor/{sites[visitor['site']]}/?token={visitor['token']}"
        visitors.append(("visitor", url, {}))
    out = []
    for i in range(max(len(consoles), len(visitors))):
        out.extend(group[i] for group in (consoles, visitors) if i < len(group))
    return out


def outcome_of(stage: str, error: BaseException) -> str:
    """refused: no 101 (an HTTP error, e.g. the 403 Daphne answers to a handshake the
    application has not accepted within its websocket_connect_timeout, or the connection
    closed before any answer);
    timed_out: no answer at all within the patience; closed: accepted, then closed or
    silent before hello."""
    if isinstance(error, TimeoutError):
        return f"timed_out:{stage}"
    if stage == "handshake":
        # 403: Daphne's own answer to a handshake not accepted in time (serverReject).
        status = getattr(getattr(error, "response", None), "status_code", None)
        return f"refused:{type(error).__name__}" + (f":{status}" if status else "")
    code = getattr(getattr(error, "rcvd", None), "code", None)  # the server's close code
    return f"closed:{type(error).__name__}" + (f":{code}" if code else "")


async def storm(gen) -> dict:
    from bench.loadgen import histogram, percentiles, raise_open_files

    c = gen.config
    fixtures = c["fixtures"]
    patience = c.get("authstorm_patience", 60.0)
    raise_open_files()
    base = gen.ws_bases[0]
    plan = sockets_of(fixtures, base)
    # The server has loaded everything once (a visitor's hello, no credentials).
    warm = await gen.open_visitor(fixtures["sites"][0])
    await warm.close()
    await asyncio.sleep(0.5)
    outcomes: dict[str, int] = {}
    to_hello = {kind: histogram() for kind in KINDS}
    all_kinds = histogram()
    served = {kind: 0 for kind in KINDS}
    wrong = {"visitor_without_dialog": 0}
    sockets = []
    last_hello = {"t": None}
    go = asyncio.Event()

    def count(kind: str):
        outcomes[kind] = outcomes.get(kind, 0) + 1

    async def one(kind: str, url: str, headers: dict):
        await go.wait()
        t0 = time.perf_counter_ns()
        stage = "handshake"
        try:
            ws = await websockets.connect(
                url, origin=gen.http, additional_headers=headers or None,
                open_timeout=patience, ping_interval=None, max_queue=None, compression=None,
            )  # fmt: skip
            sockets.append(ws)
            stage = "hello"
            frame = json.loads(await asyncio.wait_for(ws.recv(), patience))
            if frame.get("type") != "hello":  # e.g. an error frame: counted by its code
                count(f"{kind}:closed:first_frame:{frame.get('type')}:{frame.get('code')}")
                return
        except Exception as error:
            count(f"{kind}:{outcome_of(stage, error)}")
            return
        elapsed = max(1, (time.perf_counter_ns() - t0) // 1000)
        to_hello[kind].record_value(elapsed)
        all_kinds.record_value(elapsed)
        served[kind] += 1
        last_hello["t"] = time.monotonic()
        count(f"{kind}:hello")
        if kind == "visitor" and not gen.relay and not frame.get("dialog"):
            wrong["visitor_without_dialog"] += 1  # his open dialog did not come back

    tasks = [asyncio.create_task(one(*socket)) for socket in plan]
    await asyncio.sleep(0.5)  # every task is waiting at the gate
    gen.server.mark()
    started = time.monotonic()
    go.set()
    await asyncio.gather(*tasks)
    got = sum(served.values())
    all_hello_s = round(last_hello["t"] - started, 2) if got == len(plan) else None
    cpu_ms_per_connect = gen.server.cpu_ms_per(got)
    server = gen.server.report()
    open_after = sum(1 for ws in sockets if ws.state.name == "OPEN")
    by_outcome = {"refused": 0, "timed_out": 0, "closed": 0}
    for key, value in outcomes.items():
        outcome = key.split(":")[1]
        if outcome in by_outcome:
            by_outcome[outcome] += value
    return {
        "scenario": "authstorm",
        "clients": len(plan),
        "by_kind": {kind: sum(1 for k, _u, _h in plan if k == kind) for kind in KINDS},
        "got_hello": got,
        "served": served,
        "all_hello_s": all_hello_s,
        "last_hello_s": round(last_hello["t"] - started, 2) if last_hello["t"] else None,
        "time_to_hello": percentiles(all_kinds),
        "time_to_hello_by_kind": {kind: percentiles(h) for kind, h in to_hello.items()},
        "handshakes_refused": by_outcome["refused"],
        "handshakes_timed_out": by_outcome["timed_out"],
        "closed_before_hello": by_outcome["closed"],
        "open_at_the_end": open_after,
        "outcomes": outcomes,
        "cpu_ms_per_connect": cpu_ms_per_connect,
        **wrong,
        **server,
    }
