"""On the production stack, with real processes: `celery -A config worker` (prefork) and
`celery -A config beat` on Redis, against the PostgreSQL test database and a local
Bitrix24 (tests/crm/fake_crm.py) that makes a new lead on every create call.

- Two workers, beat requeueing every second, and the copies of each task a worker that
  was down would find piled up: no export is ever sent by two senders at once, and each
  ends with exactly one lead and one contact.
- A worker process killed (SIGKILL) while the CRM is saving the lead: acks-late
  redelivers the task, and the lead is found, not made again."""

import os
import signal
import sys
import time
import uuid
from datetime import timedelta

import psutil
import pytest
from django.utils import timezone

from crm.models import Export
from crm.tasks import deliver_export
from tests.crm import fake_crm
from tests.crm.fake_crm import DELIVERY_TABLE, connect
from tests.live_stack import Stack, database_url_of_test_db

pytestmark = [
    pytest.mark.production_stack,
    pytest.mark.skipif(
        not os.environ.get("REDIS_URL")
        or not os.environ.get("DATABASE_URL", "").startswith(("postgres", "postgresql")),
        reason="needs REDIS_URL and a PostgreSQL DATABASE_URL",
    ),
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def celery_stack(eager_celery, tmp_path):
    """start(name, *args, **env): celery processes serving a queue of this test's own."""
    from config.celery import app

    queue = f"crm-test-{uuid.uuid4().hex[:10]}"
    app.conf.task_always_eager = False
    before = app.conf.task_default_queue
    app.conf.task_default_queue = queue
    stack = Stack()
    base_env = dict(
        os.environ,
        DATABASE_URL=database_url_of_test_db(),
        CELERY_TASK_DEFAULT_QUEUE=queue,
        CELERY_BEAT_SCHEDULE_FILENAME=str(tmp_path / "beat-schedule"),
    )

    def start(name, *args, **env):
        command = [sys.executable, "-m", "celery", "-A", "config", *args, "--loglevel", "info"]
        if args[0] == "worker":
            command += ["-Q", queue, "-n", f"{name}@%h",
                        "--without-gossip", "--without-mingle", "--without-heartbeat"]  # fmt: skip
        return stack.start(f"crm-{name}", command, env={**base_env, **env})

    yield start
    stack.stop()
    app.conf.task_default_queue = before


def wait_until(condition, timeout=120, what="the condition"):
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.2)


