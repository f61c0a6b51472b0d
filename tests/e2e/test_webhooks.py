"""End to end with the real Inngest server: a script holding only a token posts a document, receives the
signed webhook when it is done on a receiver on loopback, and fetches the chunks."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from standardwebhooks import Webhook

from tests.support.polling import wait_until
from tests.support.sample_documents import MARKER, SAMPLES
from tests.support.webhook_receiver import Receiver, webhook_receiver


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with webhook_receiver() as running:
        yield running


def script_for(stack, email: str) -> tuple[httpx.Client, httpx.Client]:
    """(the person, signed in with the password; their script, holding only a token the person made)."""
    person = stack.user(email)
    token = person.post("/api/tokens", json={"name": "e2e script", "expiresInDays": 1}).json()["token"]["token"]
    script = httpx.Client(base_url=stack.app_url, timeout=30, headers={"Authorization": f"Bearer {token}"})
    stack.clients.append(script)
    return person, script


def received_webhook(receiver: Receiver, secret: str, document_name: str) -> dict[str, Any]:
    def verified() -> dict[str, Any] | None:
        for request in receiver.requests():
            payload: dict[str, Any] = Webhook(secret).verify(request.body, request.headers)
            if payload["document"]["name"] == document_name:
                return payload
        return None

    return wait_until(verified, f"the webhook for {document_name}", timeout=60)


def test_a_script_with_a_token_posts_a_document_gets_the_signed_webhook_and_reads_the_chunks(stack, receiver):
    person, script = script_for(stack, "webhook-script@example.com")
    webhook = script.put("/api/webhook", json={"url": f"{receiver.url}/hooks"})
    assert webhook.status_code == 201, webhook.text
    secret = webhook.json()["webhook"]["secret"]
    stack.upload(person, "notes.txt", SAMPLES["notes.txt"]())

    posted = script.post("/api/route", json={"documentName": "notes.txt"})
    assert posted.status_code in (200, 202), posted.text
    payload = received_webhook(receiver, secret, "notes.txt")

    assert payload["type"] == "document.processed"
    assert payload["document"] == script.get("/api/documents/notes.txt").json()["document"]
    chunks = script.get("/api/documents/notes.txt/chunks", params={"limit": 200}).json()["chunks"]
    assert len(chunks) == payload["document"]["chunkCount"] > 0
    assert MARKER in "\n".join(chunk["text"] for chunk in chunks)
    [delivery] = script.get("/api/webhook/deliveries").json()["deliveries"]
    assert (delivery["type"], delivery["status"], delivery["attempt"]) == ("document.processed", "delivered", 0)
    assert delivery["id"] == receiver.requests()[0].headers["webhook-id"]


def test_a_document_that_fails_is_told_as_document_failed(stack, receiver):
    _, script = script_for(stack, "webhook-failed@example.com")
    secret = script.put("/api/webhook", json={"url": f"{receiver.url}/hooks"}).json()["webhook"]["secret"]
    script.post("/api/route", json={"documentName": "never-uploaded.pdf"})

    payload = received_webhook(receiver, secret, "never-uploaded.pdf")
    assert payload["type"] == "document.failed"
    assert "document not found" in payload["document"]["error"]
