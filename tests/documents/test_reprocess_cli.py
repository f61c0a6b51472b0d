"""`flask documents reprocess`: documents whose chunks are stale go back to processing, through the outbox."""

from __future__ import annotations

import pytest

from documents.events import DocumentUploaded
from documents.models import Document
from documents.reprocessing import current_chunking
from extensions import db
from outbox import OutboxEvent, flush
from settings import get_app_settings
from tests.conftest import create_user, free_port
from tests.support.postgres import on_both_databases

# What an older extractor wrote on the documents it chunked.
OLD_CHUNKING = "blocks-v0:chars:1000:100"
# High enough that the pacing never holds a test up; tests/documents/test_pacing.py covers the waits.
UNPACED = ["--rate", "1000000"]


def current(app):
    with app.app_context():
        return current_chunking(get_app_settings())


def add_document(app, user_id, name, *, status="processed", chunking=OLD_CHUNKING, error=None):
    with app.app_context():
        document = Document(user_id=user_id, name=name, s3_bucket="documents", s3_key=f"users/{user_id}/{name}",
                            status=status, chunking=chunking, error=error)  # fmt: skip
        db.session.add(document)
        db.session.commit()
        return document.id


def reprocess(runner, *arguments):
    return runner.invoke(args=["documents", "reprocess", *arguments, *UNPACED])


def statuses(app):
    with app.app_context():
        return dict(db.session.execute(db.select(Document.name, Document.status)).tuples().all())


def outbox_rows(app):
    """Each outbox row as (document name, event name, status), oldest first."""
    with app.app_context():
        query = db.select(Document.name, OutboxEvent.name, OutboxEvent.status).join(
            Document, Document.id == OutboxEvent.document_id
        )
        return db.session.execute(query.order_by(OutboxEvent.id)).tuples().all()


def sent_names(event_api):
    return [event["data"]["documentName"] for event in event_api.received]


@pytest.fixture
def alice(app):
    return create_user(app, "alice@example.com")


@on_both_databases
def test_documents_chunked_otherwise_are_sent_and_current_ones_are_not(app, runner, event_api, alice):
    add_document(app, alice, "old.pdf")
    add_document(app, alice, "unchanged.pdf", status="unchanged")
    add_document(app, alice, "never-fingerprinted.pdf", chunking=None)
    add_document(app, alice, "current.pdf", chunking=current(app))

    result = reprocess(runner, "--all")

    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        f"sent\talice@example.com\told.pdf\tchunked as {OLD_CHUNKING}",
        f"sent\talice@example.com\tunchanged.pdf\tchunked as {OLD_CHUNKING}",
        "sent\talice@example.com\tnever-fingerprinted.pdf\tnever chunked",
        "3 sent, 1 skipped (1 current)",
    ]
    assert sent_names(event_api) == ["old.pdf", "unchanged.pdf", "never-fingerprinted.pdf"]
    assert statuses(app) == {
        "old.pdf": "queued",
        "unchanged.pdf": "queued",
        "never-fingerprinted.pdf": "queued",
        "current.pdf": "processed",
    }
    assert outbox_rows(app) == [
        (name, DocumentUploaded.NAME, "delivered") for name in ["old.pdf", "unchanged.pdf", "never-fingerprinted.pdf"]
    ]


@on_both_databases
def test_the_outbox_row_holds_the_event_the_accept_path_sends(app, runner, event_api, alice):
    document_id = add_document(app, alice, "folder/report.pdf")

    assert reprocess(runner, "--all").exit_code == 0

    with app.app_context():
        row = db.session.scalar(db.select(OutboxEvent))
        settings = get_app_settings()
        assert row.name == "documents/document.uploaded"
        assert row.data == {
            "version": 1,
            "documentId": document_id,
            "documentName": "folder/report.pdf",
            "s3Bucket": "documents",
            "s3Key": f"users/{alice}/folder/report.pdf",
            "userId": alice,
            "maxDocumentBytes": settings.max_document_bytes,
            "chunkSize": settings.chunk_size,
            "chunkOverlap": settings.chunk_overlap,
        }
        assert row.inngest_ids
    [received] = event_api.received
    assert (received["id"], received["name"], received["data"]) == (row.event_id, row.name, row.data)


