"""Personal access tokens: create (the secret shown once), recognise, list, revoke.

A token is "lcpat_" followed by 43 URL-safe random characters; the prefix lets secret
scanners and people recognise it. Only sha256(token) is stored, so a copy of the
database gives no usable token.
"""

import datetime
import hashlib
import secrets

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from api import hooks
from api.models import PREFIX, AccessToken
from chat.errors import ChatError, NotFound
from operators.models import Operator

MAX_TOKENS = 50
# Why a token's open sockets were closed (the close reason, next to code 4401).
REVOKED = "token_revoked"
# last_used_at is written at most this often per token (not on every request).
USE_RESOLUTION = datetime.timedelta(minutes=1)


def digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def clean_name(name) -> str:
    name = " ".join(str(name or "").split())[:100]
    if not name:
        raise ChatError("invalid", _("Name the token, e.g. the app or device that will use it."))
    return name


@transaction.atomic
def create_token(*, operator: Operator, name) -> tuple[AccessToken, str]:
    """A new token of the operator and its secret (the only time the secret exists)."""
    name = clean_name(name)
    if operator.access_tokens.usable().count() >= MAX_TOKENS:
        raise ChatError("invalid", _("Revoke a token you no longer use before creating another."))
    secret = secrets.token_urlsafe(32)
    raw = PREFIX + secret
    token = AccessToken.objects.create(
        operator=operator, name=name, token_hash=digest(raw), hint=secret[:6]
    )
    return token, raw


def authenticate(raw) -> AccessToken | None:
    """The usable token with this secret, its operator and user loaded (one query), or None.
    Its user must still be active."""
    if not isinstance(raw, str) or not raw.startswith(PREFIX) or len(raw) > 100:
        return None
    token = (
        AccessToken.objects.usable()
        .select_related("operator__user", "operator__account")
        .filter(token_hash=digest(raw))
        .first()
    )
    if token is None or not token.operator.user.is_active:
        return None
    _note_use(token)
    return token


def _note_use(token: AccessToken) -> None:
    now = timezone.now()
    if token.last_used_at and now - token.last_used_at < USE_RESOLUTION:
        return
    token.last_used_at = now
    AccessToken.objects.filter(pk=token.pk).update(last_used_at=now)


def tokens_of(operator: Operator) -> list[AccessToken]:
    return list(operator.access_tokens.all())


@transaction.atomic
def revoke(*, operator: Operator, token_id) -> AccessToken:
    """Revoke one of the operator's own tokens (another's is NotFound, never touched).
    Once committed, the token's open sockets are closed (hooks.token_revoked)."""
    token = AccessToken.objects.select_for_update().filter(operator=operator, pk=token_id).first()
    if token is None:
        raise NotFound(_("No such token."))
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        hooks.token_revoked.send_on_commit(token=token, reason=REVOKED)
    return token


def bearer_of(header_value) -> str | None:
    """The token of an "Authorization: Bearer <token>" value, or None."""
    if isinstance(header_value, bytes):
        header_value = header_value.decode("latin-1")
    scheme, _sep, value = (header_value or "").strip().partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        return None
    return value.strip()
