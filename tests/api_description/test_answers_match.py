"""Real answers, from the test client, checked against the description's schema for their route and status:
what a fuzzer following the description checks too."""

from __future__ import annotations

import json
from typing import Any

import pytest
from jsonschema import Draft202012Validator  # type: ignore[import-untyped]  # its stubs are a separate package

from api_description.builder import build_description
from documents.models import Document
from documents.service import describe_document
from extensions import db

URL = "https://hooks.example.com/documents"
NAME = "notes/plan.txt"
DOCUMENT = "/api/documents/{document_name}"


class Described:
    """Checks each answer against the description: its status is listed, its body fits, its headers are sent."""

    def __init__(self, description: dict[str, Any]) -> None:
        self.description = description
        self.checked: set[tuple[str, str, int]] = set()

    def check(self, response: Any, method: str, path: str) -> Any:
        responses = self.description["paths"][path][method]["responses"]
        status = response.status_code
        assert str(status) in responses, f"{method} {path} answered {status}, which the description does not list"
        described = responses[str(status)]
        schema = described.get("content", {}).get("application/json", {}).get("schema")
        body = response.get_json(silent=True)
        if schema is None:
            assert body is None, f"{method} {path} {status} answered JSON the description does not describe"
        else:
            validator = Draft202012Validator({**schema, "components": self.description["components"]})
            problems = [f"{list(error.absolute_path)}: {error.message}" for error in validator.iter_errors(body)]
            assert problems == [], f"{method} {path} {status}: {problems}"
        for header in described.get("headers", {}):
            assert header in response.headers, f"{method} {path} {status} lacks {header}"
        self.checked.add((method, path, status))
        return body


@pytest.fixture
def described(app) -> Described:
    return Described(build_description(app))


def test_auth_answers_fit_the_description(auth, client, described):
    described.check(client.get("/auth/me"), "get", "/auth/me")
    described.check(client.post("/auth/login", json={"email": 1}), "post", "/auth/login")
    described.check(client.post("/auth/login", data="x"), "post", "/auth/login")
    auth.login()
    described.check(
        client.post("/auth/login", json={"email": "alice@example.com", "password": "no"}), "post", "/auth/login"
    )
    described.check(auth.login(), "post", "/auth/login")
    described.check(client.get("/auth/me"), "get", "/auth/me")
    described.check(client.post("/auth/password", json={"currentPassword": "x"}), "post", "/auth/password")
    described.check(client.delete("/auth/me", json={}), "delete", "/auth/me")
    described.check(client.post("/auth/logout"), "post", "/auth/logout")
    assert {status for _, _, status in described.checked} == {200, 400, 401, 415}


def test_token_answers_fit_the_description(auth, client, described):
    auth.login()
    created = described.check(client.post("/api/tokens", json={"name": "backup"}), "post", "/api/tokens")
    described.check(client.post("/api/tokens", json={"name": ""}), "post", "/api/tokens")
    described.check(client.get("/api/tokens"), "get", "/api/tokens")
    bearer = {"Authorization": f"Bearer {created['token']['token']}"}
    described.check(client.post("/api/tokens", json={"name": "x"}, headers=bearer), "post", "/api/tokens")
    wrong = {"Authorization": "Bearer dsk_wrong"}
    described.check(client.get("/api/documents", headers=wrong), "get", "/api/documents")
    token_id = created["token"]["id"]
    described.check(client.delete(f"/api/tokens/{token_id}"), "delete", "/api/tokens/{token_id}")
    described.check(client.delete(f"/api/tokens/{token_id}"), "delete", "/api/tokens/{token_id}")
    assert {status for _, _, status in described.checked} == {200, 201, 400, 401, 403, 404}


