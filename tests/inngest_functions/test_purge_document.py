"""purge-document, driven as the executor drives it: what a purge deletes, what it leaves, and what it refuses.
On SQLite and on PostgreSQL. Against the real Inngest server: tests/e2e/test_trash.py."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import text

from documents.models import Chunk, Document, PurgedDocument
from extensions import db
from http_plumbing.idempotency import IdempotencyKey
from outbox import OutboxEvent
from tests.support.inngest_executor import PROCESS_DOCUMENT, PURGE_DOCUMENT, execute
from tests.support.postgres import on_both_databases
from timestamps import utcnow

pytestmark = on_both_databases

ZEBRA = b"The zebra crossing is closed on Mondays. " * 20
GIRAFFE = b"The giraffe enclosure opens at nine every morning. " * 20


@pytest.fixture
def versioned(s3, bucket):
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    return bucket


def last_event(event_api, name: str) -> Any:
    return [event for event in event_api.received if event["name"] == name][-1]


def index_entries(app, key: str) -> int | None:
    """How many chunks SQLite's index holds under the word "zebra" for the key's owner; None on PostgreSQL,
    where a chunk's index entry is a column of its row."""
    with app.app_context():
        if db.engine.dialect.name != "sqlite":
            return None
        owner = key.split("/")[1]
        query = text("SELECT count(*) FROM chunks_search WHERE chunks_search MATCH :term")
        count: int = db.session.scalar(query, {"term": f'"{owner}_zebra"'})
        return count


def purge_now(client, event_api, name: str):
    assert client.delete(f"/api/documents/{name}?purge=1").status_code == 200
    return execute(client, PURGE_DOCUMENT, last_event(event_api, "documents/document.deleted"))


def test_a_purge_deletes_every_trace_but_a_tombstone(app, client, s3, versioned, submit, event_api):
    uploaded = submit("zebra.txt", ZEBRA)
    s3.put_object(Bucket=versioned, Key=uploaded.key, Body=ZEBRA)  # a second version of the same bytes
    assert execute(client, PROCESS_DOCUMENT, uploaded.event).output["status"] == "processed"
    keyed = client.post("/api/route", json={"documentName": "zebra.txt"}, headers={"Idempotency-Key": "k-1"})
    assert keyed.status_code == 200
    document_id = uploaded.event["data"]["documentId"]
    chunk_count = client.get("/api/documents/zebra.txt").get_json()["document"]["chunkCount"]
    assert index_entries(app, uploaded.key) in (None, chunk_count)

    run = purge_now(client, event_api, "zebra.txt")

    assert run.output["purged"] is True
    assert run.output["objectVersions"] == 2
    assert run.output["chunks"] > 0
    assert run.step_names == ["notify-trashed", "wait-for-retention", "start-purge", "delete-object",
                              "delete-chunks", "delete-records", "delete-row", "notify-purged",
                              "delete-closed-account"]  # fmt: skip
    versions = s3.list_object_versions(Bucket=versioned, Prefix=uploaded.key)
    assert versions.get("Versions", []) == versions.get("DeleteMarkers", []) == []
    with app.app_context():
        assert db.session.get(Document, document_id) is None
        assert db.session.scalar(db.select(db.func.count()).where(Chunk.document_id == document_id)) == 0
        assert db.session.scalar(db.select(db.func.count()).where(OutboxEvent.document_id == document_id)) == 0
        assert db.session.scalars(db.select(IdempotencyKey)).all() == []
        [tombstone] = db.session.scalars(db.select(PurgedDocument)).all()
        assert (tombstone.document_id, tombstone.name) == (document_id, "zebra.txt")
    assert index_entries(app, uploaded.key) in (None, 0)
    assert client.get("/api/trash").get_json()["documents"] == []
    assert client.get("/api/documents/zebra.txt").status_code == 404


def test_a_late_event_for_a_purged_document_is_refused_for_good(client, submit, event_api):
    uploaded = submit("zebra.txt", ZEBRA)
    purge_now(client, event_api, "zebra.txt")

    late = execute(client, PROCESS_DOCUMENT, uploaded.event)

    assert late.no_retry
    assert "document-purged: the document was deleted for good" in late.bodies[-1]


def test_a_second_purge_of_the_same_document_finds_it_gone(client, submit, event_api):
    submit("zebra.txt", ZEBRA)
    purge_now(client, event_api, "zebra.txt")

    again = execute(client, PURGE_DOCUMENT, last_event(event_api, "documents/document.deleted"))

    assert again.output["reason"] == "already-purged"


@pytest.mark.parametrize(
    ("after_delete", "reason"),
    [("restore", "restored"), (None, "not-due")],
)
def test_a_restored_document_or_one_not_yet_due_is_not_purged(client, submit, event_api, after_delete, reason):
    uploaded = submit("zebra.txt", ZEBRA)
    assert execute(client, PROCESS_DOCUMENT, uploaded.event).output["status"] == "processed"
    client.delete("/api/documents/zebra.txt")
    if after_delete == "restore":
        client.post("/api/documents/zebra.txt/restore")

    run = execute(client, PURGE_DOCUMENT, last_event(event_api, "documents/document.deleted"))

    assert run.output == {"documentId": uploaded.event["data"]["documentId"], "purged": False, "reason": reason}
    assert client.get("/api/documents/zebra.txt").get_json()["document"]["chunkCount"] > 0


def test_a_new_document_that_took_the_name_keeps_its_object(client, s3, bucket, submit, event_api):
    uploaded = submit("notes.txt", ZEBRA)
    assert execute(client, PROCESS_DOCUMENT, uploaded.event).output["status"] == "processed"
    client.delete("/api/documents/notes.txt")
    again = submit("notes.txt", GIRAFFE)

    client.delete("/api/trash/notes.txt")
    run = execute(client, PURGE_DOCUMENT, last_event(event_api, "documents/document.deleted"))

    assert run.output["purged"] is True
    assert s3.get_object(Bucket=bucket, Key=again.key)["Body"].read() == GIRAFFE
    assert execute(client, PROCESS_DOCUMENT, again.event).output["status"] == "processed"


def test_a_run_that_wakes_a_moment_before_the_purge_time_still_purges(app, client, submit, event_api):
    uploaded = submit("zebra.txt", ZEBRA)
    assert execute(client, PROCESS_DOCUMENT, uploaded.event).output["status"] == "processed"
    client.delete("/api/documents/zebra.txt")
    # The server woke the run from its sleep a little before the row's purgeAt.
    with app.app_context():
        document = db.session.scalar(db.select(Document).where(Document.trashed_name == "zebra.txt"))
        assert document is not None
        document.purge_at = utcnow() + timedelta(seconds=1)
        db.session.commit()

    run = execute(client, PURGE_DOCUMENT, last_event(event_api, "documents/document.deleted"))

    assert run.output["purged"] is True
    assert client.get("/api/documents/zebra.txt").status_code == 404
