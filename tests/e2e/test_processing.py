"""End to end, against the real Inngest dev server: sign in, upload, POST, watch the status, check the run."""

from __future__ import annotations

import hashlib

import pytest

from documents.models import Chunk, Document
from extensions import db
from tests.e2e.conftest import Stack
from tests.sample_documents import MARKER, SAMPLES
from tests.support.inngest_server import wait_until


def upload(stack: Stack, s3, client, name: str, content: bytes) -> None:
    user_id = client.get("/auth/me").json()["user"]["id"]
    s3.put_object(Bucket=stack.bucket, Key=f"users/{user_id}/{name}", Body=content)


def settled(client, name: str, *statuses: str):
    def document():
        found = client.get(f"/api/documents/{name}").json()["document"]
        return found if found["status"] in statuses else None

    return wait_until(document, f"{name} to become {' or '.join(statuses)}")


def stored_chunks(stack: Stack, name: str) -> list[str]:
    with stack.database_app.app_context():
        document = db.session.scalar(db.select(Document).where(Document.name == name))
        return list(db.session.scalars(db.select(Chunk.text).where(Chunk.document_id == document.id)))


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_each_supported_type_is_processed_end_to_end(stack, s3, name):
    client = stack.user(f"{name}@example.com")
    content = SAMPLES[name]()
    upload(stack, s3, client, name, content)

    response = client.post("/api/route", json={"documentName": name})
    assert response.status_code == 200, response.text
    [event_id] = response.json()["eventIds"]

    document = settled(client, name, "processed", "failed")
    assert document["status"] == "processed", document["error"]
    assert document["contentHash"] == hashlib.sha256(content).hexdigest()
    chunks = stored_chunks(stack, name)
    assert document["chunkCount"] == len(chunks) > 0
    assert MARKER in "\n".join(chunks)
    assert stack.server.finished_run(event_id)["output"]["status"] == "processed"


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("never-uploaded.pdf", None, "document not found"),
        ("corrupt.pdf", b"%PDF-1.7 not really", "the PDF is damaged or not a PDF"),
        ("program.exe", b"MZ", "not supported"),
    ],
)
def test_documents_that_cannot_be_processed_end_failed_with_the_reason(stack, s3, name, content, reason):
    client = stack.user(f"failing-{name}@example.com")
    if content is not None:
        upload(stack, s3, client, name, content)
    event_id = client.post("/api/route", json={"documentName": name}).json()["eventIds"][0]

    document = settled(client, name, "failed")
    assert reason in document["error"]
    assert stack.server.finished_run(event_id, "Failed")["status"] == "Failed"


def test_posting_an_unchanged_document_twice_stores_its_chunks_once(stack, s3):
    client = stack.user("twice@example.com")
    upload(stack, s3, client, "twice.txt", SAMPLES["notes.txt"]())
    first = client.post("/api/route", json={"documentName": "twice.txt"}).json()["eventIds"][0]
    settled(client, "twice.txt", "processed")
    chunks = stored_chunks(stack, "twice.txt")
    second = client.post("/api/route", json={"documentName": "twice.txt"}).json()["eventIds"][0]

    assert settled(client, "twice.txt", "unchanged")["chunkCount"] == len(chunks)
    assert stored_chunks(stack, "twice.txt") == chunks
    runs = [stack.server.finished_run(event) for event in (first, second)]
    assert [run["output"]["status"] for run in runs] == ["processed", "unchanged"]


def test_one_user_can_neither_process_nor_see_anothers_document(stack, s3):
    alice = stack.user("alice-e2e@example.com")
    bob = stack.user("bob-e2e@example.com")
    upload(stack, s3, alice, "private.txt", SAMPLES["notes.txt"]())
    alice.post("/api/route", json={"documentName": "private.txt"})
    settled(alice, "private.txt", "processed")

    assert bob.get("/api/documents/private.txt").status_code == 404
    bob.post("/api/route", json={"documentName": "private.txt"})  # looks in bob's own folder
    assert "document not found" in settled(bob, "private.txt", "failed")["error"]
    assert settled(alice, "private.txt", "processed")["status"] == "processed"
