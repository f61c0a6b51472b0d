"""End to end, against the real Inngest dev server: sign in, upload, POST, watch the status, check the run."""

from __future__ import annotations

import hashlib

import pytest

from tests.support.sample_documents import MARKER, SAMPLES

# The formats whose blocks carry a page (a slide, a sheet): each sample's first chunk is on page 1.
PAGED = (".pdf", ".pptx", ".xlsx", ".ods", ".odp")


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_each_supported_type_is_processed_end_to_end(stack, name):
    client = stack.user(f"{name}@example.com")
    content = SAMPLES[name]()
    stack.upload(client, name, content)

    response = client.post("/api/route", json={"documentName": name})
    assert response.status_code == 200, response.text
    [event_id] = response.json()["eventIds"]

    document = stack.settled(client, name, "processed", "failed")
    assert document["status"] == "processed", document["error"]
    assert document["contentHash"] == hashlib.sha256(content).hexdigest()
    chunks = [text for _, text in stack.chunks(name)]
    assert document["chunkCount"] == len(chunks) > 0
    assert MARKER in "\n".join(chunks)
    assert stack.server.finished_run(event_id)["output"]["status"] == "processed"
    pulled = client.get(f"/api/documents/{name}/chunks", params={"limit": 200}).json()["chunks"]
    assert [chunk["text"] for chunk in pulled] == chunks
    assert pulled[0]["pages"] == ([1, 1] if name.endswith(PAGED) else None)


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("never-uploaded.pdf", None, "document not found"),
        ("corrupt.pdf", b"%PDF-1.7 not really", "the PDF is damaged beyond repair or not a PDF"),
        ("program.exe", b"MZ", "not supported"),
        pytest.param(
            "report.pdf",
            SAMPLES["notes.docx"](),
            "the file's content is not a PDF document (it looks like a Word document)",
            id="a-word-document-named-pdf",
        ),
    ],
)
def test_documents_that_cannot_be_processed_end_failed_with_the_reason(stack, name, content, reason):
    client = stack.user(f"failing-{name}@example.com")
    if content is not None:
        stack.upload(client, name, content)
    event_id = client.post("/api/route", json={"documentName": name}).json()["eventIds"][0]

    document = stack.settled(client, name, "failed")
    assert reason in document["error"]
    assert stack.server.finished_run(event_id, "Failed")["status"] == "Failed"


def test_posting_an_unchanged_document_twice_stores_its_chunks_once(stack):
    client = stack.user("twice@example.com")
    stack.upload(client, "twice.txt", SAMPLES["notes.txt"]())
    first = client.post("/api/route", json={"documentName": "twice.txt"}).json()["eventIds"][0]
    stack.settled(client, "twice.txt", "processed")
    chunks = stack.chunks("twice.txt")
    second = client.post("/api/route", json={"documentName": "twice.txt"}).json()["eventIds"][0]

    assert stack.settled(client, "twice.txt", "unchanged")["chunkCount"] == len(chunks)
    assert stack.chunks("twice.txt") == chunks
    runs = [stack.server.finished_run(event) for event in (first, second)]
    assert [run["output"]["status"] for run in runs] == ["processed", "unchanged"]


def test_one_user_can_neither_process_nor_see_anothers_document(stack):
    alice = stack.user("alice-e2e@example.com")
    bob = stack.user("bob-e2e@example.com")
    stack.upload(alice, "private.txt", SAMPLES["notes.txt"]())
    alice.post("/api/route", json={"documentName": "private.txt"})
    stack.settled(alice, "private.txt", "processed")

    assert bob.get("/api/documents/private.txt").status_code == 404
    bob.post("/api/route", json={"documentName": "private.txt"})  # looks in bob's own folder
    assert "document not found" in stack.settled(bob, "private.txt", "failed")["error"]
    assert stack.settled(alice, "private.txt", "processed")["status"] == "processed"
