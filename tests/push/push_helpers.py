"""Helpers of the Web Push tests: what the local push endpoint received, and its checks."""

import base64
import json

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

SUBJECT = "mailto:ops@example.com"


def unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def received(httpserver, device=None):
    """Requests the push endpoint got (for one device's path)."""
    return [req for req, _resp in httpserver.log if device is None or req.path == device.path]


def verify_vapid(request, public_key: str, endpoint_origin: str) -> dict:
    """The Authorization header is `vapid t=<JWT>,k=<public key>` (RFC 8292) signed by the
    configured key; returns the JWT claims."""
    scheme, _, params = request.headers["Authorization"].partition(" ")
    assert scheme == "vapid"
    fields = dict(part.split("=", 1) for part in params.split(","))
    assert fields["k"] == public_key
    header_b64, claims_b64, signature_b64 = fields["t"].split(".")
    assert json.loads(unb64url(header_b64))["alg"] == "ES256"
    signature = unb64url(signature_b64)
    r, s = int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big")
    key = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), unb64url(public_key))
    key.verify(  # raises InvalidSignature
        encode_dss_signature(r, s),
        f"{header_b64}.{claims_b64}".encode(),
        ec.ECDSA(hashes.SHA256()),
    )
    claims = json.loads(unb64url(claims_b64))
    assert claims["aud"] == endpoint_origin
    assert claims["sub"] == SUBJECT
    return claims
