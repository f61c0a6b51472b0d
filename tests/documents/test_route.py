"""POST /api/route: its checks in the order it runs them (S3 configured, signed in, a valid name), the typed
event, and every way a send can fail."""

from __future__ import annotations

import pytest

from documents.events import DocumentUploaded
from documents.models import Document
from extensions import db
from outbox import OutboxEvent, flush
from tests.conftest import AuthActions, free_port
from tests.support.postgres import on_both_databases


def post_document(client, name="report.pdf", **kwargs):
    return client.post("/api/route", json={"documentName": name}, **kwargs)


def stored_document(app, name="report.pdf"):
    with app.app_context():
        return db.session.scalar(db.select(Document).where(Document.name == name))


@pytest.mark.parametrize(
    ("missing", "named"),
    [
        (["AWS_S3_REGION"], "AWS_S3_REGION"),
        (["AWS_S3_BUCKET"], "AWS_S3_BUCKET"),
        (["AWS_S3_REGION", "AWS_S3_BUCKET"], "AWS_S3_REGION and AWS_S3_BUCKET"),
    ],
)
def test_missing_s3_settings_is_500_naming_them_before_auth(settings_overrides, missing, named):
    from app import create_app

    for name in missing:
        settings_overrides[name] = None
    client = create_app(settings_overrides, env_file=None).test_client()
    response = post_document(client)
    assert response.status_code == 500
    assert response.get_json()["error"] == f"the server is not configured for S3: set {named}"
    assert settings_overrides["AWS_ENDPOINT_URL"] not in response.get_data(as_text=True)


def test_no_session_user_is_401(client, event_api):
    response = post_document(client)
    assert response.status_code == 401
    assert "sign in" in response.get_json()["error"]
    assert event_api.requests == 0


@on_both_databases
def test_accepted_document_is_200_with_event_ids_and_document(app, auth, client, event_api, bucket):
    auth.login()
    response = post_document(client, "reports/2026/q1.pdf")
    assert response.status_code == 200
    body = response.get_json()
    assert body["status"] == "ok"
    assert body["eventIds"] == ["evt-1-0"]
    assert body["document"]["name"] == "reports/2026/q1.pdf"
    assert body["document"]["status"] == "queued"
    assert body["document"]["s3Key"] == f"users/{auth.user_id}/reports/2026/q1.pdf"
    assert body["document"]["eventIds"] == ["evt-1-0"]


@on_both_databases
def test_the_sent_event_is_the_typed_document_uploaded_event(app, auth, client, event_api, bucket):
    auth.login()
    post_document(client, "q1.pdf")
    [sent] = event_api.received
    assert sent["name"] == DocumentUploaded.NAME == "documents/document.uploaded"
    assert sent["id"]  # chosen by us, so a resend can be recognised
    event = DocumentUploaded.model_validate(sent["data"])
    assert event.document_name == "q1.pdf"
    assert event.s3_bucket == bucket
    assert event.s3_key == f"users/{auth.user_id}/q1.pdf"
    assert event.user_id == auth.user_id
    assert not {"s3Region", "userEmail", "requestedAt"} & set(sent["data"])  # nothing the function does not read
    assert (event.chunk_size, event.chunk_overlap) == (200, 20)
    assert event.document_id == stored_document(app, "q1.pdf").id


def test_the_seed_curl_example_works_verbatim_with_a_session_cookie(auth, client, event_api):
    auth.login()
    response = client.post(
        "/api/route",
        base_url="http://localhost:3000",
        headers={"Content-Type": "application/json", "cache-control": "no-cache"},
        data='{\n  "documentName": "example"\n}',
    )
    assert response.status_code == 200
    assert response.get_json()["status"] == "ok"


@on_both_databases
def test_posting_a_document_again_reuses_its_row(app, auth, client, event_api):
    auth.login()
    post_document(client)
    response = post_document(client)
    assert response.get_json()["document"]["eventIds"] == ["evt-1-0", "evt-2-0"]
    assert response.get_json()["document"]["delivery"] == {
        "status": "delivered",
        "attempts": 1,
        "lastError": None,
        "nextAttemptAt": None,
    }
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(Document.id))) == 1


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({}, "documentName is missing"),
        ({"documentName": None}, "documentName is missing"),
        ({"documentName": ""}, "documentName is empty"),
        ({"documentName": "   "}, "documentName is empty"),
        ({"documentName": 42}, "documentName must be a string"),
        ({"documentName": ["a.pdf"]}, "documentName must be a string"),
        ({"documentName": "../other-user/x.pdf"}, "'..' path segments"),
        ({"documentName": "a/../../b.pdf"}, "'..' path segments"),
        ({"documentName": "./a.pdf"}, "'.' or '..' path segments"),
        ({"documentName": "a//b.pdf"}, "empty, '.' or '..' path segments"),
        ({"documentName": "a/"}, "empty, '.' or '..' path segments"),
        ({"documentName": "/etc/passwd"}, "must not start with /"),
        ({"documentName": "a\\b.pdf"}, "backslash"),
        ({"documentName": "a\x00b.pdf"}, "control"),
        ({"documentName": "a\nb.pdf"}, "control"),
        ({"documentName": "invoice\u202efdp.exe"}, "control"),
        ({"documentName": "\uff0e\uff0e/x.pdf"}, "'..' path segments"),
        ({"documentName": "\u00e9" * 600}, "too long"),
    ],
)
def test_bad_document_name_is_400_saying_what_is_wrong(auth, client, event_api, body, message):
    auth.login()
    response = client.post("/api/route", json=body)
    assert response.status_code == 400
    assert message in response.get_json()["error"]
    assert event_api.requests == 0


