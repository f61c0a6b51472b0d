"""process-document over HTTP at /api/inngest, called the way the Inngest executor calls it.

Memoised steps are JSON round-tripped between requests, failed attempts are retried,
and the on_failure handler is invoked with the `inngest/function.failed` event.
"""

from __future__ import annotations

import hashlib
import io

import boto3
import pytest
from boto3.s3.transfer import TransferConfig
from botocore.config import Config

from documents.models import Document
from extensions import db
from inngest_functions.process_document import EVENT_MISMATCH, GENERIC_FAILURE, mark_processing
from tests.conftest import free_port
from tests.support.inngest_executor import PROCESS_DOCUMENT, PROCESS_DOCUMENT_FAILURE, Run, execute, failure_event
from tests.support.sample_documents import MARKER, SAMPLES, padded_docx_document, pdf_document, text_document


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_each_supported_type_is_processed_into_stored_chunks(client, submit, stored, name):
    content = SAMPLES[name]()
    submission = submit(name, content)

    run = execute(client, PROCESS_DOCUMENT, submission.event)

    assert run.status == 200
    assert run.step_names == ["check-object", "extract-and-store"]
    document, chunks = stored(name)
    assert run.output == {
        "documentId": run.output["documentId"],
        "status": "processed",
        "chunkCount": len(chunks),
        "contentHash": hashlib.sha256(content).hexdigest(),
        "textChars": document["textChars"],
    }
    assert document["status"] == "processed"
    assert document["contentHash"] == hashlib.sha256(content).hexdigest()
    assert document["sizeBytes"] == len(content)
    assert document["chunkCount"] == len(chunks) > 1
    assert all(len(chunk) <= 200 for chunk in chunks)
    assert MARKER in "\n".join(chunks[:2])
    assert document["error"] is None


def test_an_event_in_the_shape_before_versions_is_still_processed(client, submit, stored):
    # Sent by an earlier release (no version; s3Region, userEmail, requestedAt) and still in an outbox.
    submission = submit("notes.txt", text_document())
    data = {key: value for key, value in submission.event["data"].items() if key != "version"}
    data.update(s3Region="us-east-1", userEmail="alice@example.com", requestedAt="2026-11-23T12:00:00Z")

    run = execute(client, PROCESS_DOCUMENT, {**submission.event, "data": data})

    assert run.status == 200
    assert run.output["status"] == "processed"
    document, chunks = stored("notes.txt")
    assert document["status"] == "processed"
    assert chunks


def test_html_scripts_and_styles_are_not_extracted(client, submit, stored):
    submission = submit("page.html", SAMPLES["notes.html"]())
    execute(client, PROCESS_DOCUMENT, submission.event)
    _, chunks = stored("page.html")
    assert not any("script text" in chunk or "color:red" in chunk for chunk in chunks)


def test_unchanged_document_finishes_unchanged_without_new_chunks(client, submit, stored):
    first = submit("notes.txt", text_document())
    execute(client, PROCESS_DOCUMENT, first.event)
    _, chunks_before = stored("notes.txt")

    second = submit("notes.txt", None)
    run = execute(client, PROCESS_DOCUMENT, second.event)

    assert run.output["status"] == "unchanged"
    assert run.step_names == ["check-object"]  # the HEAD found the chunks current: no download
    document, chunks_after = stored("notes.txt")
    assert document["status"] == "unchanged"
    assert chunks_after == chunks_before


def test_same_bytes_under_a_new_etag_are_recognised_by_content_hash(app, client, submit, stored):
    first = submit("notes.txt", text_document())
    execute(client, PROCESS_DOCUMENT, first.event)
    with app.app_context():
        db.session.execute(db.update(Document).values(etag="etag-of-a-multipart-upload"))
        db.session.commit()

    run = execute(client, PROCESS_DOCUMENT, submit("notes.txt", None).event)

    assert run.step_names[-1] == "extract-and-store"
    assert run.output["status"] == "unchanged"


