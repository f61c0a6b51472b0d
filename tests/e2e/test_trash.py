"""The trash against the real Inngest server: purge after a retention of a few seconds, restore while the purge
sleeps, delete while processing, delete then post the same name, two deletes at once, a purge whose S3 call fails.

One stack for the module, its S3 behind a gate (tests/support/s3_gate.py) that can hold a download or fail deletes.
"""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import boto3
import httpx
import pytest
from standardwebhooks import Webhook

from documents.models import Chunk, Document, PurgedDocument
from extensions import db
from tests.conftest import REGION
from tests.e2e.conftest import Stack, running_stack
from tests.support.polling import wait_until
from tests.support.s3_gate import DownloadGate, gated_s3
from tests.support.sample_documents import text_document
from tests.support.webhook_receiver import Receiver, webhook_receiver

DELETED = "documents/document.deleted"
RETENTION_SECONDS = 8
ZEBRA = b"The zebra crossing is closed on Mondays. " * 20
GIRAFFE = b"The giraffe enclosure opens at nine every morning. " * 20
PURGE_STEPS = ["notify-trashed", "wait-for-retention", "start-purge", "delete-object", "delete-chunks",
               "delete-records", "delete-row", "notify-purged", "delete-closed-account"]  # fmt: skip


@pytest.fixture(scope="module")
def gated(s3_endpoint: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Stack, DownloadGate]]:
    with (
        gated_s3(s3_endpoint) as (gated_endpoint, gate),
        running_stack(
            s3_endpoint,
            tmp_path_factory.mktemp("trash"),
            overrides={"AWS_ENDPOINT_URL": gated_endpoint, "TRASH_RETENTION_DAYS": RETENTION_SECONDS / 86400},
        ) as stack,
    ):
        yield stack, gate


@pytest.fixture
def stack(gated: tuple[Stack, DownloadGate]) -> Stack:
    return gated[0]


@pytest.fixture
def gate(gated: tuple[Stack, DownloadGate]) -> DownloadGate:
    return gated[1]


def processed(stack: Stack, client: httpx.Client, name: str, content: bytes) -> dict[str, Any]:
    stack.upload(client, name, content)
    assert client.post("/api/route", json={"documentName": name}).status_code == 200
    return stack.settled(client, name, "processed")


def found(client: httpx.Client, query: str) -> set[str]:
    response = client.get("/api/search", params={"q": query})
    assert response.status_code == 200, response.text
    return {hit["documentName"] for hit in response.json()["results"]}


def purge_run(stack: Stack, document_id: int, status: str = "Completed", timeout: float = 90) -> dict[str, Any]:
    """The purge-document run of the (last) delete event for the document, once it has ended with `status`."""
    events = wait_until(
        lambda: [event for event in stack.server.events(DELETED) if event["data"]["documentId"] == document_id],
        f"the server to receive the delete event of document {document_id}",
    )

    def ended() -> dict[str, Any] | None:
        for run in stack.server.runs_of(events[0]["internal_id"]):
            # While the run sleeps after a step, the server's list may call it Completed with that step's output.
            if run["status"] == status and (status != "Completed" or "purged" in (run.get("output") or {})):
                return run
        return None

    return wait_until(ended, f"a {status} purge run of document {document_id}", timeout)


def purge_sleeping(stack: Stack, document_id: int) -> bool:
    """Whether the document's purge run has started and sleeps out the retention now. Asked of the run's trace:
    once a step has run before the sleep, the server's list of runs may call the sleeping run Completed."""
    for event in stack.server.events(DELETED):
        if event["data"]["documentId"] != document_id:
            continue
        for run in stack.server.runs_of(event["internal_id"]):
            if any(
                step["name"] == "wait-for-retention" and step["status"] == "WAITING"
                for step in stack.server.steps_of(run["run_id"])
            ):
                return True
    return False


def document_id_of(stack: Stack, client: httpx.Client, name: str) -> int:
    with stack.database_app.app_context():
        key = stack.key_of(client, name)
        document_id = db.session.scalar(
            db.select(Document.id).where(Document.s3_key == key).order_by(Document.id.desc()).limit(1)
        )
        assert document_id is not None
        return int(document_id)


