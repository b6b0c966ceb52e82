"""Signatures as the Standard Webhooks reference verifier (`standardwebhooks`) checks them."""

import base64
import time

import pytest
from standardwebhooks import Webhook, WebhookVerificationError

from api.webhooks.signing import new_secret, sign, signature_header

BODY = b'{"type":"rfq.published","timestamp":"2026-12-02T00:00:00Z","data":{"id":42}}'


def headers(signature: str, timestamp: int) -> dict:
    return {"webhook-id": "42", "webhook-timestamp": str(timestamp), "webhook-signature": signature}


def test_secrets_are_whsec_and_at_least_24_random_bytes():
    secrets = {new_secret() for _ in range(50)}
    assert len(secrets) == 50
    assert all(s.startswith("whsec_") and len(base64.b64decode(s[6:])) >= 24 for s in secrets)


def test_the_reference_verifier_accepts_the_signature_and_refuses_any_tampering():
    secret, now = new_secret(), int(time.time())
    signature = sign(secret, "42", now, BODY)
    assert signature.startswith("v1,")
    assert Webhook(secret).verify(BODY, headers(signature, now))["data"] == {"id": 42}
    for body, message_id, timestamp in ((BODY.replace(b"42", b"43"), "42", now), (BODY, "43", now),
                                        (BODY, "42", now - 1)):
        tampered = {**headers(signature, timestamp), "webhook-id": message_id}
        with pytest.raises(WebhookVerificationError):
            Webhook(secret).verify(body, tampered)
    with pytest.raises(WebhookVerificationError):
        Webhook(new_secret()).verify(BODY, headers(signature, now))


def test_during_a_rotation_either_secret_verifies_the_two_signatures():
    new, old, now = new_secret(), new_secret(), int(time.time())
    header = signature_header([new, old], "42", now, BODY)
    assert len(header.split(" ")) == 2
    for secret in (new, old):
        Webhook(secret).verify(BODY, headers(header, now))
