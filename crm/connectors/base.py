"""What every connector is: the internal payload (crm/payloads.py) in, the CRM's id of what
it created or updated out. A simple connector makes one HTTP request (build_request and
parse_response); a CRM connector overrides deliver() and makes several through Http, which
sorts every answer into success, a temporary failure (TemporaryError: retried) or a
permanent one (ConnectorError: failed at once)."""

import time
from dataclasses import dataclass, field
from typing import NamedTuple
from urllib.parse import urlsplit

import requests
from django.utils.translation import gettext as _

from chat.outbound.retry import is_temporary, retry_after_seconds
from chat.outbound.signing import encode_body

EXCERPT_LENGTH = 500
ERROR_LENGTH = 600


class ConnectorError(Exception):
    """The CRM answered, but not with success, and trying again would not help."""


class ConfigError(ConnectorError):
    """The integration's settings lack something: nothing is sent."""


class TemporaryError(Exception):
    """No answer, or one that may change: a network error, a timeout, 408, 429, 5xx.
    retry_after: the seconds the CRM asked to wait (Retry-After), if it did."""

    def __init__(self, message: str, *, retry_after: float | None = None):
        super().__init__(message)
        self.retry_after = retry_after


class HttpRequest(NamedTuple):
    method: str
    url: str
    headers: dict
    json: object
    # A requests auth object for credentials that may need renewing (amoCRM OAuth).
    auth: object = None


@dataclass
class Progress:
    """What one export has reached in the CRM, kept across attempts (crm/delivery.py).
    key: the CRM-side idempotency key (ORIGIN_ID, the amoCRM key field) of the lead this
    export creates or updates; own_key: whether that lead is this export's own."""

    key: str
    own_key: bool = True
    remote_id: str = ""
    remote_contact_id: str = ""
    setup: dict = field(default_factory=dict)  # Integration.remote_setup, updated in place


class Http:
    """requests for one attempt: every call has the timeout, none starts that could end
    after the attempt's deadline (the export's lease), and the last answer is kept for the
    export log."""

    def __init__(self, connector, *, timeout: float, deadline: float):
        self.connector = connector
        self.timeout = timeout
        self.deadline = deadline  # time.monotonic()
        self.session = requests.Session()
        self.calls = 0
        self.last_status: int | None = None
        self.last_excerpt = ""

    def send(self, request: HttpRequest, *, params=None, body: bytes | None = None):
        # An auth that renews credentials may make more requests than this one (amoCRM
        # OAuth: a refresh, the request, a refresh after a 401, the re-send), each with
        # the timeout: all of them must end within the lease.
        requests_at_most = getattr(request.auth, "requests_at_most", 1)
        if time.monotonic() + self.timeout * requests_at_most > self.deadline:
            raise TemporaryError(_("The attempt ran out of time; it goes on later."))
        if body is None and request.json is not None:
            body = encode_body(request.json)
        self.calls += 1
        self.last_status, self.last_excerpt = None, ""
        try:
            response = self.session.request(
                request.method,
                request.url,
                headers=request.headers,
                params=params,
                data=body,
                auth=request.auth,
                timeout=self.timeout,
                allow_redirects=False,
            )
        except requests.RequestException as error:
            raise TemporaryError(network_error(error, request.url)) from error
        self.last_status = response.status_code
        self.last_excerpt = response.text[:EXCERPT_LENGTH]
        code = response.status_code
        if 200 <= code < 300:
            return response
        reason = self.connector.error_of(response)
        if is_temporary(code):
            retry_after = retry_after_seconds(response.headers.get("Retry-After"))
            raise TemporaryError(reason, retry_after=retry_after)
        raise ConnectorError(reason)


def network_error(error: requests.RequestException, url: str) -> str:
    # Never the whole URL: a Bitrix24 webhook URL holds its secret.
    host = urlsplit(url).hostname or "?"
    if isinstance(error, requests.Timeout):
        return _("Network error: %(host)s did not answer in time.") % {"host": host}
    return _("Network error: could not reach %(host)s.") % {"host": host}


def json_of(response, not_json: str):
    """The answer's JSON; a 2xx that is not JSON is no success (not_json: the reason)."""
    try:
        return response.json()
    except ValueError as error:
        raise ConnectorError(not_json) from error


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

    def deliver(self, payload: dict, http: Http, progress: Progress) -> None:
        """Send the export; progress.remote_id ends as the CRM's id. Raises ConnectorError
        or TemporaryError. The default: one request, its answer read by parse_response."""
        response = http.send(self.build_request(payload))
        progress.remote_id = self.parse_response(response)

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
                    return f"HTTP {response.status_code}: {data[key]}"[:ERROR_LENGTH]
        return f"HTTP {response.status_code} {response.reason or ''}".strip()