def test_form_body_is_415(auth, client):
    auth.login()
    response = client.post("/api/route", data={"documentName": "a.pdf"})
    assert response.status_code == 415
    assert response.is_json


@pytest.mark.parametrize("raw", ["{broken", "[]", '"a.pdf"', "null"])
def test_body_that_is_not_a_json_object_is_400(auth, client, raw):
    auth.login()
    response = client.post("/api/route", data=raw, content_type="application/json")
    assert response.status_code == 400
    assert response.is_json


def test_oversized_body_is_413_json(auth, client):
    auth.login()
    response = client.post("/api/route", json={"documentName": "a.pdf", "padding": "x" * 70_000})
    assert response.status_code == 413
    assert response.get_json()["error"] == "request body too large"


@on_both_databases
def test_name_is_normalised_before_it_is_stored(auth, client, event_api):
    auth.login()
    response = post_document(client, "cafe\u0301.pdf")
    assert response.get_json()["document"]["name"] == "caf\u00e9.pdf"


@on_both_databases
class TestEventApiFailures:
    """Every failure mode of the SDK's send_sync: the request is still accepted (202 queued), nothing is lost."""

    def assert_queued(self, app, response, name="report.pdf"):
        assert response.status_code == 202
        body = response.get_json()
        assert body["status"] == "queued"
        assert body["eventIds"] == []
        delivery = body["document"]["delivery"]
        assert delivery["status"] == "pending"
        assert delivery["attempts"] == 1
        assert delivery["lastError"]
        text = response.get_data(as_text=True)
        assert "Traceback" not in text
        assert stored_document(app, name).status == "queued"

    def assert_relay_delivers_the_same_event(self, app, event_api):
        event_api.answer()  # the Event API is back
        with app.app_context():
            [pending] = db.session.scalars(db.select(OutboxEvent)).all()
            event_id = pending.event_id
            delivered, failed = flush(app.extensions["inngest"], now=pending.next_attempt_at)
            assert (delivered, failed) == (1, 0)
            assert db.session.scalar(db.select(OutboxEvent.status)) == "delivered"
        assert [event["id"] for event in event_api.received] == [event_id]

    def test_event_api_500_with_html_body(self, app, auth, client, event_api):
        # The SDK retries 5xx, then parses the HTML as JSON: a raw JSONDecodeError.
        event_api.answer(status=500, body=b"<html>Internal Server Error</html>", content_type="text/html")
        auth.login()
        self.assert_queued(app, post_document(client))
        assert event_api.requests == 5
        self.assert_relay_delivers_the_same_event(app, event_api)

    def test_event_api_error_json(self, app, auth, client, event_api):
        event_api.answer(status=400, body=b'{"error": "event key not found", "status": 400}')
        auth.login()
        response = post_document(client)
        self.assert_queued(app, response)
        assert "event key not found" in response.get_json()["document"]["delivery"]["lastError"]
        self.assert_relay_delivers_the_same_event(app, event_api)

    def test_event_api_empty_id_list_without_error(self, app, auth, client, event_api):
        # Returned by the SDK without raising: must still count as not delivered.
        event_api.answer(status=401, body=b'{"ids": [], "status": 401}')
        auth.login()
        response = post_document(client)
        self.assert_queued(app, response)
        assert "empty id list" in response.get_json()["document"]["delivery"]["lastError"]
        self.assert_relay_delivers_the_same_event(app, event_api)

    def test_event_api_rate_limited_with_plain_text(self, app, auth, client, event_api):
        event_api.answer(status=429, body=b"slow down", content_type="text/plain")
        auth.login()
        self.assert_queued(app, post_document(client))
        self.assert_relay_delivers_the_same_event(app, event_api)

    def test_event_api_hangs_past_the_timeout(self, app, auth, client, event_api):
        event_api.answer(delay=1.5)
        auth.login()
        self.assert_queued(app, post_document(client))

    def test_event_api_unreachable(self, app_with):
        app = app_with(INNGEST_BASE_URL=f"http://127.0.0.1:{free_port()}")
        client = app.test_client()
        AuthActions(app, client).login()
        self.assert_queued(app, post_document(client))

    def test_no_event_key_in_production_mode(self, app_with):
        app = app_with(INNGEST_DEV=False, INNGEST_SIGNING_KEY="signkey-test-0123456789abcdef")
        client = app.test_client()
        AuthActions(app, client).login()
        response = post_document(client, base_url="https://localhost")
        self.assert_queued(app, response)
        assert "EventKeyUnspecifiedError" in response.get_json()["document"]["delivery"]["lastError"]
