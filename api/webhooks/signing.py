"""Standard Webhooks signatures (https://www.standardwebhooks.com), as its reference
libraries verify them: `v1,` + base64(HMAC-SHA256(secret, "{id}.{timestamp}.{body}"))."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

SECRET_PREFIX = "whsec_"
SECRET_BYTES = 32  # the format asks for 24 to 64


def new_secret() -> str:
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode()


def sign(secret: str, message_id: str, timestamp: int, body: bytes) -> str:
    key = base64.b64decode(secret.removeprefix(SECRET_PREFIX))
    digest = hmac.new(key, f"{message_id}.{timestamp}.".encode() + body, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def signature_header(active_secrets: list[str], message_id: str, timestamp: int, body: bytes) -> str:
    """The webhook-signature header: one signature per active secret, space-separated."""
    return " ".join(sign(secret, message_id, timestamp, body) for secret in active_secrets)
