"""/api/inngest in production: only fresh requests signed with a known key are served, and a sync
registers the configured origin whatever the Host header says.

Requests are signed the way the Inngest server signs them. The Inngest API the SDK registers with
and fetches run data from is a real local HTTP server that records what it receives.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import time
from dataclasses import dataclass
from typing import Any

import inngest.flask
import pytest
from flask import Flask

from app import create_app
from documents.events import DocumentUploaded
from documents.models import Document
from extensions import db
from inngest_functions import build_functions, create_client
from inngest_functions.request_signatures import MAX_SIGNATURE_SKEW_SECONDS, protect_inngest_endpoint
from settings import SettingsError, load_settings
from tests.conftest import create_user
from tests.support.inngest_api import bearer_token, running_inngest_api
from tests.support.inngest_executor import PROCESS_DOCUMENT

SIGNING_KEY = "signkey-prod-" + "1a" * 32
FALLBACK_KEY = "signkey-prod-" + "2b" * 32
UNKNOWN_KEY = "signkey-prod-" + "3c" * 32
SERVE_ORIGIN = "https://documents.example.com"
FORGED_HOST = "attacker.example"
SIGNATURE = "X-Inngest-Signature"
# What the SDK answers for every signature it refuses (CommResponse.unauthorized).
REFUSAL = b'{"message": "Unauthorized"}'
RUN_ID = "run-signed-1"
CALL_URL = f"/api/inngest?fnId={PROCESS_DOCUMENT}&stepId=step"
# The SDK keys memoised steps by the SHA-1 of the step id.
CHECK_OBJECT = hashlib.sha1(b"check-object", usedforsecurity=False).hexdigest()
OBJECT = b"Some words worth chunking."
MEGABYTE = 1024 * 1024
NOW = 1_750_000_000


def sign(body: bytes, key: str, timestamp: int | None) -> str:
    """X-Inngest-Signature as the Inngest server computes it: HMAC-SHA256 of the body and then the
    timestamp, keyed by the signing key without its `signkey-<env>-` prefix, hex-encoded."""
    mac = hmac.new(re.sub(r"^signkey-\w+-", "", key).encode(), body, hashlib.sha256)
    if timestamp is None:
        return f"s={mac.hexdigest()}"
    mac.update(str(timestamp).encode())
    return f"t={timestamp}&s={mac.hexdigest()}"


def canonical_json(payload: Any) -> bytes:
    # The server sends canonical JSON (RFC 8785), which the SDK re-canonicalises before
    # verifying; for strings, integers and booleans that is sorted keys and no spaces.
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def current_time() -> int:
    return int(time.time())


def fresh_signature(body: bytes = b"") -> str:
    return sign(body, SIGNING_KEY, current_time())


@pytest.fixture
def inngest_api():
    with running_inngest_api(accepted_keys=[SIGNING_KEY, FALLBACK_KEY]) as api:
        yield api


@pytest.fixture
def settings_overrides(settings_overrides, inngest_api):
    """Production mode, with a fallback key, a fixed serve origin and the Inngest API at the stand-in."""
    settings_overrides.update(
        INNGEST_DEV=False,
        INNGEST_SIGNING_KEY=SIGNING_KEY,
        INNGEST_SIGNING_KEY_FALLBACK=FALLBACK_KEY,
        INNGEST_EVENT_KEY="test-event-key",
        INNGEST_BASE_URL=inngest_api.url,
        INNGEST_SERVE_ORIGIN=SERVE_ORIGIN,
    )
    return settings_overrides


@dataclass
class FunctionRun:
    """A process-document run whose first step is memoised; its next step, extract-and-store, reads the object."""

    event: dict[str, Any]
    steps: dict[str, Any]

    def body(self, *, padding: int = 0, use_api: bool = False) -> bytes:
        """What the executor POSTs, with `padding` bytes in the memoised step, or (`use_api`) no run data at all."""
        steps = {CHECK_OBJECT: {"data": {**self.steps[CHECK_OBJECT]["data"], "padding": "x" * padding}}}
        return canonical_json(
            {
                "ctx": {
                    "attempt": 0,
                    "disable_immediate_execution": False,
                    "run_id": RUN_ID,
                    "stack": {"stack": [CHECK_OBJECT]},
                },
                "event": self.event,
                "events": None if use_api else [self.event],
                "steps": {} if use_api else steps,
                "use_api": use_api,
            }
        )


@pytest.fixture
def run(app, s3, bucket):
    # The row the event names: every step checks the event against it.
    user_id = create_user(app, "alice@example.com")
    key = f"users/{user_id}/notes.txt"
    s3.put_object(Bucket=bucket, Key=key, Body=OBJECT)
    with app.app_context():
        document = Document(user_id=user_id, name="notes.txt", s3_bucket=bucket, s3_key=key)
        db.session.add(document)
        db.session.commit()
        document_id = document.id
    request = DocumentUploaded(
        document_id=document_id,
        document_name="notes.txt",
        s3_bucket=bucket,
        s3_key=key,
        user_id=user_id,
        max_document_bytes=MEGABYTE,
        chunk_size=200,
        chunk_overlap=20,
    )
    data = request.model_dump(mode="json", by_alias=True)
    event = {"name": DocumentUploaded.NAME, "id": "evt-1", "ts": 1_735_689_600_000, "data": data}
    return FunctionRun(
        event=event, steps={CHECK_OBJECT: {"data": {"unchanged": False, "size": len(OBJECT), "etag": "etag"}}}
    )


def call(client, body: bytes, signature: str | None):
    headers = {} if signature is None else {SIGNATURE: signature}
    return client.post(CALL_URL, data=body, content_type="application/json", headers=headers)


def assert_ran_the_next_step(response) -> None:
    assert response.status_code == 206, response.get_data()[:500]
    [operation] = response.get_json()
    assert (operation["op"], operation["displayName"]) == ("StepRun", "extract-and-store")
    assert operation["data"]["textChars"] == len(OBJECT)
    # The SDK signs its answer only to a request whose signature it verified.
    assert SIGNATURE in response.headers


def assert_refused(response) -> None:
    assert response.status_code == 401
    assert response.get_data() == REFUSAL
    assert response.headers["Content-Type"] == "application/json"
    assert response.headers["X-Inngest-SDK-Handled"] == "true"


# --- Function calls -------------------------------------------------------------------------


def test_fresh_request_signed_with_the_signing_key_runs_the_function(client, run):
    body = run.body()
    assert_ran_the_next_step(call(client, body, fresh_signature(body)))


def test_fresh_request_signed_with_the_fallback_key_runs_the_function(client, run):
    body = run.body()
    assert_ran_the_next_step(call(client, body, sign(body, FALLBACK_KEY, current_time())))


@pytest.mark.parametrize(
    "signature",
    [
        pytest.param(lambda body, now: sign(body, UNKNOWN_KEY, now), id="unknown key"),
        pytest.param(lambda body, now: sign(b"{}", SIGNING_KEY, now), id="signature of another body"),
        pytest.param(lambda body, now: sign(body, SIGNING_KEY, now)[:-8], id="truncated header"),
        pytest.param(lambda body, now: f"t={now}", id="no signature"),
        pytest.param(lambda body, now: "", id="empty header"),
        pytest.param(lambda body, now: None, id="no header"),
        pytest.param(
            lambda body, now: sign(body, SIGNING_KEY, now).replace(f"t={now}", f"t={now}.0"),
            id="timestamp not an integer",
        ),
        # Below, the HMAC is right: the SDK alone would run the function.
        pytest.param(lambda body, now: sign(body, SIGNING_KEY, None), id="no timestamp"),
        pytest.param(lambda body, now: sign(body, SIGNING_KEY, now - 6 * 60), id="six minutes old"),
        pytest.param(lambda body, now: sign(body, SIGNING_KEY, now - 7 * 24 * 3600), id="a week old"),
        pytest.param(lambda body, now: sign(body, SIGNING_KEY, now + 6 * 60), id="six minutes ahead"),
    ],
)
def test_bad_signature_is_the_sdks_401(client, run, signature):
    body = run.body()
    assert_refused(call(client, body, signature(body, current_time())))


@pytest.mark.parametrize(
    ("method", "url"),
    [("GET", "/api/inngest"), ("PUT", "/api/inngest"), ("POST", "/api/inngest?probe=trust")],
)
def test_old_signature_is_refused_whatever_the_method(client, inngest_api, method, url):
    old = sign(b"", SIGNING_KEY, current_time() - 6 * 60)
    assert_refused(client.open(url, method=method, headers={SIGNATURE: old}))
    assert inngest_api.requests == []


@pytest.fixture
def endpoint_at_fixed_time(settings_overrides):
    """Just the Inngest endpoint, protected with a clock that always says NOW."""
    settings = load_settings(settings_overrides, env_file=None)
    application = Flask(__name__)
    client = create_client(settings)
    inngest.flask.serve(application, client, build_functions(client, settings))
    protect_inngest_endpoint(application, settings, now=lambda: NOW)
    return application.test_client()


@pytest.mark.parametrize(
    ("age", "status"),
    [
        (MAX_SIGNATURE_SKEW_SECONDS, 200),
        (-MAX_SIGNATURE_SKEW_SECONDS, 200),
        (MAX_SIGNATURE_SKEW_SECONDS + 1, 401),
        (-MAX_SIGNATURE_SKEW_SECONDS - 1, 401),
    ],
)
def test_signatures_are_accepted_up_to_five_minutes_either_side_of_now(endpoint_at_fixed_time, age, status):
    signature = sign(b"", SIGNING_KEY, NOW - age)
    response = endpoint_at_fixed_time.post("/api/inngest?probe=trust", headers={SIGNATURE: signature})
    assert response.status_code == status


def test_protecting_before_the_endpoint_is_served_fails_loudly(settings_overrides):
    with pytest.raises(RuntimeError, match=re.escape("after inngest.flask.serve()")):
        protect_inngest_endpoint(Flask(__name__), load_settings(settings_overrides, env_file=None))


def test_development_mode_checks_no_signatures(settings_overrides):
    settings_overrides["INNGEST_DEV"] = True
    client = create_app(settings_overrides, env_file=None).test_client()
    response = client.post("/api/inngest?probe=trust", headers={SIGNATURE: "t=1&s=0"})
    assert response.status_code == 200


# --- Body size ----------------------------------------------------------------------------


def test_two_megabytes_of_memoised_steps_are_not_capped(client, run):
    body = run.body(padding=2 * MEGABYTE)
    assert len(body) > 2 * MEGABYTE
    assert_ran_the_next_step(call(client, body, fresh_signature(body)))


def test_two_megabytes_to_the_documents_api_are_413(auth, client):
    assert auth.login().status_code == 200
    padded = {"documentName": "notes.txt", "padding": "x" * 2 * MEGABYTE}
    response = client.post("/api/route", json=padded, base_url="https://localhost")
    assert response.status_code == 413
    assert response.get_json()["error"] == "request body too large"


# --- Sync -----------------------------------------------------------------------------------


def test_unsigned_sync_is_refused_and_registers_nothing(client, inngest_api):
    assert_refused(client.put("/api/inngest"))
    assert inngest_api.requests == []


def test_signed_sync_registers_the_configured_origin_not_the_host_header(client, inngest_api):
    response = client.put("/api/inngest", headers={"Host": FORGED_HOST, SIGNATURE: fresh_signature()})
    assert response.status_code == 200, response.get_data()
    [registration] = inngest_api.registrations
    assert registration.authorization == f"Bearer {bearer_token(SIGNING_KEY)}"
    assert registration.body["url"] == f"{SERVE_ORIGIN}/api/inngest"
    assert FORGED_HOST not in json.dumps(registration.body)


def test_without_a_serve_origin_the_host_header_names_the_registered_url(settings_overrides, inngest_api, monkeypatch):
    # Why INNGEST_SERVE_ORIGIN (or TRUSTED_HOSTS) matters in production.
    monkeypatch.delenv("INNGEST_SERVE_ORIGIN", raising=False)
    settings_overrides["INNGEST_SERVE_ORIGIN"] = None
    client = create_app(settings_overrides, env_file=None).test_client()
    response = client.put("/api/inngest", headers={"Host": FORGED_HOST, SIGNATURE: fresh_signature()})
    assert response.status_code == 200, response.get_data()
    [registration] = inngest_api.registrations
    assert registration.body["url"] == f"http://{FORGED_HOST}/api/inngest"


def test_unsigned_sync_registers_the_configured_origin_when_enabled(settings_overrides, inngest_api):
    settings_overrides["INNGEST_ENABLE_UNAUTHED_SYNC"] = True
    client = create_app(settings_overrides, env_file=None).test_client()
    response = client.put("/api/inngest", headers={"Host": FORGED_HOST})
    assert response.status_code == 200, response.get_data()
    [registration] = inngest_api.registrations
    assert registration.body["url"] == f"{SERVE_ORIGIN}/api/inngest"


def test_unauthed_sync_without_a_serve_origin_refuses_to_start(settings_overrides, monkeypatch):
    monkeypatch.delenv("INNGEST_SERVE_ORIGIN", raising=False)
    settings_overrides.update(INNGEST_ENABLE_UNAUTHED_SYNC=True, INNGEST_SERVE_ORIGIN=None)
    with pytest.raises(SettingsError, match="INNGEST_ENABLE_UNAUTHED_SYNC needs INNGEST_SERVE_ORIGIN"):
        create_app(settings_overrides, env_file=None)


# --- Signing-key rotation -----------------------------------------------------------------


def test_registration_is_retried_with_the_fallback_key(client, inngest_api):
    inngest_api.accepted_keys = [FALLBACK_KEY]
    response = client.put("/api/inngest", headers={SIGNATURE: fresh_signature()})
    assert response.status_code == 200, response.get_data()
    assert [registration.authorization for registration in inngest_api.registrations] == [
        f"Bearer {bearer_token(SIGNING_KEY)}",
        f"Bearer {bearer_token(FALLBACK_KEY)}",
    ]


def test_run_data_is_fetched_with_the_fallback_key_when_the_signing_key_is_refused(client, inngest_api, run):
    inngest_api.accepted_keys = [FALLBACK_KEY]
    inngest_api.run_data = {f"/v0/runs/{RUN_ID}/batch": [run.event], f"/v0/runs/{RUN_ID}/actions": run.steps}
    body = run.body(use_api=True)
    assert_ran_the_next_step(call(client, body, fresh_signature(body)))
    fetched = {(request.path, request.authorization) for request in inngest_api.requests}
    assert fetched >= {
        (f"/v0/runs/{RUN_ID}/batch", f"Bearer {bearer_token(FALLBACK_KEY)}"),
        (f"/v0/runs/{RUN_ID}/actions", f"Bearer {bearer_token(FALLBACK_KEY)}"),
    }


# --- Trusted hosts --------------------------------------------------------------------------


@pytest.fixture
def trusting_client(settings_overrides):
    """A client of an app that answers to documents.example.com and any subdomain of internal.example.com."""
    settings_overrides["TRUSTED_HOSTS"] = "documents.example.com, .internal.example.com"
    return create_app(settings_overrides, env_file=None).test_client()


def test_request_for_an_untrusted_host_is_400_json_and_registers_nothing(trusting_client, inngest_api):
    signature = fresh_signature()
    response = trusting_client.put("/api/inngest", headers={"Host": FORGED_HOST, SIGNATURE: signature})
    assert response.status_code == 400
    assert response.is_json
    assert response.get_json()["error"]
    assert inngest_api.requests == []


@pytest.mark.parametrize("origin", [SERVE_ORIGIN, "http://worker.internal.example.com:8000"])
def test_trusted_hosts_and_their_listed_subdomains_are_served(trusting_client, origin):
    assert trusting_client.get("/healthz", base_url=origin).status_code == 200


def test_trusted_hosts_must_be_host_names():
    overrides = {"INNGEST_DEV": True, "TRUSTED_HOSTS": "api.example.com, https://docs.example.com"}
    with pytest.raises(SettingsError, match=re.escape("TRUSTED_HOSTS: 'https://docs.example.com' is not a host name")):
        load_settings(overrides, env_file=None)