@on_both_databases
def test_documents_in_flight_are_skipped(app, runner, event_api, alice):
    add_document(app, alice, "queued.pdf", status="queued")
    add_document(app, alice, "processing.pdf", status="processing")

    result = reprocess(runner, "--all")

    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == ["0 sent, 2 skipped (2 in flight)"]
    assert statuses(app) == {"queued.pdf": "queued", "processing.pdf": "processing"}
    assert outbox_rows(app) == []
    assert event_api.requests == 0


def test_a_second_batch_sends_nothing_the_first_one_sent(app, runner, event_api, alice):
    add_document(app, alice, "old.pdf")
    assert reprocess(runner, "--all").exit_code == 0

    result = reprocess(runner, "--all")

    assert result.output.splitlines() == ["0 sent, 1 skipped (1 in flight)"]
    assert len(outbox_rows(app)) == 1


def test_user_limits_the_batch_to_their_documents(app, runner, event_api, alice):
    bob = create_user(app, "bob@example.com")
    add_document(app, alice, "alices.pdf")
    add_document(app, bob, "bobs.pdf")

    result = reprocess(runner, "--all", "--user", "bob@example.com")

    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[-1] == "1 sent, 0 skipped"
    assert sent_names(event_api) == ["bobs.pdf"]
    assert statuses(app) == {"alices.pdf": "processed", "bobs.pdf": "queued"}
    assert [name for name, _, _ in outbox_rows(app)] == ["bobs.pdf"]


def test_without_user_every_users_documents_are_sent(app, runner, event_api, alice):
    bob = create_user(app, "bob@example.com")
    add_document(app, alice, "alices.pdf")
    add_document(app, bob, "bobs.pdf")

    result = reprocess(runner, "--all")

    assert result.exit_code == 0, result.output
    assert sent_names(event_api) == ["alices.pdf", "bobs.pdf"]
    assert "sent\tbob@example.com\tbobs.pdf" in result.output


def test_an_unknown_user_is_an_error_naming_the_fix(app, runner, event_api, alice):
    add_document(app, alice, "old.pdf")

    result = reprocess(runner, "--all", "--user", "nobody@example.com")

    assert result.exit_code == 1
    assert "no user with email nobody@example.com; create one with: flask users create" in result.output
    assert outbox_rows(app) == []


def test_failed_documents_are_sent_only_with_failed(app, runner, event_api, alice):
    add_document(app, alice, "broken.pdf", status="failed", chunking=current(app), error="could not read it")

    without = reprocess(runner, "--all")
    assert without.output.splitlines() == ["0 sent, 1 skipped (1 failed: add --failed to send them)"]
    assert outbox_rows(app) == []

    result = reprocess(runner, "--all", "--failed")

    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == ["sent\talice@example.com\tbroken.pdf\tfailed", "1 sent, 0 skipped"]
    with app.app_context():
        document = db.session.scalar(db.select(Document))
        assert (document.status, document.error) == ("queued", None)
    assert sent_names(event_api) == ["broken.pdf"]


@on_both_databases
def test_dry_run_lists_what_would_be_sent_and_sends_nothing(app, runner, event_api, alice):
    add_document(app, alice, "old.pdf")
    add_document(app, alice, "current.pdf", chunking=current(app))

    result = reprocess(runner, "--all", "--dry-run")

    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        f"would send\talice@example.com\told.pdf\tchunked as {OLD_CHUNKING}",
        "1 to send, 1 skipped (1 current)",
    ]
    assert outbox_rows(app) == []
    assert event_api.requests == 0
    assert statuses(app) == {"old.pdf": "processed", "current.pdf": "processed"}


