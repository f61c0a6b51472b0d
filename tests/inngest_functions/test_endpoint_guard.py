"""/api/inngest refuses what it must not read from the headers alone, caps what it reads, and sends the executor
errors without our tracebacks."""

from __future__ import annotations

import io
import json

import pytest

from tests.inngest_functions.test_request_signatures import CALL_URL, REFUSAL, SIGNING_KEY, current_time, sign
from tests.support.inngest_executor import PROCESS_DOCUMENT, execute
from tests.support.sample_documents import text_document

CAP = 256 * 1024
HUGE = 300 * 1024 * 1024
FRESH = "0" * 64


class UnreadableBody(io.RawIOBase):
    """A request body that fails the test if anything reads it."""

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        raise AssertionError("the body was read")

    def seekable(self) -> bool:
        return True

    def seek(self, offset: int, whence: int = 0) -> int:
        return 0  # the test client rewinds its input before the request


@pytest.fixture
def production(app_with):
    return app_with(INNGEST_DEV=False, INNGEST_SIGNING_KEY=SIGNING_KEY, INNGEST_MAX_REQUEST_BYTES=CAP)


def post_unread(app, headers: dict[str, str], content_length: int = HUGE):
    return app.test_client().post(
        CALL_URL, input_stream=UnreadableBody(), environ_overrides={"CONTENT_LENGTH": str(content_length)},
        content_type="application/json", headers=headers,
    )  # fmt: skip


@pytest.mark.parametrize(
    "signature",
    [
        None,
        "t={now}&s=not-hex",
        f"s={FRESH}",
        "t={stale}&s=" + FRESH,
        "t={now}",
    ],
    ids=["unsigned", "not-hex", "undated", "stale", "no-hmac"],
)
def test_a_request_not_properly_signed_is_refused_before_its_body_is_read(production, signature):
    now = current_time()
    headers = {} if signature is None else {"X-Inngest-Signature": signature.format(now=now, stale=now - 3600)}
    response = post_unread(production, headers)
    assert response.status_code == 401
    assert response.data == REFUSAL


def test_an_unsigned_sync_is_refused_before_its_body_is_read(production):
    response = production.test_client().put(
        "/api/inngest", input_stream=UnreadableBody(), environ_overrides={"CONTENT_LENGTH": str(HUGE)},
        content_type="application/json",
    )  # fmt: skip
    assert response.status_code == 401


def test_a_signed_request_over_the_cap_is_413_before_its_body_is_read(production):
    response = post_unread(production, {"X-Inngest-Signature": f"t={current_time()}&s={FRESH}"}, CAP + 1)
    assert response.status_code == 413
    assert response.get_json()["error"] == "request body too large"


def test_the_unreadable_body_does_fail_a_request_that_reads_it(production, caplog):
    response = post_unread(production, {"X-Inngest-Signature": f"t={current_time()}&s={FRESH}"}, CAP - 1)
    assert response.status_code == 500
    assert "AssertionError: the body was read" in caplog.text


def test_a_body_within_the_cap_still_reaches_the_sdks_signature_check(production):
    body = b'{"padding": "' + b"x" * (CAP - 100) + b'"}'
    wrong = sign(body, "signkey-prod-" + "ab" * 32, current_time())
    response = production.test_client().post(
        CALL_URL, data=body, content_type="application/json", headers={"X-Inngest-Signature": wrong}
    )
    assert response.status_code == 401


def test_an_unsigned_get_is_refused_as_the_sdk_would(production):
    response = production.test_client().get("/api/inngest")
    assert response.status_code == 401
    assert response.data == REFUSAL


def test_failed_calls_tell_the_executor_the_error_but_not_our_tracebacks(client, submit, s3, bucket):
    submission = submit("gone.txt", text_document())
    s3.delete_object(Bucket=bucket, Key=submission.key)

    run = execute(client, PROCESS_DOCUMENT, submission.event)

    assert run.output["name"] == "NonRetriableError"
    assert "document not found" in run.output["message"]
    assert run.bodies
    for body in run.bodies:
        assert "Traceback" not in body
        assert 'File "' not in body
        assert ".py" not in body
    assert json.loads(run.bodies[-1])["stack"] == f"NonRetriableError: {run.output['message']}"
