"""3. The roles from the image: a database of its own, migrate, web, worker and beat."""

import json
import urllib.error
import urllib.request
from pathlib import Path

import psycopg

from image_checks.common import (
    DATABASE,
    IMAGE,
    PG,
    PREFIX,
    REDIS_URL,
    RUN_ID,
    Failure,
    podman,
    started,
)

# --- 3. the roles ------------------------------------------------------------------------


def fresh_database() -> str:
    with psycopg.connect(f"{PG}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{DATABASE}"')
    return f"{PG}/{DATABASE}"


def role_env(database_url: str, secrets_dir: Path) -> dict[str, str]:
    return {
        "DATABASE_URL": database_url,
        "REDIS_URL": REDIS_URL,
        "CHANNEL_PREFIX": PREFIX,
        "CELERY_TASK_DEFAULT_QUEUE": PREFIX,
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECRETS_DIR": "/run/secrets/livechat",  # SECRET_KEY from a mounted file
        "DB_POOL_MIN": "1",
        "CHAT_OFFER_CHECK_SECONDS": "2",  # beat sends it often: the worker's proof
        "CELERY_LOG_LEVEL": "info",
        "LOG_LEVEL": "WARNING",
        "_SECRETS_HOST_DIR": str(secrets_dir),
    }


def run_args(env: dict[str, str], name: str | None = None, extra=None) -> list[str]:
    args = ["--network", "host", "-v", f"{env['_SECRETS_HOST_DIR']}:/run/secrets/livechat:ro,Z"]
    for key, value in env.items():
        if not key.startswith("_"):
            args += ["-e", f"{key}={value}"]
    for key, value in (extra or {}).items():
        args += ["-e", f"{key}={value}"]
    if name:
        args += ["--name", name]
    return args


def once(env, role: str, *more: str) -> str:
    """A one-off container (--rm): migrate, manage ...; its output."""
    return podman("run", "--rm", *run_args(env), IMAGE, role, *more, timeout=600).stdout


def start(env, role: str, *, port: int | None = None) -> str:
    name = f"lcimage-{role}-{port or ''}-{RUN_ID}".replace("--", "-")
    started.append(name)
    podman("run", "-d", *run_args(env, name, {"PORT": str(port)} if port else None), IMAGE, role)
    return name


def healthz(port: int, host: str = "127.0.0.1") -> tuple[int, dict]:
    request = urllib.request.Request(f"http://127.0.0.1:{port}/healthz", headers={"Host": host})
    try:
        response = urllib.request.urlopen(request, timeout=5)
    except urllib.error.HTTPError as error:
        response = error
    except OSError:
        return 0, {}
    return response.status, json.loads(response.read() or b"{}")


def logs(name: str) -> str:
    return podman("logs", name, check=False).stdout or ""


def running(name: str) -> bool:
    state = podman("inspect", name, "--format", "{{.State.Running}}", check=False).stdout
    return state.strip() == "true"


SETUP = """
import json
from django.contrib.auth import get_user_model
from api.tokens import create_token
from chat.models import Site
from operators.models import Account, Operator
account = Account.objects.create(name="Image test")
site = Site.objects.create(account=account, name="image.example")
user = get_user_model().objects.create(username="image-operator")
operator = Operator.objects.create(user=user, account=account, display_name="Ima")
site.operators.add(operator)
_token, raw = create_token(operator=operator, name="image test")
print("SETUP " + json.dumps({"widget_key": site.widget_key, "token": raw}))
"""


def setup_data(env) -> dict:
    output = once(env, "manage", "shell", "-c", SETUP)
    line = next((x for x in output.splitlines() if x.startswith("SETUP ")), None)
    if line is None:
        raise Failure(f"manage.py shell gave no setup line:\n{output[-2000:]}")
    return json.loads(line[6:])