def stored_versions(stack: Stack, key: str) -> list[str]:
    s3 = boto3.client("s3", region_name=REGION, endpoint_url=stack.s3_endpoint)
    try:
        answer = s3.list_object_versions(Bucket=stack.bucket, Prefix=key)
    finally:
        s3.close()
    return [version["VersionId"] for version in answer.get("Versions", []) if version["Key"] == key]


def left_in_database(stack: Stack, document_id: int, client: httpx.Client) -> tuple[bool, int, bool]:
    """(row still there, chunks still there, tombstone written) for the client's document."""
    owner = int(client.get("/auth/me").json()["user"]["id"])
    with stack.database_app.app_context():
        row = db.session.get(Document, document_id) is not None
        chunks = db.session.scalar(db.select(db.func.count()).where(Chunk.document_id == document_id)) or 0
        # SQLite gives a purged document's id to the next one: the tombstone is told apart by its owner.
        tombstone = db.session.scalar(
            db.select(PurgedDocument.id).where(
                PurgedDocument.document_id == document_id, PurgedDocument.user_id == owner
            )
        )
        return row, int(chunks), tombstone is not None


def webhooks_told(receiver: Receiver, secret: str) -> list[str]:
    """The types of the signed webhooks the receiver has taken, in order, once per `webhook-id` as a receiver
    dedupes them (a delivery may come twice); a bad signature fails."""
    told: dict[str, str] = {}
    for request in receiver.requests():
        payload = Webhook(secret).verify(request.body, request.headers)
        told.setdefault(request.headers["webhook-id"], payload["type"])
    return list(told.values())


def test_a_deleted_document_leaves_search_at_once_and_is_purged_after_the_retention(stack):
    client = stack.user("purged@example.com")
    processed(stack, client, "zebra.txt", ZEBRA)
    document_id = document_id_of(stack, client, "zebra.txt")
    key = stack.key_of(client, "zebra.txt")
    assert found(client, "zebra") == {"zebra.txt"}

    with webhook_receiver() as receiver:
        secret = client.put("/api/webhook", json={"url": f"{receiver.url}/hooks"}).json()["webhook"]["secret"]
        deleted = client.delete("/api/documents/zebra.txt")

        assert deleted.status_code == 200
        assert deleted.json()["document"]["status"] == "trashed"
        assert found(client, "zebra") == set()
        # Told before the retention's sleep: the document is still in the trash when its owner hears.
        wait_until(lambda: webhooks_told(receiver, secret), "the document.trashed webhook")
        assert webhooks_told(receiver, secret) == ["document.trashed"]
        assert [document["name"] for document in client.get("/api/trash").json()["documents"]] == ["zebra.txt"]
        run = purge_run(stack, document_id)
        assert webhooks_told(receiver, secret) == ["document.trashed", "document.purged"]
        purged_payload = Webhook(secret).verify(receiver.requests()[-1].body, receiver.requests()[-1].headers)
    assert (purged_payload["document"]["name"], purged_payload["document"]["status"]) == ("zebra.txt", "purged")
    assert run["output"]["purged"] is True
    traced = [step["name"] for step in stack.server.steps_of(run["run_id"]) if step["name"] in PURGE_STEPS]
    assert list(dict.fromkeys(traced)) == PURGE_STEPS
    assert stored_versions(stack, key) == []
    assert left_in_database(stack, document_id, client) == (False, 0, True)
    assert client.get("/api/trash").json()["documents"] == []


def test_restoring_while_the_purge_sleeps_cancels_it_and_the_document_is_whole(stack):
    client = stack.user("restored@example.com")
    before = processed(stack, client, "zebra.txt", ZEBRA)
    document_id = document_id_of(stack, client, "zebra.txt")
    client.delete("/api/documents/zebra.txt")
    wait_until(lambda: purge_sleeping(stack, document_id), "the purge to sleep")

    restored = client.post("/api/documents/zebra.txt/restore")

    assert restored.status_code == 200, restored.text
    purge_run(stack, document_id, "Cancelled")
    document = client.get("/api/documents/zebra.txt").json()["document"]
    assert (document["status"], document["chunkCount"], document["contentHash"]) == (
        "processed",
        before["chunkCount"],
        before["contentHash"],
    )
    assert found(client, "zebra") == {"zebra.txt"}
    assert len(stored_versions(stack, stack.key_of(client, "zebra.txt"))) == 1
    assert left_in_database(stack, document_id, client) == (True, before["chunkCount"], False)


