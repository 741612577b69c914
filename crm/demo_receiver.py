"""A stand-in CRM for the embedded setup: it accepts the signed webhook the way a real
receiver should (Standard Webhooks signature, timestamp window, idempotency key) and keeps
the last exports in a JSON file for /console/crm/demo-receiver/."""

import contextlib
import fcntl
import hmac
import json
import os
import time
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from chat.console.history import visible_dialogs
from crm.connectors.webhook import (
    ID_HEADER,
    STANDARD_SIGNATURE_HEADER,
    STANDARD_TIMESTAMP_HEADER,
    standard_signature,
)
from leads.selectors import visible_leads

KEEP = 50
MAX_BODY_BYTES = 1024 * 1024
TIMESTAMP_TOLERANCE_SECONDS = 300


class Refused(Exception):
    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status


def verify(headers, body: bytes, secret: str, *, now: float | None = None) -> None:
    """What any receiver of our webhook should check (docs/crm.md has the same in prose):
    the three Standard Webhooks headers, the timestamp window, and one of the space-separated
    signatures made with our secret (during a rotation the sender adds one per secret)."""
    msg_id = headers.get(ID_HEADER, "")
    timestamp = headers.get(STANDARD_TIMESTAMP_HEADER, "")
    if not msg_id or not timestamp.isdigit() or not headers.get(STANDARD_SIGNATURE_HEADER):
        raise Refused(400, "missing webhook-id, webhook-timestamp or webhook-signature")
    if abs((now or time.time()) - int(timestamp)) > TIMESTAMP_TOLERANCE_SECONDS:
        raise Refused(401, "timestamp too old or in the future")
    expected = standard_signature(secret, msg_id, timestamp, body).encode()
    passed = headers.get(STANDARD_SIGNATURE_HEADER, "").split(" ")
    if not any(hmac.compare_digest(expected, entry.encode()) for entry in passed):
        raise Refused(401, "bad signature")


@contextlib.contextmanager
def _locked_records():
    path = Path(settings.CRM_DEMO_RECEIVER_FILE)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(str(path) + ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            records = json.loads(path.read_text()) if path.exists() else []
        except ValueError:
            records = []
        box = {"records": records, "changed": False}
        yield box
        if box["changed"]:
            tmp = path.with_suffix(".tmp")
            tmp.write_text(json.dumps(box["records"][:KEEP], ensure_ascii=False))
            os.replace(tmp, path)


def receive(headers, body: bytes) -> dict:
    if len(body) > MAX_BODY_BYTES:
        raise Refused(413, "too large")
    verify(headers, body, settings.CRM_DEMO_RECEIVER_SECRET)
    try:
        data = json.loads(body)
    except ValueError as error:
        raise Refused(400, "not JSON") from error
    key = headers.get(ID_HEADER, "")
    with _locked_records() as box:
        for record in box["records"]:
            if key and record["key"] == key:  # a retried delivery: nothing new is created
                record["duplicates"] += 1
                box["changed"] = True
                return record
        record = {
            "id": f"demo-{key[:8] or len(box['records']) + 1}",
            "key": key,
            "received_at": timezone.now().isoformat(),
            "event": data.get("event", "") if isinstance(data, dict) else "",
            "duplicates": 0,
            "body": data,
        }
        box["records"].insert(0, record)
        box["changed"] = True
        return record


def received() -> list[dict]:
    with _locked_records() as box:
        return box["records"]


def _named_id(body, key: str):
    item = body.get(key) if isinstance(body, dict) else None
    value = item.get("id") if isinstance(item, dict) else None
    return value if isinstance(value, int) else None


def visible_records(operator, records: list[dict]) -> list[dict]:
    """The records this operator may read: one naming a dialog or a lead only if he may see
    that dialog (chat.console.history's rules) and that lead (his sites). The receiver is shared by
    every account of the installation, so a record of another account is never shown.
    Two queries, whatever the number of records."""
    dialog_ids = {_named_id(r["body"], "dialog") for r in records} - {None}
    lead_ids = {_named_id(r["body"], "lead") for r in records} - {None}
    seen_dialogs = set(
        visible_dialogs(operator).filter(id__in=dialog_ids).values_list("id", flat=True)
    )
    seen_leads = set(visible_leads(operator).filter(id__in=lead_ids).values_list("id", flat=True))
    return [
        record
        for record in records
        if _named_id(record["body"], "dialog") in seen_dialogs | {None}
        and _named_id(record["body"], "lead") in seen_leads | {None}
    ]
