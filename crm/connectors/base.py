"""What every connector is: the internal payload (crm/payloads.py) in, one HTTP request out,
and the CRM's answer read back into the id of what it created."""

import json
from typing import NamedTuple

from django.utils.translation import gettext_lazy as _


class ConnectorError(Exception):
    """The CRM answered, but not with success: not retried."""


class ConfigError(ConnectorError):
    """The integration's settings lack something: nothing is sent."""


class HttpRequest(NamedTuple):
    method: str
    url: str
    headers: dict
    json: object
    # A requests auth object for credentials that may need renewing (amoCRM OAuth).
    auth: object = None


def encode_body(body) -> bytes:
    """The exact bytes sent (and signed): compact JSON, UTF-8."""
    return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()


class Connector:
    kind = ""
    # Settings keys -> what they hold; shown as help text in the admin and checked here.
    settings_help: dict = {}

    def __init__(self, settings: dict | None, *, integration_id: int | None = None):
        self.settings = settings if isinstance(settings, dict) else {}
        self.integration_id = integration_id  # where renewed credentials are stored

    def setting(self, key: str) -> str:
        value = self.settings.get(key)
        if not isinstance(value, str) or not value.strip():
            raise ConfigError(_('The integration has no "%(key)s" setting.') % {"key": key})
        return value.strip()

    def build_request(self, payload: dict) -> HttpRequest:
        raise NotImplementedError

    def parse_response(self, response) -> str:
        """The id of the created object, or ConnectorError with the CRM's reason."""
        raise NotImplementedError

    def error_of(self, response) -> str:
        """A short human reason for a response that is not a success."""
        try:
            data = response.json()
        except ValueError:
            data = None
        if isinstance(data, dict):
            for key in ("error_description", "detail", "title", "error", "message"):
                if isinstance(data.get(key), str) and data[key]:
                    return f"HTTP {response.status_code}: {data[key]}"[:300]
        return f"HTTP {response.status_code} {response.reason or ''}".strip()
