"""The rules of an integration's settings, per kind: checked when the admin saves it
(crm/forms.py) and again by the connectors before each request, so a row saved before a
rule existed is refused with the same message instead of a CRM's puzzling answer.

Every rule raises ConfigError with a translated message an administrator can act on."""

import ipaddress
import re
from urllib.parse import urlsplit, urlunsplit

from django.utils.translation import gettext as _

from chat.outbound import signing
from crm import amocrm_oauth
from crm.connectors.base import ConfigError

LOOPBACK_NAMES = {"localhost", "localhost.localdomain"}
# A Bitrix24 inbound webhook: /rest/<user id>/<secret>/ and maybe a method after it.
BITRIX24_PATH = re.compile(r"^/rest/(?P<user>\d+)/(?P<secret>[A-Za-z0-9]+)(?:/.*)?$")
WEBHOOK_SECRET_PREFIX = "whsec_"
# Standard Webhooks: a whsec_ secret holds 24 to 64 random bytes.
WHSEC_MIN_BYTES, WHSEC_MAX_BYTES = 24, 64
RAW_SECRET_MIN_LENGTH = 16


def is_loopback(host: str) -> bool:
    host = (host or "").lower().strip("[]")
    if host in LOOPBACK_NAMES or host.endswith(".localhost"):
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    # 0.0.0.0 too: `make run HOST=0.0.0.0` seeds the demo webhook with it, and it is here.
    return address.is_loopback or address.is_unspecified


def secure_url(value, *, what: str) -> str:
    """An absolute https:// URL; plain http:// only to this machine (a receiver or a test
    double on localhost), since exports carry visitors' names, e-mails and phones.
    `what` names the setting in the message ("The Bitrix24 webhook URL")."""
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(_("%(what)s is missing.") % {"what": what})
    value = value.strip()
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 - raises ValueError on a port that is not a number
    except ValueError as error:
        raise ConfigError(_("%(what)s is not a valid URL.") % {"what": what}) from error
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigError(
            _("%(what)s must be a full address starting with https://.") % {"what": what}
        )
    if parts.scheme == "http" and not is_loopback(parts.hostname):
        raise ConfigError(
            _(
                "%(what)s must start with https:// — plain http:// is refused (the CRM "
                "would answer with a redirect, and the export would travel unencrypted)."
            )
            % {"what": what}
        )
    if parts.username or parts.password:
        raise ConfigError(_("%(what)s must not contain a user name or password.") % {"what": what})
    return value


def bitrix24_webhook_url(value) -> str:
    """https://<portal>/rest/<user>/<secret>/ — a method pasted at the end
    (…/crm.lead.add.json), a query or a missing slash are dropped or added."""
    what = _("The Bitrix24 webhook URL")
    parts = urlsplit(secure_url(value, what=what))
    match = BITRIX24_PATH.match(parts.path)
    if match is None:
        raise ConfigError(
            _(
                "The Bitrix24 webhook URL must look like "
                "https://your-portal.bitrix24.ru/rest/1/abc123xyz/ (Developer resources → "
                "Other → Inbound webhook), with nothing but an optional method after it."
            )
        )
    path = f"/rest/{match['user']}/{match['secret']}/"
    return urlunsplit((parts.scheme, parts.netloc, path, "", ""))


def amocrm_base_url(value) -> str:
    """https://<subdomain>.amocrm.ru — any path pasted after the account's address
    (…/leads/pipeline/) is dropped."""
    parts = urlsplit(secure_url(value, what=_("The amoCRM address")))
    return urlunsplit((parts.scheme, parts.netloc, "", "", ""))


def webhook_signing_key(secret: str) -> bytes:
    """The HMAC key of a webhook secret: a Standard Webhooks `whsec_<base64>` secret is its
    decoded bytes; any other string (made before whsec_ secrets) is its UTF-8 bytes."""
    try:
        return signing.signing_key(secret)
    except signing.BadSecret as error:
        raise ConfigError(
            _("A whsec_ secret must be followed by base64 (letters, digits, + and /).")
        ) from error


def _webhook_secret(value, key: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(_('The integration has no "%(key)s" setting.') % {"key": key})
    value = value.strip()
    if value.startswith(WEBHOOK_SECRET_PREFIX):
        size = len(webhook_signing_key(value))
        if not WHSEC_MIN_BYTES <= size <= WHSEC_MAX_BYTES:
            raise ConfigError(
                _("A whsec_ secret must hold %(min)d to %(max)d bytes (it holds %(size)d).")
                % {"min": WHSEC_MIN_BYTES, "max": WHSEC_MAX_BYTES, "size": size}
            )
    elif len(value) < RAW_SECRET_MIN_LENGTH:
        raise ConfigError(
            _('"%(key)s" is too short: use at least %(count)d characters, or a whsec_ secret.')
            % {"key": key, "count": RAW_SECRET_MIN_LENGTH}
        )
    return value


def clean_webhook(settings: dict) -> dict:
    cleaned = dict(settings)
    cleaned["url"] = secure_url(settings.get("url"), what=_("The webhook URL"))
    cleaned["secret"] = _webhook_secret(settings.get("secret"), "secret")
    if settings.get("previous_secret"):
        cleaned["previous_secret"] = _webhook_secret(settings["previous_secret"], "previous_secret")
    else:
        cleaned.pop("previous_secret", None)
    if not isinstance(settings.get("legacy_signature", True), bool):
        raise ConfigError(_('"legacy_signature" must be true or false.'))
    return cleaned


def clean_bitrix24(settings: dict) -> dict:
    return {**settings, "webhook_url": bitrix24_webhook_url(settings.get("webhook_url"))}


def clean_amocrm(settings: dict) -> dict:
    cleaned = {**settings, "base_url": amocrm_base_url(settings.get("base_url"))}
    amocrm_oauth.check_settings(cleaned)
    return cleaned


CLEANERS = {"webhook": clean_webhook, "bitrix24": clean_bitrix24, "amocrm": clean_amocrm}


def clean(kind: str, settings: dict) -> dict:
    """The settings as they are stored: checked and normalised, or ConfigError."""
    if not isinstance(settings, dict):
        raise ConfigError(_("Settings must be a JSON object."))
    cleaner = CLEANERS.get(kind)
    return cleaner(settings) if cleaner else dict(settings)