def test_document_answers_fit_the_description(submit, client, described):
    submit(NAME, b"the quarterly plan, in words a search finds")
    described.check(client.post("/api/route", json={"documentName": NAME}), "post", "/api/route")
    described.check(client.post("/api/route", json={"documentName": "/x"}), "post", "/api/route")
    described.check(client.post("/api/route", data="{}"), "post", "/api/route")
    described.check(client.get("/api/documents?limit=2"), "get", "/api/documents")
    described.check(client.get("/api/documents?sort=sideways"), "get", "/api/documents")
    described.check(client.get(f"/api/documents/{NAME}"), "get", DOCUMENT)
    described.check(client.get("/api/documents/nobody.txt"), "get", DOCUMENT)
    described.check(client.get(f"/api/documents/{NAME}/chunks"), "get", DOCUMENT + "/chunks")
    described.check(client.get("/api/search?q=quarterly"), "get", "/api/search")
    described.check(client.get("/api/search"), "get", "/api/search")
    described.check(client.post(f"/api/documents/{NAME}/reprocess"), "post", DOCUMENT + "/reprocess")
    download = client.get(f"/api/documents/{NAME}/download", headers={"Accept": "application/json"})
    described.check(download, "get", DOCUMENT + "/download")
    described.check(client.get(f"/api/documents/{NAME}/download"), "get", DOCUMENT + "/download")
    described.check(client.delete(f"/api/documents/{NAME}"), "delete", DOCUMENT)
    described.check(client.get("/api/trash"), "get", "/api/trash")
    described.check(client.get(f"/api/documents/{NAME}"), "get", DOCUMENT)
    described.check(client.post(f"/api/documents/{NAME}/restore"), "post", DOCUMENT + "/restore")
    described.check(client.delete(f"/api/trash/{NAME}"), "delete", "/api/trash/{document_name}")
    described.check(client.delete(f"/api/documents/{NAME}", query_string={"purge": "1"}), "delete", DOCUMENT)
    described.check(client.delete("/api/trash"), "delete", "/api/trash")
    assert {status for _, _, status in described.checked} >= {200, 303, 400, 404, 409, 415}


def test_upload_answers_fit_the_description(auth, client, described):
    auth.login()
    body = {"documentName": NAME, "contentType": "text/plain", "size": 10}
    described.check(client.post("/api/uploads", json=body), "post", "/api/uploads")
    described.check(client.post("/api/uploads", json={**body, "size": True}), "post", "/api/uploads")


def test_webhook_answers_fit_the_description(auth, client, described):
    auth.login()
    described.check(client.get("/api/webhook"), "get", "/api/webhook")
    described.check(client.put("/api/webhook", json={"url": "ftp://x"}), "put", "/api/webhook")
    described.check(client.put("/api/webhook", json={"url": URL}), "put", "/api/webhook")
    described.check(client.put("/api/webhook", json={"url": URL + "/v2"}), "put", "/api/webhook")
    described.check(client.get("/api/webhook"), "get", "/api/webhook")
    described.check(client.post("/api/webhook/secret"), "post", "/api/webhook/secret")
    described.check(client.get("/api/webhook/deliveries"), "get", "/api/webhook/deliveries")
    described.check(client.delete("/api/webhook"), "delete", "/api/webhook")
    assert {status for _, _, status in described.checked} == {200, 201, 400, 404}


def test_a_cross_site_write_is_a_described_403(auth, client, described):
    auth.login()
    refused = client.delete("/api/trash", headers={"Origin": "https://elsewhere.example"})

    described.check(refused, "delete", "/api/trash")
    assert refused.status_code == 403


def test_open_answers_fit_the_description(client, described):
    described.check(client.get("/healthz"), "get", "/healthz")
    described.check(client.get("/api/openapi.json"), "get", "/api/openapi.json")
    described.check(client.get("/api/docs"), "get", "/api/docs")
    described.check(client.post("/auth/logout"), "post", "/auth/logout")


def webhook_body_schema(description: dict[str, Any], event_type: str) -> Draft202012Validator:
    schema = description["webhooks"][event_type]["post"]["requestBody"]["content"]["application/json"]["schema"]
    return Draft202012Validator({**schema, "components": description["components"]})


def test_a_webhook_message_as_posted_fits_its_event_schema(app, submit, described):
    submit(NAME, b"words")
    with app.app_context():
        document = db.session.scalar(db.select(Document).where(Document.name == NAME))
        shown = describe_document(document)
    for event_type in ("document.processed", "document.failed", "document.trashed"):
        body = json.loads(json.dumps({"type": event_type, "document": shown}))
        assert list(webhook_body_schema(described.description, event_type).iter_errors(body)) == []
    assert not webhook_body_schema(described.description, "document.purged").is_valid(
        {"type": "document.purged", "document": shown}
    )