def test_a_named_document_is_sent_however_current_its_chunks(app, runner, event_api, alice):
    add_document(app, alice, "current.pdf", chunking=current(app))
    add_document(app, alice, "other.pdf")

    result = reprocess(runner, "current.pdf", "--user", "alice@example.com")

    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[-1] == "1 sent, 0 skipped"
    assert sent_names(event_api) == ["current.pdf"]
    assert statuses(app) == {"current.pdf": "queued", "other.pdf": "processed"}
    assert outbox_rows(app) == [("current.pdf", DocumentUploaded.NAME, "delivered")]


def test_a_named_document_in_flight_is_refused(app, runner, event_api, alice):
    add_document(app, alice, "busy.pdf", status="processing")

    result = reprocess(runner, "busy.pdf", "--user", "alice@example.com")

    assert result.exit_code == 1
    assert "'busy.pdf' is processing: a run is in flight; reprocess it once it ends" in result.output
    assert outbox_rows(app) == []
    assert statuses(app) == {"busy.pdf": "processing"}


def test_a_named_document_the_user_does_not_have_fails_naming_it(app, runner, event_api, alice):
    bob = create_user(app, "bob@example.com")
    add_document(app, bob, "bobs.pdf")

    result = reprocess(runner, "bobs.pdf", "--user", "alice@example.com")

    assert result.exit_code == 1
    assert "alice@example.com has no document named 'bobs.pdf'" in result.output
    assert outbox_rows(app) == []


def test_control_characters_in_a_name_are_shown_not_obeyed(app, runner, event_api, alice):
    add_document(app, alice, "red\x1b[31m.pdf")

    result = reprocess(runner, "--all")

    assert "\x1b" not in result.output
    assert "alice@example.com\tred\\x1b[31m.pdf\t" in result.output


@on_both_databases
def test_an_event_the_server_does_not_take_waits_in_the_outbox_for_the_relay(app_with, event_api):
    unreachable = app_with(INNGEST_BASE_URL=f"http://127.0.0.1:{free_port()}")
    user_id = create_user(unreachable, "alice@example.com")
    add_document(unreachable, user_id, "old.pdf")

    result = reprocess(unreachable.test_cli_runner(), "--all")

    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[:2] == [
        f"in outbox\talice@example.com\told.pdf\tchunked as {OLD_CHUNKING}",
        "1 sent, 0 skipped",
    ]
    assert "1 not delivered yet" in result.output
    assert statuses(unreachable) == {"old.pdf": "queued"}
    relay = app_with()  # the same database, with the Event API back
    with relay.app_context():
        row = db.session.scalar(db.select(OutboxEvent))
        assert (row.status, row.attempts, row.claimed_by) == ("pending", 1, None)
        assert row.last_error
        event_id = row.event_id
        assert flush(relay.extensions["inngest"], now=row.next_attempt_at) == (1, 0)
        assert db.session.scalar(db.select(OutboxEvent.status)) == "delivered"
    assert [event["id"] for event in event_api.received] == [event_id]
    assert sent_names(event_api) == ["old.pdf"]


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ([], "give either a document NAME (with --user) or --all"),
        (["old.pdf", "--all", "--user", "alice@example.com"], "give either a document NAME (with --user) or --all"),
        (["old.pdf"], "NAME needs --user"),
        (["old.pdf", "--user", "alice@example.com", "--failed"], "--failed goes with --all"),
        (["--all", "--rate", "0"], "not in the range x>0"),
        (["--all", "--rate", "-1"], "not in the range x>0"),
    ],
)
def test_bad_arguments_are_usage_errors(app, runner, event_api, alice, arguments, message):
    add_document(app, alice, "old.pdf")

    result = runner.invoke(args=["documents", "reprocess", *arguments])

    assert result.exit_code == 2
    assert message in result.output
    assert outbox_rows(app) == []
