"""amoCRM access: a long-lived token, or OAuth 2.0 with refresh (docs/crm.md, amoCRM).

OAuth settings: client_id, client_secret, redirect_uri (of the amoCRM integration), then
either authorization_code (pasted by the admin, exchanged once when the integration is
saved) or the pair it gave: access_token, refresh_token and expires_at (unix seconds).

amoCRM's refresh tokens are single-use: a refresh answers a new pair and the old refresh
token is dead. So a refresh happens under the integration's row lock and re-reads the row
first: a second worker that waited on the lock finds the new pair and uses it instead of
spending the dead refresh token."""

import time

import requests
from django.conf import settings as django_settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from crm.connectors.base import ConfigError, ConnectorError, TemporaryError, retry_after_seconds

OAUTH_KEYS = ("client_id", "client_secret", "redirect_uri")
# Written by this module; the admin form keeps the stored ones unless they were edited.
TOKEN_KEYS = ("access_token", "refresh_token", "expires_at", "authorization_error")
# Refreshed this long before it expires, so a request never leaves with a dying token.
EXPIRY_MARGIN_SECONDS = 300
TOKEN_PATH = "/oauth2/access_token"


class TokenEndpointUnavailable(TemporaryError):
    """amoCRM's token endpoint answered 5xx or 429: the delivery is retried later (after its
    Retry-After, if it sent one)."""


def uses_oauth(settings: dict) -> bool:
    return not _text(settings, "token") and any(
        _text(settings, key) for key in (*OAUTH_KEYS, "authorization_code", "refresh_token")
    )


def _text(settings: dict, key: str) -> str:
    value = settings.get(key)
    return value.strip() if isinstance(value, str) else ""


def check_settings(settings: dict) -> None:
    """What the admin must fill in: a long-lived token, or the OAuth keys with either a
    code to exchange or a refresh token already obtained."""
    if _text(settings, "token"):
        return
    if not uses_oauth(settings):
        raise ConfigError(
            _(
                'amoCRM needs either "token" (a long-lived token) or "client_id", '
                '"client_secret", "redirect_uri" and an "authorization_code" (docs/crm.md).'
            )
        )
    missing = [key for key in OAUTH_KEYS if not _text(settings, key)]
    if missing:
        raise ConfigError(
            _("amoCRM OAuth needs the settings %(keys)s.")
            % {"keys": ", ".join(f'"{key}"' for key in missing)}
        )
    if not _text(settings, "authorization_code") and not _text(settings, "refresh_token"):
        raise ConfigError(
            _(
                'amoCRM is not authorised yet: paste an authorization code as "authorization_code" '
                "(amoCRM → Settings → Integrations → your integration → Keys and scopes)."
            )
        )


# --- talking to the token endpoint ---------------------------------------------------------


def _reason(response) -> str:
    try:
        data = response.json()
    except ValueError:
        data = None
    if isinstance(data, dict):
        for key in ("hint", "detail", "error_description", "title", "error", "message"):
            if isinstance(data.get(key), str) and data[key]:
                return f"HTTP {response.status_code}: {data[key]}"[:300]
    return f"HTTP {response.status_code}"


def _grant(settings: dict, **grant) -> dict:
    """One POST to <base_url>/oauth2/access_token; the new pair as settings keys."""
    body = {
        "client_id": _text(settings, "client_id"),
        "client_secret": _text(settings, "client_secret"),
        "redirect_uri": _text(settings, "redirect_uri"),
        **grant,
    }
    from crm.integration_settings import amocrm_base_url  # it imports this module

    response = requests.post(
        amocrm_base_url(settings.get("base_url")) + TOKEN_PATH,
        json=body,
        headers={"Accept": "application/json"},
        timeout=django_settings.CRM_HTTP_TIMEOUT_SECONDS,
        allow_redirects=False,
    )
    if response.status_code >= 500 or response.status_code == 429:
        retry_after = retry_after_seconds(response.headers.get("Retry-After"))
        raise TokenEndpointUnavailable(_reason(response), retry_after=retry_after)
    if response.status_code != 200:
        raise ConnectorError(_reason(response))
    try:
        data = response.json()
        pair = {
            "access_token": data["access_token"],
            "refresh_token": data["refresh_token"],
            "expires_at": int(time.time()) + int(data["expires_in"]),
        }
    except (ValueError, KeyError, TypeError) as error:
        raise ConnectorError(_("amoCRM's token answer lacks the token pair.")) from error
    tokens = (pair["access_token"], pair["refresh_token"])
    if not all(isinstance(token, str) and token for token in tokens):
        raise ConnectorError(_("amoCRM's token answer lacks the token pair."))
    return pair


def exchange_code(settings: dict) -> dict:
    """The admin pasted an authorization code: the settings with the first token pair
    instead of the code (each code works once, for 20 minutes)."""
    try:
        pair = _grant(
            settings,
            grant_type="authorization_code",
            code=_text(settings, "authorization_code"),
        )
    except (requests.RequestException, TokenEndpointUnavailable) as error:
        reason = str(error) if isinstance(error, TokenEndpointUnavailable) else type(error).__name__
        raise ConfigError(
            _("Could not reach amoCRM to exchange the authorization code: %(error)s")
            % {"error": reason}
        ) from error
    except ConnectorError as error:
        raise ConfigError(
            _(
                "amoCRM refused the authorization code (%(reason)s). A code works once and "
                "for 20 minutes: copy a fresh one from the integration's Keys and scopes tab."
            )
            % {"reason": error}
        ) from error
    cleaned = {key: value for key, value in settings.items() if key != "authorization_code"}
    cleaned.update(pair)
    cleaned.pop("authorization_error", None)
    return cleaned


