"""On the production stack: a real `celery -A config worker` on Redis delivers an export
queued by Send to CRM to a real HTTP receiver."""

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.conf import settings
from django.db import connection

from crm import services
from crm.models import Export

ROOT = Path(__file__).resolve().parents[2]

pytestmark = [
    pytest.mark.production_stack,
    pytest.mark.skipif(
        not os.environ.get("REDIS_URL")
        or not os.environ.get("DATABASE_URL", "").startswith(("postgres", "postgresql")),
        reason="needs REDIS_URL and a PostgreSQL DATABASE_URL",
    ),
]


@pytest.fixture
def worker_queue(eager_celery):
    """A queue of this test's own, served by a worker subprocess on the test database."""
    from config.celery import app

    queue = f"crm-test-{uuid.uuid4().hex[:10]}"
    app.conf.task_always_eager = False
    before = app.conf.task_default_queue
    app.conf.task_default_queue = queue
    url = urlsplit(os.environ["DATABASE_URL"])
    env = dict(
        os.environ,
        DATABASE_URL=urlunsplit(url._replace(path="/" + connection.settings_dict["NAME"])),
        CELERY_TASK_DEFAULT_QUEUE=queue,
        CRM_RETRY_BASE_SECONDS="0.2",
    )
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "config", "worker", "-Q", queue,
         "--pool", "solo", "--loglevel", "warning",
         "--without-gossip", "--without-mingle", "--without-heartbeat"],
        cwd=ROOT, env=env,
    )  # fmt: skip
    yield queue
    worker.terminate()
    try:
        worker.wait(timeout=15)
    except subprocess.TimeoutExpired:
        worker.kill()
    app.conf.task_default_queue = before


@pytest.mark.django_db(transaction=True)
def test_a_real_worker_delivers_the_export(
    worker_queue, alice, dialog, make_integration, httpserver
):
    httpserver.expect_oneshot_request("/hook").respond_with_data("busy", status=503)
    httpserver.expect_oneshot_request("/hook").respond_with_json({"id": "from-worker"})
    integration = make_integration(
        "webhook", settings={"url": httpserver.url_for("/hook"), "secret": "s"}
    )
    assert settings.CELERY_TASK_ALWAYS_EAGER is False

    [export] = services.queue_dialog_export(operator=alice, dialog_id=dialog.id)

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        export.refresh_from_db()
        if export.status != Export.Status.QUEUED:
            break
        time.sleep(0.2)
    assert export.status == Export.Status.SENT, export.last_error
    assert (export.attempts, export.remote_id) == (2, "from-worker")  # one retry on the 503
    assert len(httpserver.log) == 2
    keys = {request.headers["Idempotency-Key"] for request, _ in httpserver.log}
    assert keys == {str(export.idempotency_key)}
    assert integration.exports.count() == 1
