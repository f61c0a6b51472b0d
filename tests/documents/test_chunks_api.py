"""GET /api/documents/<name>/chunks: a document's chunks in order, with where each came from, a page at a time.
On SQLite and on PostgreSQL."""

from __future__ import annotations

import base64
import json

import pytest

from documents.models import Chunk, Document
from extensions import db
from processing.chunking import SECTION_PATH_SEPARATOR as SEPARATOR
from tests.conftest import AuthActions
from tests.support.postgres import on_both_databases

pytestmark = on_both_databases


def add_document(app, user_id: int, name: str, count: int) -> None:
    with app.app_context():
        document = Document(user_id=user_id, name=name, s3_bucket="b", s3_key=f"users/{user_id}/{name}",
                            status="processed", chunk_count=count)  # fmt: skip
        db.session.add(document)
        db.session.flush()
        db.session.add_all(
            Chunk(
                document_id=document.id,
                position=position,
                text=f"{name} chunk {position}",
                page_first=position + 1,
                page_last=position + 2,
                section=f"Part{SEPARATOR}{position}",
            )
            for position in range(count)
        )
        db.session.commit()


def cursor_for(value: object) -> str:
    return base64.urlsafe_b64encode(json.dumps({"position": value}).encode()).decode().rstrip("=")


def chunks(client, name, **arguments):
    return client.get(f"/api/documents/{name}/chunks", query_string=arguments)


@pytest.fixture
def alice(app, auth):
    auth.login("alice@example.com")
    return auth.user_id


def test_chunks_come_in_order_with_their_pages_and_section(app, client, alice):
    add_document(app, alice, "notes.pdf", 3)
    response = chunks(client, "notes.pdf")
    assert response.status_code == 200
    assert response.get_json() == {
        "chunks": [
            {
                "position": position,
                "text": f"notes.pdf chunk {position}",
                "pages": [position + 1, position + 2],
                "section": f"Part{SEPARATOR}{position}",
                "ocr": False,
            }
            for position in range(3)
        ],
        "nextCursor": None,
    }


def test_unknown_provenance_is_null(app, client, alice):
    with app.app_context():
        document = Document(user_id=alice, name="old.txt", s3_bucket="b", s3_key="k", status="processed")
        db.session.add(document)
        db.session.flush()
        db.session.add(Chunk(document_id=document.id, position=0, text="from before"))
        db.session.commit()
    assert chunks(client, "old.txt").get_json()["chunks"] == [
        {"position": 0, "text": "from before", "pages": None, "section": None, "ocr": False}
    ]


def test_a_chunk_read_by_ocr_says_so(app, client, alice):
    with app.app_context():
        document = Document(user_id=alice, name="scan.png", s3_bucket="b", s3_key="k", status="processed")
        db.session.add(document)
        db.session.flush()
        db.session.add(Chunk(document_id=document.id, position=0, text="read", page_first=1, page_last=1, ocr=True))
        db.session.commit()
    assert chunks(client, "scan.png").get_json()["chunks"][0]["ocr"] is True


def test_pages_follow_the_cursor_without_repeats_or_gaps(app, client, alice):
    add_document(app, alice, "long.txt", 7)
    seen, cursor, pages = [], None, 0
    while True:
        body = chunks(client, "long.txt", limit=3, **({"cursor": cursor} if cursor else {})).get_json()
        seen += [chunk["position"] for chunk in body["chunks"]]
        pages += 1
        cursor = body["nextCursor"]
        if cursor is None:
            break
    assert seen == list(range(7))
    assert pages == 3


def test_the_default_page_is_fifty_chunks(app, client, alice):
    add_document(app, alice, "many.txt", 51)
    body = chunks(client, "many.txt").get_json()
    assert len(body["chunks"]) == 50
    assert body["nextCursor"] is not None


def test_a_document_without_chunks_has_an_empty_page(app, client, alice):
    add_document(app, alice, "queued.txt", 0)
    assert chunks(client, "queued.txt").get_json() == {"chunks": [], "nextCursor": None}


@pytest.mark.parametrize("limit", ["0", "201", "-1", "ten", "1.5", "²", "9" * 40, ""])
def test_a_bad_limit_is_400_saying_what_is_allowed(app, client, alice, limit):
    add_document(app, alice, "notes.txt", 1)
    response = chunks(client, "notes.txt", limit=limit)
    assert response.status_code == 400
    assert response.get_json()["error"] == "limit must be a whole number from 1 to 200"


@pytest.mark.parametrize(
    "cursor",
    [
        "not base64 at all!",
        base64.urlsafe_b64encode(b"not json").decode(),
        base64.urlsafe_b64encode(b"[1]").decode(),
        cursor_for("3"),
        cursor_for(1.5),
        cursor_for(True),
        cursor_for(-1),
        cursor_for(10**30),
        "A" * 5000,
    ],
)
def test_a_bad_cursor_is_400_not_500(app, client, alice, cursor):
    add_document(app, alice, "notes.txt", 1)
    response = chunks(client, "notes.txt", cursor=cursor)
    assert response.status_code == 400
    assert response.get_json()["error"] == "cursor is not one this API gave out; start again without it"


def test_the_largest_position_a_cursor_can_hold_is_an_empty_page(app, client, alice):
    add_document(app, alice, "notes.txt", 1)
    assert chunks(client, "notes.txt", cursor=cursor_for(2**31 - 1)).get_json() == {"chunks": [], "nextCursor": None}


def test_another_users_document_is_404_like_the_show_route(app, client, alice):
    add_document(app, alice, "alice-only.txt", 2)
    bob_client = app.test_client()
    AuthActions(app, bob_client).login("bob@example.com")
    response = chunks(bob_client, "alice-only.txt")
    assert response.status_code == 404
    assert response.get_json()["error"] == bob_client.get("/api/documents/alice-only.txt").get_json()["error"]
    assert chunks(bob_client, "never-posted.txt").status_code == 404


def test_signed_out_is_401(client):
    assert chunks(client, "notes.txt").status_code == 401


def test_a_document_in_a_folder_has_its_chunks_and_its_show_route(app, client, alice):
    add_document(app, alice, "folder/notes.txt", 1)
    assert chunks(client, "folder/notes.txt").get_json()["chunks"][0]["text"] == "folder/notes.txt chunk 0"
    assert client.get("/api/documents/folder/notes.txt").get_json()["document"]["name"] == "folder/notes.txt"


def test_a_name_ending_in_chunks_means_the_chunks_route(app, client, alice):
    # "x/chunks" is both the document of that name and the chunks of "x": the chunks route wins,
    # and the chunks of "x/chunks" are one /chunks further on.
    add_document(app, alice, "x", 1)
    add_document(app, alice, "x/chunks", 1)
    assert client.get("/api/documents/x/chunks").get_json()["chunks"][0]["text"] == "x chunk 0"
    assert chunks(client, "x/chunks").get_json()["chunks"][0]["text"] == "x/chunks chunk 0"
    assert "x/chunks" in [document["name"] for document in client.get("/api/documents").get_json()["documents"]]