# --- a valid access token for a request ----------------------------------------------------


def _expiring(settings: dict) -> bool:
    expires_at = settings.get("expires_at")
    return (
        not _text(settings, "access_token")
        or not isinstance(expires_at, int | float)
        or expires_at - time.time() < EXPIRY_MARGIN_SECONDS
    )


def _stored_settings(integration_id: int, *, lock: bool) -> dict:
    from crm.models import Integration

    rows = Integration.objects.filter(pk=integration_id)
    if lock:
        rows = rows.select_for_update()
    settings = rows.values_list("settings", flat=True).first()
    if not isinstance(settings, dict):
        raise ConfigError(_("The integration no longer exists."))
    return settings


def _refresh(integration_id: int, *, rejected: str | None) -> str:
    """Under the row lock: a new pair unless another worker has just made one (the stored
    token is no longer the rejected one, or no longer expiring)."""
    from crm.models import Integration

    with transaction.atomic():
        settings = _stored_settings(integration_id, lock=True)
        current = _text(settings, "access_token")
        if current and (current != rejected if rejected is not None else not _expiring(settings)):
            return current
        if not _text(settings, "refresh_token"):
            raise ConnectorError(
                _(
                    "amoCRM is not authorised: an administrator pastes an authorization code "
                    "into the integration's settings (admin → CRM integrations)."
                )
            )
        try:
            pair = _grant(
                settings,
                grant_type="refresh_token",
                refresh_token=_text(settings, "refresh_token"),
            )
        except ConnectorError as error:
            refused = _(
                "amoCRM refused to renew the access token (%(reason)s): an administrator must "
                "authorise the integration again with a new authorization code "
                "(admin → CRM integrations)."
            ) % {"reason": error}
            # Kept for the admin's list of integrations; committed, unlike a raise here.
            settings["authorization_error"] = f"{timezone.now():%Y-%m-%d %H:%M} UTC: {refused}"
        else:
            settings.update(pair)
            settings.pop("authorization_error", None)
            refused = None
        Integration.objects.filter(pk=integration_id).update(settings=settings)
    if refused:
        raise ConnectorError(refused)
    return pair["access_token"]


def access_token(integration_id: int) -> str:
    """A token that is valid for a while yet: the stored one, or a fresh one."""
    settings = _stored_settings(integration_id, lock=False)
    if not _expiring(settings):
        return _text(settings, "access_token")
    return _refresh(integration_id, rejected=None)


def token_after_rejection(integration_id: int, rejected: str) -> str:
    """amoCRM answered 401 to `rejected` (revoked or expired early): a new one."""
    return _refresh(integration_id, rejected=rejected)


class AmoCrmAuth(requests.auth.AuthBase):
    """Authorization for every amoCRM API request (pass as `auth=`): the bearer token,
    refreshed before the request when it is about to expire, and once more on a 401,
    re-sending the request with the new token (as requests' HTTPDigestAuth re-sends)."""

    def __init__(self, *, integration_id: int | None = None, token: str = ""):
        self.integration_id = integration_id  # None: a long-lived token, nothing to refresh
        self.token = token

    @property
    def requests_at_most(self) -> int:
        """HTTP requests one API call may take (crm.connectors.base.Http keeps them all
        within the export's lease): a refresh, the call, a refresh after a 401, the re-send."""
        return 1 if self.integration_id is None else 4

    def __call__(self, request):
        if self.integration_id is not None:
            self.token = access_token(self.integration_id)
        request.headers["Authorization"] = f"Bearer {self.token}"
        if self.integration_id is not None:
            request.register_hook("response", self._on_unauthorized)
        return request

    def _on_unauthorized(self, response, **kwargs):
        if response.status_code != 401:
            return response
        self.token = token_after_rejection(self.integration_id, self.token)
        response.content  # noqa: B018 - read it, so the connection can be reused
        response.close()
        retry = response.request.copy()
        retry.headers["Authorization"] = f"Bearer {self.token}"
        second = response.connection.send(retry, **kwargs)
        second.history.append(response)
        second.request = retry
        return second


def auth_for(integration_id: int | None, settings: dict) -> AmoCrmAuth:
    """The authorization of an integration's requests, or ConfigError before any request."""
    token = _text(settings, "token")
    if token or not uses_oauth(settings):
        if not token:
            raise ConfigError(_('The integration has no "%(key)s" setting.') % {"key": "token"})
        return AmoCrmAuth(token=token)
    if integration_id is None:
        raise ConfigError(_("amoCRM OAuth needs a saved integration."))
    check_settings({key: value for key, value in settings.items() if key != "authorization_code"})
    return AmoCrmAuth(integration_id=integration_id)
