"""GET /healthz: which part the chat needs is down, fast, without login or personal data."""

import json
import socket

import pytest
from celery import current_app
from django.test import AsyncClient


def dead_port() -> int:
    """A port nothing listens on (bound, then released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.mark.django_db(transaction=True)
async def test_healthy_stack_answers_200_without_login(channel_layer):
    response = await AsyncClient().get("/healthz")
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    body = json.loads(response.content)
    assert body["status"] == "ok"
    assert set(body["checks"]) == {"database", "channel_layer", "broker"}
    assert all(check["ok"] for check in body["checks"].values()), body


@pytest.mark.django_db(transaction=True)
async def test_eager_celery_reports_its_mode(settings, channel_layer):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    body = json.loads((await AsyncClient().get("/healthz")).content)
    assert body["checks"]["broker"] == {
        "ok": True,
        "mode": "eager",
        "ms": body["checks"]["broker"]["ms"],
    }


@pytest.mark.django_db(transaction=True)
async def test_dead_redis_is_named(settings, monkeypatch):
    """Channel layer and broker on a Redis that is not there: 503, both named, the
    database still ok."""
    dead = f"redis://127.0.0.1:{dead_port()}/0"
    settings.CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
            "CONFIG": {"hosts": [{"address": dead}]},
        }
    }
    settings.CELERY_TASK_ALWAYS_EAGER = False
    monkeypatch.setitem(current_app.conf, "broker_url", dead)

    response = await AsyncClient().get("/healthz")

    assert response.status_code == 503
    body = json.loads(response.content)
    assert body["status"] == "fail"
    checks = body["checks"]
    assert checks["database"]["ok"] is True
    assert checks["channel_layer"]["ok"] is False
    assert checks["broker"]["ok"] is False
    for name in ("channel_layer", "broker"):
        assert checks[name]["error"]  # a short reason: an exception's class or the timeout
        assert "127.0.0.1" not in checks[name]["error"]  # no host or port on a public page