def test_a_document_chunked_by_the_old_extractor_is_re_extracted_not_unchanged(app, client, submit, stored):
    execute(client, PROCESS_DOCUMENT, submit("notes.txt", text_document()).event)
    with app.app_context():
        # How chunks made from the whole extracted text, before blocks, were fingerprinted.
        db.session.execute(db.update(Document).values(chunking="chars:200:20"))
        db.session.commit()

    run = execute(client, PROCESS_DOCUMENT, submit("notes.txt", None).event)

    assert run.step_names[-1] == "extract-and-store"
    assert run.output["status"] == "processed"
    assert stored("notes.txt")[0]["chunkCount"] > 1


def test_changed_document_replaces_its_chunks(client, submit, stored):
    execute(client, PROCESS_DOCUMENT, submit("notes.txt", text_document()).event)
    run = execute(client, PROCESS_DOCUMENT, submit("notes.txt", b"Completely new words. " * 30).event)

    assert run.output["status"] == "processed"
    document, chunks = stored("notes.txt")
    assert document["chunkCount"] == len(chunks)
    assert all(MARKER not in chunk for chunk in chunks)
    assert chunks[0].startswith("Completely new words.")


def test_new_chunk_settings_re_chunk_an_unchanged_document(client, submit, stored):
    submission = submit("notes.txt", text_document())
    execute(client, PROCESS_DOCUMENT, submission.event)
    _, small_chunks = stored("notes.txt")

    bigger = submit("notes.txt", None).event
    bigger["data"] = {**bigger["data"], "chunkSize": 600, "chunkOverlap": 0}
    run = execute(client, PROCESS_DOCUMENT, bigger)

    assert run.output["status"] == "processed"
    _, big_chunks = stored("notes.txt")
    assert len(big_chunks) < len(small_chunks)


def fail_and_report(client, submission):
    run = execute(client, PROCESS_DOCUMENT, submission.event)
    handled = execute(client, PROCESS_DOCUMENT_FAILURE, failure_event(submission.event, run))
    assert handled.status == 200
    return run


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("missing.pdf", None, "document not found: upload 'missing.pdf' to your folder first"),
        ("program.exe", b"MZ binary", "files of type '.exe' are not supported; use one of"),
        ("no-extension", b"text", "files of type '(none)' are not supported"),
        ("corrupt.pdf", b"%PDF-1.7 this is not really a pdf", "the PDF is damaged beyond repair or not a PDF"),
        ("corrupt.docx", b"PK\x03\x04 not a zip", "the .docx is damaged or not a Word document"),
        ("blank.txt", b"   \n\n  ", "no text could be extracted"),
    ],
)
def test_documents_that_can_never_succeed_fail_at_once_with_a_reason(client, submit, stored, name, content, reason):
    run = fail_and_report(client, submit(name, content))

    assert run.status == 500
    assert run.no_retry is True
    assert run.attempts == 0
    document, chunks = stored(name)
    assert document["status"] == "failed"
    assert reason in document["error"]
    assert chunks == []


def test_a_document_whose_content_is_another_type_is_refused_with_its_own_code(client, submit, stored):
    run = fail_and_report(client, submit("minutes.docx", pdf_document()))

    assert run.no_retry is True
    assert run.step_names == ["check-object"]  # refused in extract-and-store, where the bytes are read
    reason = "the file's content is not a Word document (it looks like a PDF document)"
    assert run.output["message"].startswith(f"content-mismatch: {reason}")
    document, chunks = stored("minutes.docx")
    assert (document["status"], chunks) == ("failed", [])
    assert document["error"].startswith(reason)


def test_document_over_the_size_limit_fails_before_download(client, submit, stored, settings_overrides):
    submission = submit("big.txt", b"x" * 2048)
    submission.event["data"]["maxDocumentBytes"] = 1024

    run = fail_and_report(client, submission)

    assert run.step_names == []  # refused in the first step, before any download
    document, _ = stored("big.txt")
    assert document["error"] == "document too large: 2048 bytes, the limit is 1024 bytes"


