"""The reconnect storm (issue 20): a deploy restarts the server under open widgets.

Run by bench/loadgen.py (scenario "reconnect"). `reconnect` visitor sockets are opened as
the bundled widget opens them, each with a token and an open dialog (its first message
acknowledged). Then the server process is killed (SIGKILL, as a crash or a hard deploy)
and started again on the same port at once, and every client reconnects the way
static/chat/widget/socket.js does:

- a wait of 0.5 s doubling up to 15 s per failed attempt, each picked at random in
  [half, full] (the jitter); reset when hello arrives;
- on hello: `resume` (after 0: everything of its dialog is replayed), its page, then the
  message the visitor typed while the socket was down (the widget's outbox, sent again
  with the same client_id on every attempt until acknowledged).

A client has resumed when `resumed` and the outbox message's ack have arrived. Figures:
time from the kill until all resumed (and the server's own start time), the failed
attempts by kind (refused while the server was down is expected; refused or timed out
once it listens is what counts), messages lost (outbox messages never acknowledged, and,
on the product, acknowledged messages from before the kill missing from the replay; the
relay stores nothing and replays nothing), and the new server's CPU per resumed client.
"""

import asyncio
import json
import os
import random
import signal
import socket
import subprocess
import tempfile
import time

import psutil
import websockets

BACKOFF_MIN_S = 0.5  # static/chat/widget/socket.js BACKOFF_MIN_MS
BACKOFF_MAX_S = 15.0  # BACKOFF_MAX_MS


def backoff(attempt: int) -> float:
    ceiling = min(BACKOFF_MAX_S, BACKOFF_MIN_S * 2**attempt)
    return ceiling / 2 + random.random() * ceiling / 2


class Restarted:
    """The server process started again by the generator (same command, port and core)."""

    def __init__(self, restart: dict):
        self.restart = restart
        self.log = tempfile.NamedTemporaryFile("w+", prefix="bench-restart-", suffix=".log")  # noqa: SIM115
        self.process = subprocess.Popen(
            restart["argv"], cwd=restart["cwd"], env=restart["env"], stdout=self.log,
            stderr=subprocess.STDOUT,
        )  # fmt: skip

    async def wait_listening(self, port: int, limit: float = 60.0) -> bool:
        deadline = time.monotonic() + limit
        while time.monotonic() < deadline and self.process.poll() is None:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                return True
            except OSError:
                await asyncio.sleep(0.02)
        return False

    def stop(self):
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)
        self.log.close()


async def gone(pid: int, port: int, limit: float = 10.0) -> None:
    """Until the killed process has exited and its port refuses connections, so the new
    one can bind it. (A zombie of bench/run.py counts as exited; a process with threads
    turns zombie before its last thread has let the listening socket go.)"""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        try:
            if psutil.Process(pid).status() != psutil.STATUS_ZOMBIE:
                await asyncio.sleep(0.005)
                continue
        except psutil.Error:
            pass
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
        except OSError:
            return
        await asyncio.sleep(0.005)


