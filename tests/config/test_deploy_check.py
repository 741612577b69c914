"""The documented production environment (docs/operations.md, "HTTPS") passes Django's
deployment check with no warning, and the local defaults stay usable over plain HTTP."""

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION_ENV = {
    "DEBUG": "0",
    "SECRET_KEY": secrets.token_urlsafe(60),
    "ALLOWED_HOSTS": "chat.example.com",
    "CSRF_TRUSTED_ORIGINS": "https://chat.example.com",
    "BEHIND_TLS_PROXY": "1",
}
# Variables of this module's interest that a shell or an earlier test may have set.
CLEARED = (
    "HTTPS",
    "SESSION_COOKIE_SECURE",
    "CSRF_COOKIE_SECURE",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD",
    "SECURE_SSL_REDIRECT",
    "TLS_PROXY_REDIRECTS",
    # Playwright's tests set it for their own process; a deployment never does.
    "DJANGO_ALLOW_ASYNC_UNSAFE",
)


def run_manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items() if k not in CLEARED and k != "DEBUG"}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


HTTPS_SETTINGS = (
    "SESSION_COOKIE_SECURE",
    "CSRF_COOKIE_SECURE",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD",
    "SECURE_SSL_REDIRECT",
)


def https_settings(**env: str) -> dict:
    """The HTTPS settings a server process started with this environment runs with."""
    code = (
        "import json; from django.conf import settings; "
        f"print(json.dumps({{n: getattr(settings, n) for n in {HTTPS_SETTINGS!r}}}))"
    )
    result = run_manage("shell", "--no-imports", "-c", code, **env)
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize(
    "extra",
    [{}, {"TLS_PROXY_REDIRECTS": "1"}],
    ids=["django-redirects", "proxy-redirects"],
)
def test_production_environment_passes_the_deploy_check_without_warnings(extra):
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION_ENV, **extra)
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_production_cookies_are_secure_and_hsts_is_sent():
    assert https_settings(**PRODUCTION_ENV) == {
        "SESSION_COOKIE_SECURE": True,
        "CSRF_COOKIE_SECURE": True,
        "SECURE_HSTS_SECONDS": 31_536_000,
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": True,
        "SECURE_HSTS_PRELOAD": True,
        "SECURE_SSL_REDIRECT": True,
    }
    assert https_settings(**PRODUCTION_ENV, TLS_PROXY_REDIRECTS="1")["SECURE_SSL_REDIRECT"] is False


def test_each_https_setting_can_be_set_on_its_own():
    tuned = https_settings(**PRODUCTION_ENV, SECURE_HSTS_SECONDS="600", SECURE_HSTS_PRELOAD="0")
    assert (tuned["SECURE_HSTS_SECONDS"], tuned["SECURE_HSTS_PRELOAD"]) == (600, False)
    assert tuned["SESSION_COOKIE_SECURE"] is True
    plain = https_settings(**PRODUCTION_ENV, HTTPS="0")
    assert plain["SESSION_COOKIE_SECURE"] is False
    assert plain["SECURE_SSL_REDIRECT"] is False


def test_make_run_on_localhost_keeps_plain_http_cookies():
    """The embedded default answers http://127.0.0.1: a Secure cookie or a redirect to
    https:// would make the console impossible to log in to."""
    assert not any(https_settings().values())


def test_health_check_is_not_redirected(settings, client):
    """Load balancers probe /healthz over plain HTTP."""
    settings.SECURE_SSL_REDIRECT = True
    assert client.get("/console/").status_code == 301
    assert client.get("/healthz").status_code in (200, 503)