def test_two_workers_and_beat_never_send_one_export_twice_at_once(
    celery_stack, bitrix24, make_integration, make_lead, dialog
):
    exports_env = {
        "CRM_REQUEUE_CHECK_SECONDS": "1",  # beat every second
        "CRM_REQUEUE_MARGIN_SECONDS": "0",
        "CRM_RETRY_CAP_SECONDS": "2",  # ... and each export queued again every 2 s
        "CRM_RETRY_BASE_SECONDS": "0.5",
        "CRM_HTTP_TIMEOUT_SECONDS": "5",
    }
    bitrix24.delay = 0.15  # each call takes a while: a second sender would overlap
    integration = connect(make_integration, bitrix24)
    long_ago = timezone.now() - timedelta(hours=1)
    exports = []
    for n in range(6):
        lead = make_lead(email=f"visitor{n}@example.com", phone=f"+7999000{n:04d}")
        exports.append(
            Export.objects.create(integration=integration, lead=lead, updated_at=long_ago)
        )
    # A chat's lead and the chat itself: one CRM lead between them.
    in_chat = make_lead(dialog=dialog, email="olga@example.com", phone="+79990001122")
    exports.append(
        Export.objects.create(
            integration=integration, lead=in_chat, dialog=dialog, updated_at=long_ago
        )
    )
    exports.append(
        Export.objects.create(integration=integration, dialog=dialog, updated_at=long_ago)
    )
    # Some creates fail after saving, so their exports are retried while beat runs.
    bitrix24.fail("crm.lead.add", fake_crm.ERROR_AFTER_SAVE, None, fake_crm.ERROR_AFTER_SAVE)
    # The copies a worker that was down finds waiting: three per export; the last two
    # exports have none at all (their task was lost): only beat can send them.
    for export in exports[:6]:
        for _copy in range(3):
            deliver_export.delay(export.id)

    for name in ("w1", "w2"):
        celery_stack(name, "worker", "--pool", "prefork", "--concurrency", "2", **exports_env)
    celery_stack("beat", "beat", **exports_env)

    def all_sent():
        return not Export.objects.exclude(status=Export.Status.SENT).exists()

    wait_until(all_sent, what="every export sent")
    for export in exports[:6]:
        export.refresh_from_db()
        key = str(export.idempotency_key)
        assert bitrix24.max_overlap[key] == 1, f"export {export.pk} was sent by two at once"
        assert len(bitrix24.leads_of(key)) == 1, export.pk
    chat_lead, chat = exports[6:]
    chat_lead.refresh_from_db()
    chat.refresh_from_db()
    key = str(chat_lead.idempotency_key)
    assert bitrix24.max_overlap[key] == 1
    assert len(bitrix24.leads_of(key)) == 1
    assert chat.remote_id == chat_lead.remote_id
    assert len(bitrix24.leads) == 7
    DELIVERY_TABLE.append(
        (f"two workers + beat, {len(exports)} exports (2 of one chat), 3 piled-up copies "
         "of 6 of them, 2 creates answered 500 after saving", "Bitrix24",
         f"{len(bitrix24.leads)} (1 per export, 1 for the chat)", len(bitrix24.contacts),
         sum(e.attempts for e in exports), len(bitrix24.calls), "all sent")
    )  # fmt: skip
    assert len(bitrix24.contacts) == 7


@pytest.mark.parametrize("kind", ["bitrix24", "amocrm"])
def test_a_worker_killed_while_the_crm_saves_sends_no_second_lead(
    kind, request, celery_stack, make_integration, make_lead, dialog
):
    crm = request.getfixturevalue(kind)
    create = "crm.lead.add" if kind == "bitrix24" else "POST /api/v4/leads/complex"
    lookup = "crm.lead.list" if kind == "bitrix24" else "GET /api/v4/leads"
    crm.fail(create, fake_crm.HOLD_AFTER_SAVE)
    integration = connect(make_integration, crm)
    export = Export.objects.create(
        integration=integration, lead=make_lead(dialog=dialog), dialog=dialog
    )
    worker = celery_stack(
        "worker", "worker", "--pool", "prefork", "--concurrency", "1",
        CRM_LEASE_SECONDS="6", CRM_HTTP_TIMEOUT_SECONDS="2", CRM_RETRY_BASE_SECONDS="0.5",
    )  # fmt: skip
    deliver_export.delay(export.id)

    assert crm.held.wait(60), "the worker never reached the create call"
    children = psutil.Process(worker.pid).children()
    assert children, "no pool process"
    for child in children:
        os.kill(child.pid, signal.SIGKILL)  # mid-request: the lead is saved, no answer yet
    crm.release.set()

    def sent():
        export.refresh_from_db()
        return export.status != Export.Status.QUEUED

    wait_until(sent, what="the export delivered after the kill")
    key = str(export.idempotency_key)
    DELIVERY_TABLE.append(
        ("worker SIGKILLed while the CRM saves (acks_late redelivery)", crm.name,
         len(crm.leads_of(key)), len(crm.contacts), export.attempts, len(crm.calls),
         export.status)
    )  # fmt: skip
    assert export.status == Export.Status.SENT, export.last_error
    assert len(crm.leads_of(key)) == 1
    assert len(crm.contacts) == 1
    assert len(crm.calls_of(create)) == 1
    assert len(crm.calls_of(lookup)) == 2  # before the create, and after the kill
