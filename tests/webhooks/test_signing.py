"""Signatures per Standard Webhooks, checked against the specification's own test vector and its verifier."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from standardwebhooks import Webhook
from standardwebhooks.webhooks import WebhookVerificationError

from timestamps import utcnow
from webhooks.signing import new_secret, signature_headers

# The vector the standard-webhooks libraries test against.
VECTOR_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
VECTOR_ID = "msg_p5jXN8AQM9LWM0D4loKWxJek"
VECTOR_TIMESTAMP = 1614265330
VECTOR_BODY = '{"test": 2432232314}'
VECTOR_SIGNATURE = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="


def test_the_signature_matches_the_specifications_vector():
    sent_at = datetime.fromtimestamp(VECTOR_TIMESTAMP, tz=UTC)
    headers = signature_headers(VECTOR_SECRET, VECTOR_ID, sent_at, VECTOR_BODY)
    assert headers == {
        "webhook-id": VECTOR_ID,
        "webhook-timestamp": str(VECTOR_TIMESTAMP),
        "webhook-signature": VECTOR_SIGNATURE,
    }


def test_a_receiver_verifies_what_we_sign_and_refuses_a_changed_body():
    secret = new_secret()
    body = '{"type":"document.processed"}'
    headers = signature_headers(secret, "msg_1", utcnow(), body)
    assert Webhook(secret).verify(body, headers) == {"type": "document.processed"}
    with pytest.raises(WebhookVerificationError):
        Webhook(secret).verify(body.replace("processed", "failed"), headers)
    with pytest.raises(WebhookVerificationError):
        Webhook(new_secret()).verify(body, headers)


def test_a_new_secret_is_whsec_and_256_random_bits():
    secret = new_secret()
    assert secret.startswith("whsec_")
    assert len(Webhook(secret)._whsecret) == 32
    assert new_secret() != secret
