"""What every part of the image test shares: settings, podman, waiting, the figures."""

import os
import shutil
import socket
import subprocess
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]  # the checkout (scripts/image_checks/../..)
WORK = ROOT / "var" / "image-test"
BASE = os.environ.get("IMAGE_TEST_BASE", "localhost/debian:bookworm-slim")
IMAGE = os.environ.get("IMAGE_TEST_IMAGE", "localhost/livechat:image-test")
MIRROR = os.environ.get("IMAGE_TEST_MIRROR", "http://deb.debian.org/debian")
PG = os.environ.get("IMAGE_TEST_PG", "postgres://postgres@127.0.0.1:5432")
DATABASE = os.environ.get("IMAGE_TEST_DB", "lc_image")
REDIS_URL = os.environ.get("IMAGE_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
PREFIX = os.environ.get("IMAGE_TEST_PREFIX", "image")
RUN_ID = uuid.uuid4().hex[:6]
CA_BUNDLE = Path("/etc/ssl/certs/ca-certificates.crt")
WAIT = 120  # seconds, at most, for any one thing to happen

figures: dict[str, str] = {}
started: list[str] = []  # containers this run started (removed at the end)
played: list[Path] = []  # kube files this run played (torn down at the end)


class Failure(Exception):
    pass


def step(text: str) -> None:
    print(f"== {text}", flush=True)


def podman(*args: str, check: bool = True, capture: bool = True, timeout: float = 1800):
    """podman with runc and a containers.conf without default ulimits (this machine's
    kernel refuses podman's defaults)."""
    env = {**os.environ, "CONTAINERS_CONF": str(WORK / "containers.conf")}
    result = subprocess.run(
        ["podman", "--runtime", shutil.which("runc") or "/usr/sbin/runc", *args],
        env=env,
        text=True,
        stdout=subprocess.PIPE if capture else None,
        stderr=subprocess.STDOUT if capture else None,
        timeout=timeout,
    )
    if check and result.returncode != 0:
        raise Failure(f"podman {' '.join(args[:3])} failed:\n{(result.stdout or '')[-3000:]}")
    return result


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(condition, what: str, timeout: float = WAIT):
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise Failure(f"not within {timeout:.0f} s: {what}")
        time.sleep(0.25)
