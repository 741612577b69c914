"""Web Push fixtures: VAPID keys from the project's own command, a subscriber (a browser's
P-256 key pair and auth secret) whose endpoint is a local HTTP server, Celery in-process."""

import base64
import io
import json
import os
from dataclasses import dataclass

import http_ece
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from django.core.management import call_command
from push_helpers import SUBJECT

from push.models import PushSubscription


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


@pytest.fixture(autouse=True)
def eager_celery(celery_in_process):
    """Tasks run in the test process (tests/conftest.py)."""


@pytest.fixture
def vapid(settings):
    """Keys printed by `manage.py generate_vapid_keys`, configured as the environment would."""
    out = io.StringIO()
    call_command("generate_vapid_keys", stdout=out)
    lines = dict(line.split("=", 1) for line in out.getvalue().split())
    settings.WEBPUSH_VAPID_PUBLIC_KEY = lines["WEBPUSH_VAPID_PUBLIC_KEY"]
    settings.WEBPUSH_VAPID_PRIVATE_KEY = lines["WEBPUSH_VAPID_PRIVATE_KEY"]
    settings.WEBPUSH_VAPID_SUBJECT = SUBJECT
    return lines["WEBPUSH_VAPID_PUBLIC_KEY"]


@dataclass
class Device:
    """A browser's side of a subscription: it can decrypt what it is sent."""

    subscription: PushSubscription
    private_key: ec.EllipticCurvePrivateKey
    auth: bytes
    path: str

    def decrypt(self, body: bytes) -> dict:
        plain = http_ece.decrypt(
            body, private_key=self.private_key, auth_secret=self.auth, version="aes128gcm"
        )
        return json.loads(plain)


@pytest.fixture
def make_device(httpserver):
    def make(operator, name: str = "") -> Device:
        private_key = ec.generate_private_key(ec.SECP256R1())
        public = private_key.public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )
        auth = os.urandom(16)
        path = f"/push/{name or operator.id}-{b64url(os.urandom(6))}"
        subscription = PushSubscription.objects.create(
            operator=operator,
            endpoint=httpserver.url_for(path),
            p256dh=b64url(public),
            auth=b64url(auth),
            user_agent="Test browser",
        )
        return Device(subscription, private_key, auth, path)

    return make