def test_retriable_errors_are_retried_then_reported_without_internals(app, client, submit, stored):
    submission = submit("notes.txt", text_document())
    unreachable = f"http://127.0.0.1:{free_port()}"
    app.extensions["s3"] = boto3.client(
        "s3", region_name="us-east-1", endpoint_url=unreachable, config=Config(retries={"max_attempts": 1})
    )

    run = fail_and_report(client, submission)

    assert run.attempts == 3  # the step was tried 4 times, as many as the executor allows here
    assert unreachable in run.output["message"]  # the executor sees the cause...
    document, _ = stored("notes.txt")
    assert document["status"] == "failed"
    assert document["error"] == GENERIC_FAILURE  # ...the document's owner does not


def test_malformed_event_is_not_retried(client, submit):
    event = submit("notes.txt", text_document()).event
    event["data"] = {"documentName": "notes.txt"}
    run = execute(client, PROCESS_DOCUMENT, event)
    assert run.status == 500
    assert run.no_retry is True
    assert "malformed documents/document.uploaded event" in run.output["message"]


def test_event_for_another_users_document_is_refused(client, submit, stored):
    event = submit("notes.txt", text_document()).event
    event["data"]["userId"] += 1
    run = execute(client, PROCESS_DOCUMENT, event)
    assert run.no_retry is True
    assert run.output["message"] == EVENT_MISMATCH
    assert stored("notes.txt")[0]["status"] == "queued"


def test_a_late_failure_does_not_overwrite_a_newer_run(app, client, submit, stored):
    submission = submit("notes.txt", text_document())
    with app.app_context():
        document = db.session.get(Document, submission.event["data"]["documentId"])
        assert document is not None
        mark_processing(document, "the-newest-run")
    stale = Run(run_id="an-older-run", output={"name": "NonRetriableError", "message": "stale failure"})

    handled = execute(client, PROCESS_DOCUMENT_FAILURE, failure_event(submission.event, stale))

    assert handled.status == 200
    document, _ = stored("notes.txt")
    assert document["status"] == "processing"
    assert document["error"] is None


def test_a_document_the_upload_command_sent_in_parts_is_processed(app, runner, client, s3, bucket, submit, tmp_path):
    file = tmp_path / "big.docx"
    file.write_bytes(padded_docx_document(10 * 1024 * 1024))
    submit("warm-up.txt", text_document())  # signs alice in, so the command has a user to upload for
    uploaded = runner.invoke(args=["documents", "upload", str(file), "--user", "alice@example.com"])
    assert uploaded.exit_code == 0, uploaded.output
    submission = submit("big.docx", None)
    assert s3.head_object(Bucket=bucket, Key=submission.key)["ETag"].strip('"').endswith("-2")  # two parts

    run = execute(client, PROCESS_DOCUMENT, submission.event)

    assert run.output["status"] == "processed", run.output
    assert run.attempts == 0


def test_a_checksum_that_does_not_match_the_bytes_fails_at_once_with_a_reason(app, client, s3, bucket, submit, stored):
    # moto sends a multipart object's composite checksum as if it covered the whole object, so a
    # client that checks every response checksum finds a mismatch: a real one, from the wire.
    submission = submit("parts.txt", None)
    part = b"Some words in parts. " * 300_000
    s3.upload_fileobj(
        io.BytesIO(part), bucket, submission.key, Config=TransferConfig(multipart_threshold=5 * 1024 * 1024)
    )
    app.extensions["s3"] = boto3.client(
        "s3",
        region_name="us-east-1",
        endpoint_url=s3.meta.endpoint_url,
        config=Config(response_checksum_validation="when_supported"),
    )

    run = fail_and_report(client, submission)

    assert run.no_retry is True
    assert run.attempts == 0
    document, _ = stored("parts.txt")
    assert document["status"] == "failed"
    assert document["error"].startswith("the bytes S3 sent do not match the checksum stored with them")
