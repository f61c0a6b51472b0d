"""DELETE /api/documents/<name>, the trash, restore and purge now: what the API answers and what it sends.

The purge itself is purge-document's (tests/inngest_functions/test_purge_document.py); here its events are
checked as the Event API received them. On SQLite and on PostgreSQL.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import delete

from documents.events import DocumentDeleted, DocumentRestored, DocumentUploaded
from documents.models import Chunk, Document
from documents.service import DocumentNotFoundError
from documents.trash import empty_trash, trash_document, trashed_document
from extensions import db
from outbox import OutboxEvent
from tests.support.inngest_executor import PROCESS_DOCUMENT, execute
from tests.support.postgres import on_both_databases

pytestmark = on_both_databases

ZEBRA = b"The zebra crossing is closed on Mondays. " * 20
GIRAFFE = b"The giraffe enclosure opens at nine every morning. " * 20


@pytest.fixture
def processed(client, submit):
    """processed(name, content): handed in and processed, so its chunks are searchable."""

    def process(name: str, content: bytes) -> None:
        assert execute(client, PROCESS_DOCUMENT, submit(name, content).event).output["status"] == "processed"

    return process


def search(client, query: str) -> list[str]:
    """The names of the documents whose chunks the search finds, each once."""
    response = client.get("/api/search", query_string={"q": query})
    assert response.status_code == 200, response.get_json()
    return list(dict.fromkeys(hit["documentName"] for hit in response.get_json()["results"]))


def events_named(event_api, name: str) -> list[Any]:
    return [event for event in event_api.received if event["name"] == name]


def test_a_deleted_document_is_trashed_and_gone_from_search_at_once(client, processed, event_api):
    processed("zebra.txt", ZEBRA)
    assert search(client, "zebra") == ["zebra.txt"]

    response = client.delete("/api/documents/zebra.txt")

    assert response.status_code == 200
    document = response.get_json()["document"]
    assert (document["name"], document["status"]) == ("zebra.txt", "trashed")
    trashed_at, purge_at = datetime.fromisoformat(document["trashedAt"]), datetime.fromisoformat(document["purgeAt"])
    assert purge_at - trashed_at == timedelta(days=30)
    assert search(client, "zebra") == []
    [deleted] = events_named(event_api, "documents/document.deleted")
    assert deleted["data"]["documentName"] == "zebra.txt"
    assert datetime.fromisoformat(deleted["data"]["purgeAt"]) == purge_at


def test_deleting_a_trashed_document_answers_the_same_and_sends_nothing_more(client, processed, event_api):
    processed("zebra.txt", ZEBRA)
    first = client.delete("/api/documents/zebra.txt").get_json()

    again = client.delete("/api/documents/zebra.txt")

    assert again.status_code == 200
    assert again.get_json() == first
    assert len(events_named(event_api, "documents/document.deleted")) == 1


def listed(client, **parameters: str) -> dict[str, str]:
    answer = client.get("/api/documents", query_string=parameters).get_json()
    return {document["name"]: document["status"] for document in answer["documents"]}


def test_the_trash_lists_what_was_deleted_and_the_list_shows_it_only_when_asked(client, processed):
    processed("zebra.txt", ZEBRA)
    processed("animals/giraffe.txt", GIRAFFE)
    client.delete("/api/documents/zebra.txt")

    trash = client.get("/api/trash").get_json()["documents"]
    counts = client.get("/api/documents").get_json()["counts"]

    assert [document["name"] for document in trash] == ["zebra.txt"]
    assert listed(client) == {"animals/giraffe.txt": "processed"}
    assert listed(client, status="trashed") == {"zebra.txt": "trashed"}
    assert listed(client, status="processed,trashed") == {"zebra.txt": "trashed", "animals/giraffe.txt": "processed"}
    assert (counts["trashed"], counts["processed"]) == (1, 1)
    # Its own name, not the one it gave up: a folder finds it in the trash.
    client.delete("/api/documents/animals/giraffe.txt")
    assert listed(client, status="trashed", prefix="animals/") == {"animals/giraffe.txt": "trashed"}


def test_a_restored_document_is_searchable_again_as_it_was(client, processed, event_api):
    processed("zebra.txt", ZEBRA)
    before = client.get("/api/documents/zebra.txt").get_json()["document"]
    client.delete("/api/documents/zebra.txt")

    response = client.post("/api/documents/zebra.txt/restore")

    assert response.status_code == 200
    restored = response.get_json()["document"]
    assert (restored["status"], restored["trashedAt"], restored["purgeAt"]) == ("processed", None, None)
    assert restored["chunkCount"] == before["chunkCount"] > 0
    assert search(client, "zebra") == ["zebra.txt"]
    assert client.get("/api/trash").get_json()["documents"] == []
    [event] = events_named(event_api, "documents/document.restored")
    assert event["data"]["documentId"] == events_named(event_api, "documents/document.deleted")[0]["data"]["documentId"]


def test_a_name_posted_again_after_a_delete_is_a_new_document_without_the_old_chunks(
    client, processed, submit, event_api
):
    processed("notes.txt", ZEBRA)
    client.delete("/api/documents/notes.txt")
    [deleted] = events_named(event_api, "documents/document.deleted")

    again = submit("notes.txt", GIRAFFE)

    assert again.event["data"]["documentId"] != deleted["data"]["documentId"]
    document = client.get("/api/documents/notes.txt").get_json()["document"]
    assert (document["status"], document["chunkCount"]) == ("queued", 0)
    assert [document["name"] for document in client.get("/api/trash").get_json()["documents"]] == ["notes.txt"]
    assert execute(client, PROCESS_DOCUMENT, again.event).output["status"] == "processed"
    assert search(client, "zebra") == []
    assert search(client, "giraffe") == ["notes.txt"]


def test_restoring_over_a_new_document_of_the_same_name_is_409(client, processed, submit):
    processed("notes.txt", ZEBRA)
    client.delete("/api/documents/notes.txt")
    submit("notes.txt", GIRAFFE)

    response = client.post("/api/documents/notes.txt/restore")

    assert response.status_code == 409
    assert "delete it first" in response.get_json()["error"]


def test_purge_now_brings_the_purge_forward(client, processed, event_api):
    processed("zebra.txt", ZEBRA)
    client.delete("/api/documents/zebra.txt")

    response = client.delete("/api/trash/zebra.txt")

    document = response.get_json()["document"]
    assert response.status_code == 200
    assert datetime.fromisoformat(document["purgeAt"]) - datetime.fromisoformat(document["trashedAt"]) < timedelta(
        minutes=1
    )
    purges = events_named(event_api, "documents/document.deleted")
    assert len(purges) == 2
    assert datetime.fromisoformat(purges[1]["data"]["purgeAt"]) < datetime.fromisoformat(purges[0]["data"]["purgeAt"])


def test_delete_with_purge_now_and_empty_trash_purge_at_once(client, processed, event_api):
    processed("zebra.txt", ZEBRA)
    processed("giraffe.txt", GIRAFFE)

    purged = client.delete("/api/documents/zebra.txt?purge=1").get_json()["document"]
    client.delete("/api/documents/giraffe.txt")
    emptied = client.delete("/api/trash")

    assert purged["purgeAt"] == purged["trashedAt"]
    assert emptied.status_code == 200
    assert {document["name"] for document in emptied.get_json()["documents"]} == {"zebra.txt", "giraffe.txt"}
    # zebra was due already: emptying sends one more purge, for giraffe only.
    assert len(events_named(event_api, "documents/document.deleted")) == 3


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("delete", "/api/documents/nothing.txt"),
        ("post", "/api/documents/nothing.txt/restore"),
        ("delete", "/api/trash/nothing.txt"),
        ("delete", "/api/trash/zebra.txt"),
    ],
)
def test_what_you_have_not_got_is_404(client, processed, method, path):
    processed("zebra.txt", ZEBRA)

    response = getattr(client, method)(path)

    assert response.status_code == 404
    assert "you have no document named" in response.get_json()["error"]


def test_a_trashed_document_cannot_be_reprocessed_or_downloaded(client, processed):
    processed("zebra.txt", ZEBRA)
    client.delete("/api/documents/zebra.txt")

    reprocess = client.post("/api/documents/zebra.txt/reprocess")
    download = client.get("/api/documents/zebra.txt/download")

    assert (reprocess.status_code, download.status_code) == (409, 409)
    assert "restore it first" in reprocess.get_json()["error"]
    assert "in the trash" in download.get_json()["error"]


def test_a_restore_is_confirmed_at_once_and_a_delete_waits_for_its_purge_run(app, client, processed):
    processed("zebra.txt", ZEBRA)
    client.delete("/api/documents/zebra.txt")
    client.post("/api/documents/zebra.txt/restore")
    with app.app_context():
        rows = db.session.scalars(db.select(OutboxEvent).order_by(OutboxEvent.id)).all()
        confirmed = {row.name: row.confirmed_at is not None for row in rows if row.name != DocumentUploaded.NAME}
    assert confirmed == {DocumentDeleted.NAME: False, DocumentRestored.NAME: True}


def test_a_purge_that_deletes_the_row_under_a_purge_now_makes_it_not_found(app, client, processed):
    processed("zebra.txt", ZEBRA)
    client.delete("/api/documents/zebra.txt")
    user_id = client.get("/auth/me").get_json()["user"]["id"]
    settings = app.extensions["settings"]
    with app.app_context():
        found = trashed_document(user_id, "zebra.txt", key_prefix=settings.s3_key_prefix)
        # The purge run's delete-row step, between the request finding the row and its update.
        db.session.execute(delete(Chunk).where(Chunk.document_id == found.id))
        db.session.execute(delete(Document).where(Document.id == found.id))
        db.session.commit()

        with pytest.raises(DocumentNotFoundError):
            trash_document(found, settings, app.extensions["inngest"], purge_now=True)
        assert empty_trash(user_id, settings, app.extensions["inngest"]) == []
