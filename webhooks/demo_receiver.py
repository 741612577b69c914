"""A stand-in receiver for `make run` (WEBHOOKS_DEMO_RECEIVER): POST
/webhooks/demo-receiver/<endpoint id>/ checks the signature with that endpoint's secret the
way docs/webhooks.md tells a receiver to, drops repeats by webhook-id, and keeps the last
events in the cache; the endpoint's console page shows them."""

import json
import time

from django.core.cache import cache

from chat.outbound import signing
from webhooks.models import Endpoint

KEEP = 20
MAX_BODY_BYTES = 256 * 1024


def _key(endpoint_id: int) -> str:
    return f"webhooks:demo-receiver:{endpoint_id}"


def receive(endpoint_id: int, headers, body: bytes) -> int:
    """The HTTP status to answer: 200 kept (or a repeat), 401 a bad signature, 404, 413."""
    secret = Endpoint.objects.filter(pk=endpoint_id).values_list("secret", flat=True).first()
    if secret is None:
        return 404
    if len(body) > MAX_BODY_BYTES:
        return 413
    if not signing.verify(headers, body, secret, now=time.time()):
        return 401
    records = cache.get(_key(endpoint_id)) or []
    msg_id = headers.get(signing.ID_HEADER, "")
    if any(record["id"] == msg_id for record in records):
        return 200  # a retried delivery: kept once
    try:
        data = json.loads(body)
    except ValueError:
        return 400
    event = data.get("event", "") if isinstance(data, dict) else ""
    record = {"id": msg_id, "event": event, "body": json.dumps(data, indent=2, ensure_ascii=False)}
    cache.set(_key(endpoint_id), [record, *records][:KEEP], 24 * 3600)
    return 200


def received(endpoint_id: int) -> list[dict]:
    return cache.get(_key(endpoint_id)) or []
