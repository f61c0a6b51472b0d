"""Migration 0011_ocr_pages: chunks stored before it were none of them read by OCR and stay searchable; the
downgrade drops the columns and the pages table and keeps the search index in step. On SQLite and on PostgreSQL."""

from __future__ import annotations

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, text

from app import create_app
from documents.models import Chunk
from extensions import db
from tests.conftest import create_user
from tests.documents.test_search import assert_index_matches_chunks, search
from tests.support.postgres import on_both_databases

pytestmark = on_both_databases

BEFORE = "0007_chunk_provenance"


@pytest.fixture
def unmigrated_app(settings_overrides):
    # settings_overrides names a fresh, empty database: only the `app` fixture migrates it.
    application = create_app(settings_overrides, env_file=None)
    with application.app_context():
        yield application
        db.session.remove()
        db.engine.dispose()


def columns(table: str) -> set[str]:
    return {column["name"] for column in inspect(db.engine).get_columns(table)}


def add_processed_document(user_id: int, name: str, chunk_text: str) -> None:
    db.session.execute(
        text(
            "INSERT INTO documents (user_id, name, s3_bucket, s3_key, status, chunk_count, created_at, updated_at)"
            " VALUES (:user, :name, 'b', 'k', 'processed', 1, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
        ),
        {"user": user_id, "name": name},
    )
    db.session.execute(
        text("INSERT INTO chunks (document_id, position, text) SELECT id, 0, :text FROM documents WHERE name = :name"),
        {"text": chunk_text, "name": name},
    )
    db.session.commit()


def test_old_chunks_come_back_as_not_read_by_ocr_and_stay_searchable(unmigrated_app):
    upgrade(revision=BEFORE)
    user_id = create_user(unmigrated_app, "early@example.com")
    add_processed_document(user_id, "old.txt", "an old zebra")
    db.session.remove()

    upgrade()

    assert "ocr" in columns("chunks")
    assert {"ocr_pages_total", "failed_pages"} <= columns("documents")
    assert "document_pages" in inspect(db.engine).get_table_names()
    assert db.session.scalars(db.select(Chunk)).one().to_json()["ocr"] is False
    client = unmigrated_app.test_client()
    client.post("/auth/login", json={"email": "early@example.com", "password": "correct horse battery staple"})
    assert [hit["position"] for hit in search(client, "zebra").get_json()["results"]] == [0]
    assert_index_matches_chunks(unmigrated_app)


def test_the_downgrade_drops_the_ocr_columns_and_pages_and_keeps_the_search_index_in_step(unmigrated_app):
    upgrade()
    db.session.remove()  # its open transaction would hold a lock the DDL below waits for

    downgrade(revision=BEFORE)

    assert "ocr" not in columns("chunks")
    assert not {"ocr_pages_total", "failed_pages"} & columns("documents")
    assert "document_pages" not in inspect(db.engine).get_table_names()
    user_id = create_user(unmigrated_app, "late@example.com")
    add_processed_document(user_id, "new.txt", "a giraffe")
    assert_index_matches_chunks(unmigrated_app)