def test_a_document_deleted_while_processing_leaves_nothing_behind(stack, gate):
    client = stack.user("mid-run@example.com")
    stack.upload(client, "report.txt", text_document())
    key = stack.key_of(client, "report.txt")
    gate.hold(stack.bucket, key)
    [event_id] = client.post("/api/route", json={"documentName": "report.txt"}).json()["eventIds"]
    wait_until(lambda: gate.downloads_waiting >= 1, "extract-and-store to start downloading the object")
    document_id = document_id_of(stack, client, "report.txt")

    client.delete("/api/documents/report.txt")
    stack.server.finished_run(event_id, "Cancelled")
    gate.release()

    assert purge_run(stack, document_id)["output"]["purged"] is True
    assert stored_versions(stack, key) == []
    assert left_in_database(stack, document_id, client) == (False, 0, True)
    assert client.get("/api/documents/report.txt").status_code == 404


def test_a_name_posted_again_after_a_delete_is_a_new_document_and_keeps_its_object(stack):
    client = stack.user("again@example.com")
    processed(stack, client, "notes.txt", ZEBRA)
    old_id = document_id_of(stack, client, "notes.txt")
    client.delete("/api/documents/notes.txt")

    document = processed(stack, client, "notes.txt", GIRAFFE)

    assert document_id_of(stack, client, "notes.txt") != old_id
    assert found(client, "zebra") == set()
    assert found(client, "giraffe") == {"notes.txt"}
    assert purge_run(stack, old_id)["output"]["purged"] is True
    assert left_in_database(stack, old_id, client) == (False, 0, True)
    assert len(stored_versions(stack, stack.key_of(client, "notes.txt"))) == 1
    assert client.get("/api/documents/notes.txt").json()["document"]["chunkCount"] == document["chunkCount"] > 0


def test_two_deletes_at_once_trash_the_document_once(stack):
    client = stack.user("twice@example.com")
    processed(stack, client, "zebra.txt", ZEBRA)
    document_id = document_id_of(stack, client, "zebra.txt")

    with ThreadPoolExecutor(2) as pool:
        answers = list(pool.map(lambda _: client.delete("/api/documents/zebra.txt"), range(2)))

    assert [answer.status_code for answer in answers] == [200, 200]
    assert answers[0].json()["document"]["trashedAt"] == answers[1].json()["document"]["trashedAt"]
    assert purge_run(stack, document_id)["output"]["purged"] is True
    sent = [event for event in stack.server.events(DELETED) if event["data"]["documentId"] == document_id]
    assert len(sent) == 1


def test_a_purge_whose_s3_delete_fails_is_retried_and_never_shown_half_done(stack, gate):
    client = stack.user("s3-down@example.com")
    processed(stack, client, "zebra.txt", ZEBRA)
    document_id = document_id_of(stack, client, "zebra.txt")
    key = stack.key_of(client, "zebra.txt")
    # boto3 makes three attempts at each call: the step's first attempt fails, Inngest retries it.
    gate.fail_deletes(3)

    client.delete("/api/documents/zebra.txt?purge=1")
    wait_until(lambda: gate.deletes_failed == 3, "the purge's S3 delete to fail")

    # Meanwhile the document is in the trash, whole, and can no longer be restored.
    [shown] = client.get("/api/trash").json()["documents"]
    assert (shown["name"], shown["status"]) == ("zebra.txt", "trashed")
    assert client.post("/api/documents/zebra.txt/restore").status_code == 409
    assert found(client, "zebra") == set()
    run = purge_run(stack, document_id, timeout=180)
    # Every attempt boto3 made within the step's first attempt failed: the delete that went through is Inngest's retry.
    assert run["output"]["objectVersions"] == 1
    assert gate.deletes_failed == 3
    assert stored_versions(stack, key) == []
    assert left_in_database(stack, document_id, client) == (False, 0, True)