async def storm(gen) -> dict:
    from bench.loadgen import Server, histogram, percentiles, raise_open_files

    c = gen.config
    n = c["reconnect"]
    sites = c["fixtures"]["sites"]
    patience = c.get("reconnect_patience", 30.0)
    raise_open_files()
    base = gen.ws_bases[0]
    port = int(base.rsplit(":", 1)[1])
    clients = [{"n": i, "site": sites[i % len(sites)], "token": None} for i in range(n)]

    async def first_visit(client):
        ws = await gen.open(f"{base}/ws/visitor/{client['site']}/")
        hello = json.loads(await asyncio.wait_for(ws.recv(), patience))
        client["token"] = hello["visitor"]["token"]
        await ws.send(
            json.dumps({"type": "message", "client_id": f"pre-{client['n']}", "text": "Hello"})
        )
        async for raw in ws:
            frame = json.loads(raw)
            if frame.get("type") == "ack":
                client["pre_id"] = frame["id"]
                break
        client["ws"] = ws

    setup_started = time.monotonic()
    await gen.gather_limited((first_visit(cl) for cl in clients), 64)
    ready = [cl for cl in clients if "pre_id" in cl]
    setup_s = time.monotonic() - setup_started
    await asyncio.sleep(1.0)

    outcomes: dict[str, int] = {}
    to_resume = histogram()
    state = {"listening_at": None}
    deadline_s = c.get("reconnect_deadline", 120.0)

    def count(kind: str):
        outcomes[kind] = outcomes.get(kind, 0) + 1

    async def come_back(client, killed_at: float):
        """The widget after its socket dropped: reconnect with backoff until resumed."""
        try:
            async for _ in client["ws"]:
                pass
        except Exception:
            pass
        outbox = {"type": "message", "client_id": f"out-{client['n']}", "text": "Still there?"}
        url = f"{base}/ws/visitor/{client['site']}/?token={client['token']}"
        attempt = 0
        while time.monotonic() - killed_at < deadline_s:
            await asyncio.sleep(backoff(attempt))
            attempt += 1
            up = state["listening_at"] is not None
            try:
                ws = await websockets.connect(
                    url, origin=gen.http, open_timeout=patience, ping_interval=None,
                    max_queue=None, compression=None,
                )  # fmt: skip
            except (ConnectionRefusedError, ConnectionResetError) as error:
                count(f"{'refused' if up else 'refused_while_down'}:{type(error).__name__}")
                continue
            except TimeoutError:
                count("handshake_timeout")
                continue
            except Exception as error:
                count(f"handshake_failed:{type(error).__name__}")
                continue
            try:
                hello = json.loads(await asyncio.wait_for(ws.recv(), patience))
                if hello.get("type") != "hello":
                    raise RuntimeError("no hello")
                await ws.send(json.dumps({"type": "resume", "after": 0}))
                await ws.send(json.dumps({"type": "page", "url": "http://127.0.0.1/shop/"}))
                await ws.send(json.dumps(outbox))
                replayed, resumed, acked = set(), False, False
                while not (resumed and acked):
                    frame = json.loads(await asyncio.wait_for(ws.recv(), patience))
                    kind = frame.get("type")
                    if kind == "message":
                        replayed.add(frame["message"]["id"])
                    elif kind == "resumed":
                        resumed = True
                    elif kind == "ack" and frame.get("client_id") == outbox["client_id"]:
                        acked = True
            except Exception as error:
                count(f"after_handshake:{type(error).__name__}")
                await ws.close()
                continue
            client.update(resumed_ws=ws, replayed=replayed, acked=True)
            to_resume.record_value(max(1, int((time.monotonic() - killed_at) * 1e6)))
            count("resumed")
            return

    pid = gen.config["server_pids"][0]
    killed_at = time.monotonic()
    tasks = [asyncio.create_task(come_back(cl, killed_at)) for cl in ready]
    os.kill(pid, signal.SIGKILL)
    await gone(pid, port)
    server = Restarted(c["restart"])
    try:
        if await server.wait_listening(port):
            state["listening_at"] = time.monotonic()
        new_server = Server([server.process.pid])
        new_server.mark()
        await asyncio.gather(*tasks)
        all_done = time.monotonic()
        resumed = [cl for cl in ready if cl.get("acked")]
        cpu = new_server.report()
        cpu_ms_per_resume = new_server.cpu_ms_per(len(resumed))
    finally:
        server.stop()
    missing_replay = 0
    if not gen.relay:
        missing_replay = sum(1 for cl in resumed if cl["pre_id"] not in cl["replayed"])
    listening = state["listening_at"]
    return {
        "scenario": "reconnect",
        "clients": n,
        "with_dialog": len(ready),
        "setup_s": round(setup_s, 1),
        "resumed": len(resumed),
        "all_resumed_s": round(all_done - killed_at, 2) if len(resumed) == len(ready) else None,
        "server_listening_s": round(listening - killed_at, 2) if listening else None,
        # From listening to the last resumed: the restart's own time left out.
        "resumed_after_listening_s": (
            round(all_done - listening, 2) if listening and len(resumed) == len(ready) else None
        ),
        "time_to_resume": percentiles(to_resume),
        "attempts": outcomes,
        "handshakes_refused": sum(
            v for k, v in outcomes.items() if k.startswith(("refused:", "handshake_failed"))
        ),
        "handshakes_timed_out": outcomes.get("handshake_timeout", 0),
        "messages_lost": (len(ready) - len(resumed)) + missing_replay,
        "replay_missing": missing_replay,
        "cpu_ms_per_resume": cpu_ms_per_resume,
        "errors": gen.errors,
        **cpu,
    }
