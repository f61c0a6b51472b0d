"""`process-document`: fetch the object from S3, extract its text, chunk it, store the chunks, record the status.

Every step is idempotent and returns small JSON (ids, counts, hashes), never
the text: Inngest memoises step outputs and caps their size.
"""

from __future__ import annotations

import logging
import tempfile
from pathlib import Path
from typing import Any

import inngest

from documents.events import DocumentUploaded
from documents.models import Document, DocumentStatus
from documents.storage import ObjectMissingError, ObjectTooLargeError, download_object, get_s3_client, head_object
from documents.types import UnsupportedDocumentError, document_type, ensure_supported
from extensions import db
from processing.chunking import chunking_fingerprint
from processing.errors import DocumentRefusedError
from processing.storing import replace_chunks
from settings import AppSettings
from timestamps import utcnow

logger = logging.getLogger(__name__)

FUNCTION_ID = "process-document"
GENERIC_FAILURE = "processing failed after several attempts; the error was logged, try again later"
EVENT_MISMATCH = "the event does not match the document's record, so it was refused (and logged)"


def build_process_document(client: inngest.Inngest, settings: AppSettings) -> inngest.Function[Any]:
    @client.create_function(
        fn_id=FUNCTION_ID,
        name="Process document",
        trigger=inngest.TriggerEvent(event=DocumentUploaded.NAME),
        concurrency=[
            inngest.Concurrency(limit=settings.per_user_concurrency, key=DocumentUploaded.expression_for("user_id")),
            # One run per document at a time: two POSTs for it cannot interleave.
            inngest.Concurrency(limit=1, key=DocumentUploaded.expression_for("s3_key")),
        ],
        retries=settings.function_retries,
        on_failure=record_failure,
    )
    def process_document(ctx: inngest.ContextSync) -> dict[str, Any]:
        uploaded = DocumentUploaded.from_event(ctx.event)
        ctx.step.run("mark-processing", check_and_mark_processing, uploaded, ctx.run_id)
        found = ctx.step.run("look-up-object", look_up_object, uploaded)
        if ctx.step.run("compare-etag", etag_unchanged, uploaded, found["etag"]):
            return ctx.step.run("mark-unchanged", mark_unchanged, uploaded.document_id, found["etag"])
        return ctx.step.run("extract-and-store", extract_and_store, uploaded, found["etag"])

    return process_document


def _document(document_id: int, user_id: int) -> Document:
    document = db.session.get(Document, document_id)
    if document is None or document.user_id != user_id:
        raise inngest.NonRetriableError("the document record no longer exists")
    return document


def mismatched_fields(document: Document, uploaded: DocumentUploaded) -> list[str]:
    """The event's fields that disagree with the document's row: where the object is, and whose it is.

    The row was written by our own route; an event is anything holding the event key
    (or, on a dev machine, any local process) could have sent.
    """
    recorded = {
        "user_id": (document.user_id, uploaded.user_id),
        "document_name": (document.name, uploaded.document_name),
        "s3_bucket": (document.s3_bucket, uploaded.s3_bucket),
        "s3_key": (document.s3_key, uploaded.s3_key),
    }
    return [DocumentUploaded.wire_name(field) for field, (ours, theirs) in recorded.items() if ours != theirs]


def check_and_mark_processing(uploaded: DocumentUploaded, run_id: str) -> dict[str, Any]:
    """Refuse for good an event that disagrees with the row it names; otherwise mark the document processing."""
    document = db.session.get(Document, uploaded.document_id)
    if document is None:
        raise inngest.NonRetriableError("the document record no longer exists")
    mismatched = mismatched_fields(document, uploaded)
    if mismatched:
        logger.warning(
            "refused an event for document %s: its %s differ from the record", document.id, ", ".join(mismatched)
        )
        raise inngest.NonRetriableError(EVENT_MISMATCH)
    return mark_processing(uploaded.document_id, uploaded.user_id, run_id)


def mark_processing(document_id: int, user_id: int, run_id: str) -> dict[str, Any]:
    document = _document(document_id, user_id)
    document.status = DocumentStatus.PROCESSING.value
    document.error = None
    document.run_id = run_id
    db.session.commit()
    return {"documentId": document_id, "status": document.status}


