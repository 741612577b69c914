import hashlib
import hmac
import time

from django.utils.translation import gettext_lazy as _

from crm.connectors.base import Connector, ConnectorError, HttpRequest, encode_body

TIMESTAMP_HEADER = "X-Livechat-Timestamp"
SIGNATURE_HEADER = "X-Livechat-Signature"


def signature(secret: str, timestamp: str, body: bytes) -> str:
    """sha256=<hex HMAC-SHA256 of "<timestamp>.<raw body>"> (docs/crm.md)."""
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


class WebhookConnector(Connector):
    """POSTs the payload as JSON to any URL, signed with the shared secret."""

    kind = "webhook"
    settings_help = {
        "url": _("where the JSON is POSTed (http or https)"),
        "secret": _("shared secret of the HMAC-SHA256 signature"),
    }

    def build_request(self, payload: dict) -> HttpRequest:
        url, secret = self.setting("url"), self.setting("secret")
        if not url.startswith(("http://", "https://")):
            raise ConnectorError(_("The webhook URL must start with http:// or https://."))
        timestamp = str(int(time.time()))
        headers = {
            "Content-Type": "application/json",
            TIMESTAMP_HEADER: timestamp,
            SIGNATURE_HEADER: signature(secret, timestamp, encode_body(payload)),
            "Idempotency-Key": payload["id"],
        }
        return HttpRequest("POST", url, headers, payload)

    def parse_response(self, response) -> str:
        # Any 2xx is delivery; a receiver may answer {"id": ...} to be shown as the remote id.
        try:
            data = response.json()
        except ValueError:
            return ""
        remote_id = data.get("id") if isinstance(data, dict) else None
        return str(remote_id)[:100] if isinstance(remote_id, str | int) else ""
