"""Migration 0007_chunk_provenance: chunks stored before it stay readable and searchable, with no provenance.
On SQLite and on PostgreSQL."""

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

BEFORE = "0006_user_scoped_search"
PROVENANCE = {"page_first", "page_last", "section"}


@pytest.fixture
def unmigrated_app(settings_overrides):
    # settings_overrides names a fresh, empty database: only the `app` fixture migrates it.
    application = create_app(settings_overrides, env_file=None)
    with application.app_context():
        yield application
        db.session.remove()
        db.engine.dispose()


def chunk_columns() -> set[str]:
    return {column["name"] for column in inspect(db.engine).get_columns("chunks")}


def test_old_chunks_come_back_with_null_pages_and_section_and_stay_searchable(unmigrated_app):
    upgrade(revision=BEFORE)
    user_id = create_user(unmigrated_app, "early@example.com")
    db.session.execute(
        text(
            "INSERT INTO documents (user_id, name, s3_bucket, s3_key, status, chunk_count, created_at, updated_at)"
            " VALUES (:user, 'old.txt', 'b', 'k', 'processed', 1, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
        ),
        {"user": user_id},
    )
    db.session.execute(
        text("INSERT INTO chunks (document_id, position, text) SELECT id, 0, 'an old zebra' FROM documents")
    )
    db.session.commit()
    db.session.remove()

    upgrade()

    assert chunk_columns() >= PROVENANCE
    chunk = db.session.scalars(db.select(Chunk)).one()
    assert chunk.to_json() == {
        "position": 0,
        "text": "an old zebra",
        "pages": None,
        "section": None,
        "ocr": False,
    }
    client = unmigrated_app.test_client()
    client.post("/auth/login", json={"email": "early@example.com", "password": "correct horse battery staple"})
    assert [hit["position"] for hit in search(client, "zebra").get_json()["results"]] == [0]
    assert_index_matches_chunks(unmigrated_app)


def test_the_downgrade_drops_the_columns_and_keeps_the_search_index_in_step(unmigrated_app):
    upgrade()
    db.session.remove()  # its open transaction would hold a lock the DDL below waits for

    downgrade(revision=BEFORE)

    assert not PROVENANCE & chunk_columns()
    # The index still follows the chunks: the triggers (SQLite) and the generated column (PostgreSQL) stand.
    user_id = create_user(unmigrated_app, "late@example.com")
    db.session.execute(
        text(
            "INSERT INTO documents (user_id, name, s3_bucket, s3_key, status, chunk_count, created_at, updated_at)"
            " VALUES (:user, 'new.txt', 'b', 'k', 'processed', 1, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
        ),
        {"user": user_id},
    )
    db.session.execute(
        text("INSERT INTO chunks (document_id, position, text) SELECT id, 0, 'a giraffe' FROM documents")
    )
    db.session.commit()
    assert_index_matches_chunks(unmigrated_app)
