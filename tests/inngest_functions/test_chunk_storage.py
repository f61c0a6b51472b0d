"""A run stores its chunks in batches inside the one transaction that replaces them: all of the new, or all of the old.
On SQLite and on PostgreSQL."""

from __future__ import annotations

import math

import pytest
from sqlalchemy import event

from documents.models import Chunk
from extensions import db
from tests.support.database_faults import refused_inserts
from tests.support.inngest_executor import PROCESS_DOCUMENT, execute
from tests.support.postgres import on_both_databases
from tests.support.sample_documents import SAMPLES

pytestmark = on_both_databases

OLD_TEXT = b"The zebra crossing is closed on Mondays. " * 40
NEW_TEXT = b"The giraffe enclosure opens at nine every morning. " * 40


@pytest.fixture
def small_batches(monkeypatch):
    monkeypatch.setattr("processing.storing.BATCH_ROWS", 3)


@pytest.fixture
def chunk_inserts(app):
    """The INSERTs into chunks the database is sent, each with the number of rows it carries."""
    sent: list[int] = []

    def count(_connection, _cursor, statement, parameters, _context, executemany):
        if statement.lstrip().upper().startswith("INSERT INTO CHUNKS"):
            sent.append(len(parameters) if executemany else 1)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", count)
    yield sent
    event.remove(engine, "before_cursor_execute", count)


def test_chunks_are_inserted_a_batch_at_a_time(client, submit, stored, small_batches, chunk_inserts):
    run = execute(client, PROCESS_DOCUMENT, submit("notes.txt", NEW_TEXT).event)

    assert run.output["status"] == "processed"
    document, chunks = stored("notes.txt")
    assert document["chunkCount"] == len(chunks) > 6
    assert len(chunk_inserts) == math.ceil(len(chunks) / 3)
    assert sum(chunk_inserts) == len(chunks)


def test_an_insert_failing_midway_leaves_the_old_chunks_whole(app, client, submit, stored, small_batches):
    assert execute(client, PROCESS_DOCUMENT, submit("notes.txt", OLD_TEXT).event).output["status"] == "processed"
    before, old_chunks = stored("notes.txt")

    # The first batches go in; the database refuses a later one.
    with refused_inserts(app, "chunks", "the disk is full", when="NEW.position >= 4"):
        run = execute(client, PROCESS_DOCUMENT, submit("notes.txt", NEW_TEXT).event)

    assert run.status == 500
    assert "the disk is full" in run.output["message"]
    after, chunks = stored("notes.txt")
    assert chunks == old_chunks
    assert after["chunkCount"] == before["chunkCount"] == len(old_chunks)
    assert after["contentHash"] == before["contentHash"]


@pytest.mark.parametrize(
    ("name", "pages", "section"),
    [("notes.pdf", [1, 1], None), ("notes.md", None, "Processing notes"), ("notes.txt", None, None)],
)
def test_stored_chunks_carry_their_pages_and_section(app, client, submit, name, pages, section):
    assert execute(client, PROCESS_DOCUMENT, submit(name, SAMPLES[name]()).event).output["status"] == "processed"
    with app.app_context():
        first = db.session.scalars(db.select(Chunk).order_by(Chunk.position)).first()
        assert first is not None
        assert first.to_json()["pages"] == pages
        assert first.to_json()["section"] == section
