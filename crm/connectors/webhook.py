"""The signed webhook: the payload as JSON, signed the Standard Webhooks way
(https://www.standardwebhooks.com/, docs/crm.md) so any of its libraries verifies it, with
one signature per secret while a secret is being rotated. The older X-Livechat-Signature
is sent beside it for a deprecation period."""

import hashlib
import hmac
import time

from django.utils.translation import gettext_lazy as _

from chat.outbound import signing
from crm import integration_settings
from crm.connectors.base import Connector, HttpRequest, encode_body

ID_HEADER = signing.ID_HEADER
STANDARD_TIMESTAMP_HEADER = signing.TIMESTAMP_HEADER
STANDARD_SIGNATURE_HEADER = signing.SIGNATURE_HEADER
# Deprecated (docs/crm.md): one hex signature keyed with the secret's text, no rotation.
TIMESTAMP_HEADER = "X-Livechat-Timestamp"
SIGNATURE_HEADER = "X-Livechat-Signature"


def standard_signature(secret: str, msg_id: str, timestamp: str, body: bytes) -> str:
    """v1,<base64 HMAC-SHA256 of "<id>.<timestamp>.<raw body>"> (chat.outbound.signing),
    keyed with the secret's bytes (a whsec_ secret base64-decoded, any other its UTF-8)."""
    integration_settings.webhook_signing_key(secret)  # a bad whsec_ secret: ConfigError
    return signing.standard_signature(secret, msg_id, timestamp, body)


def signatures(secrets, msg_id: str, timestamp: str, body: bytes) -> str:
    """The webhook-signature value: one entry per secret, space-separated."""
    return " ".join(standard_signature(secret, msg_id, timestamp, body) for secret in secrets)


def signature(secret: str, timestamp: str, body: bytes) -> str:
    """Deprecated X-Livechat-Signature: sha256=<hex HMAC-SHA256 of "<timestamp>.<body>">."""
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


class WebhookConnector(Connector):
    """POSTs the payload as JSON to any URL, signed with the shared secret(s)."""

    kind = "webhook"
    settings_help = {
        "url": _("where the JSON is POSTed (https; http only to localhost)"),
        "secret": _(
            "the signing secret: whsec_ and base64 of 24 to 64 random bytes (Standard "
            "Webhooks), or a text of 16 characters or more"
        ),
        "previous_secret": _(
            "optional, while rotating: the old secret, which signs each delivery too"
        ),
        "legacy_signature": _(
            "false stops the deprecated X-Livechat-Signature header (sent by default)"
        ),
    }

    def build_request(self, payload: dict) -> HttpRequest:
        url = integration_settings.secure_url(self.setting("url"), what=_("The webhook URL"))
        secret = self.setting("secret")
        secrets = [secret]
        previous = self.settings.get("previous_secret")
        if isinstance(previous, str) and previous.strip() and previous.strip() != secret:
            secrets.append(previous.strip())
        timestamp = str(int(time.time()))
        body = encode_body(payload)
        msg_id = payload["id"]  # the export's key: the same on every attempt
        headers = {
            "Content-Type": "application/json",
            ID_HEADER: msg_id,
            STANDARD_TIMESTAMP_HEADER: timestamp,
            STANDARD_SIGNATURE_HEADER: signatures(secrets, msg_id, timestamp, body),
            "Idempotency-Key": msg_id,
        }
        if self.settings.get("legacy_signature", True) is not False:
            headers[TIMESTAMP_HEADER] = timestamp
            headers[SIGNATURE_HEADER] = signature(secret, timestamp, body)
        return HttpRequest("POST", url, headers, payload)

    def parse_response(self, response) -> str:
        # Any 2xx is delivery; a receiver may answer {"id": ...} to be shown as the remote id.
        try:
            data = response.json()
        except ValueError:
            return ""
        remote_id = data.get("id") if isinstance(data, dict) else None
        return str(remote_id)[:100] if isinstance(remote_id, str | int) else ""