def look_up_object(uploaded: DocumentUploaded) -> dict[str, Any]:
    """HEAD the object: fail for good, before any download, if it is missing, too large or of a type we cannot read."""
    try:
        ensure_supported(uploaded.document_name)
    except UnsupportedDocumentError as error:
        raise inngest.NonRetriableError(str(error)) from None
    try:
        found = head_object(get_s3_client(), uploaded.s3_bucket, uploaded.s3_key)
    except ObjectMissingError:
        raise inngest.NonRetriableError(
            f"document not found: upload {uploaded.document_name!r} to your folder first"
        ) from None
    if found.size > uploaded.max_document_bytes:
        raise inngest.NonRetriableError(
            f"document too large: {found.size} bytes, the limit is {uploaded.max_document_bytes} bytes"
        )
    return {"size": found.size, "etag": found.etag}


def etag_unchanged(uploaded: DocumentUploaded, etag: str) -> bool:
    """True when the stored chunks already came from this very object with the same chunk settings."""
    document = _document(uploaded.document_id, uploaded.user_id)
    return (
        document.content_hash is not None
        and document.etag == etag
        and document.chunking == chunking_fingerprint(uploaded.chunk_size, uploaded.chunk_overlap)
    )


def mark_unchanged(document_id: int, etag: str) -> dict[str, Any]:
    document = db.session.get(Document, document_id)
    assert document is not None, "checked by the previous step"
    return _record_unchanged(document, etag)


def _record_unchanged(document: Document, etag: str) -> dict[str, Any]:
    """The stored chunks already came from this content: only the status, ETag and time change."""
    document.status = DocumentStatus.UNCHANGED.value
    document.etag = etag
    document.processed_at = utcnow()
    db.session.commit()
    return _summary(document)


def extract_and_store(uploaded: DocumentUploaded, etag: str) -> dict[str, Any]:
    """Download to a temporary file, extract, chunk and store in one transaction."""
    document = _document(uploaded.document_id, uploaded.user_id)
    fingerprint = chunking_fingerprint(uploaded.chunk_size, uploaded.chunk_overlap)
    with tempfile.TemporaryDirectory(prefix="document-") as directory:
        path = Path(directory) / "object"
        try:
            content_hash = download_object(
                get_s3_client(), uploaded.s3_bucket, uploaded.s3_key, path, max_bytes=uploaded.max_document_bytes
            )
        except ObjectTooLargeError:
            raise inngest.NonRetriableError(
                f"document too large: it grew past the limit of {uploaded.max_document_bytes} bytes while downloading"
            ) from None
        except ObjectMissingError:
            raise inngest.NonRetriableError(f"document not found: {uploaded.document_name!r} was deleted") from None
        if document.content_hash == content_hash and document.chunking == fingerprint:
            return _record_unchanged(document, etag)
        try:
            # The type was checked when the object was looked up; here it only picks the reader.
            replace_chunks(
                document,
                path,
                document_type(uploaded.document_name),
                etag=etag,
                content_hash=content_hash,
                chunk_size=uploaded.chunk_size,
                chunk_overlap=uploaded.chunk_overlap,
            )
        except DocumentRefusedError as error:
            raise inngest.NonRetriableError(str(error)) from None
    return _summary(document)


def _summary(document: Document) -> dict[str, Any]:
    return {
        "documentId": document.id,
        "status": document.status,
        "chunkCount": document.chunk_count,
        "contentHash": document.content_hash,
        "textChars": document.text_chars,
    }


def record_failure(ctx: inngest.ContextSync) -> None:
    """Runs once retries are exhausted (or at once after a NonRetriableError): mark the document failed, with why."""
    original = ctx.event.data.get("event")
    error = ctx.event.data.get("error")
    failed_run_id = ctx.event.data.get("run_id")
    try:
        uploaded = DocumentUploaded.model_validate(original.get("data") if isinstance(original, dict) else None)
    except ValueError:
        logger.error("run %s failed on a malformed event; no document to mark", failed_run_id)
        return
    document = db.session.get(Document, uploaded.document_id)
    if document is None or mismatched_fields(document, uploaded):
        return  # nothing of ours, or a forged event: it must not touch the row
    if document.status == DocumentStatus.PROCESSING.value and document.run_id not in (None, failed_run_id):
        return  # a newer run owns the document now
    document.status = DocumentStatus.FAILED.value
    document.error = _reason(error)
    document.run_id = failed_run_id if isinstance(failed_run_id, str) else document.run_id
    db.session.commit()
    logger.info("document %s failed: %s", document.id, document.error)


def _reason(error: object) -> str:
    # Our NonRetriableError messages are written for the document's owner;
    # anything else may name internal hosts or paths, so it stays in the log.
    if isinstance(error, dict) and error.get("name") == "NonRetriableError" and error.get("message"):
        return str(error["message"])
    if isinstance(error, dict):
        logger.error("processing failed: %s: %s", error.get("name"), error.get("message"))
    else:
        logger.error("processing failed: %r", error)
    return GENERIC_FAILURE
