"""Standard Webhooks 1.0 signing (https://www.standardwebhooks.com/, docs/crm.md,
docs/webhooks.md): v1,<base64 HMAC-SHA256 of "<id>.<timestamp>.<raw body>">, keyed with the
secret's bytes, one entry per secret (two while a secret is rotated)."""

import base64
import binascii
import hashlib
import hmac
import json
import secrets

ID_HEADER = "webhook-id"
TIMESTAMP_HEADER = "webhook-timestamp"
SIGNATURE_HEADER = "webhook-signature"
SECRET_PREFIX = "whsec_"


class BadSecret(ValueError):
    """A whsec_ secret whose rest is not base64."""


def new_secret() -> str:
    """A fresh whsec_ secret (32 random bytes)."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(32)).decode()


def signing_key(secret: str) -> bytes:
    """A whsec_<base64> secret is its decoded bytes; any other string its UTF-8 bytes."""
    if secret.startswith(SECRET_PREFIX):
        encoded = secret[len(SECRET_PREFIX) :]
        try:
            return base64.b64decode(encoded + "=" * (-len(encoded) % 4), validate=True)
        except (binascii.Error, ValueError) as error:
            raise BadSecret(secret) from error
    return secret.encode()


def encode_body(body) -> bytes:
    """The exact bytes sent (and signed): compact JSON, UTF-8."""
    return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()


def standard_signature(secret: str, msg_id: str, timestamp: str, body: bytes) -> str:
    signed = msg_id.encode() + b"." + timestamp.encode() + b"." + body
    digest = hmac.new(signing_key(secret), signed, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def signatures(secrets_, msg_id: str, timestamp: str, body: bytes) -> str:
    """The webhook-signature value: one entry per secret, space-separated."""
    return " ".join(standard_signature(s, msg_id, timestamp, body) for s in secrets_)


def signed_headers(secrets_, msg_id: str, timestamp: str, body: bytes) -> dict:
    """The headers of a signed JSON POST; msg_id is also the Idempotency-Key."""
    return {
        "Content-Type": "application/json",
        ID_HEADER: msg_id,
        TIMESTAMP_HEADER: timestamp,
        SIGNATURE_HEADER: signatures(secrets_, msg_id, timestamp, body),
        "Idempotency-Key": msg_id,
    }


def verify(headers, body: bytes, secret: str, *, now: float, tolerance: int = 300) -> bool:
    """What a receiver checks (the documented algorithm): the headers, the timestamp window
    and one of the space-separated signatures, compared in constant time."""
    msg_id = headers.get(ID_HEADER, "")
    timestamp = headers.get(TIMESTAMP_HEADER, "")
    if not msg_id or not timestamp.isdigit() or abs(now - int(timestamp)) > tolerance:
        return False
    expected = standard_signature(secret, msg_id, timestamp, body).encode()
    given = headers.get(SIGNATURE_HEADER, "").split(" ")
    return any(hmac.compare_digest(expected, entry.encode()) for entry in given)
