"""`process-document`: fetch the object from S3, extract its text, chunk it, store the chunks, record the status.

Every step is idempotent and returns small JSON (ids, counts, hashes), never
the text: Inngest memoises step outputs and caps their size.
"""

from __future__ import annotations

import logging
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import inngest
from botocore.exceptions import ClientError

from documents.models import Chunk, Document, DocumentStatus
from documents.storage import ObjectTooLargeError, download_object, get_s3_client, head_object
from documents.types import UnsupportedDocumentError, ensure_supported
from extensions import db
from inngest_functions.chunking import chunking_fingerprint, split_text
from inngest_functions.events import DocumentUploaded
from inngest_functions.extraction import extract_text
from settings import AppSettings

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
            inngest.Concurrency(limit=settings.per_user_concurrency, key="event.data.userId"),
            # One run per document at a time: two POSTs for it cannot interleave.
            inngest.Concurrency(limit=1, key="event.data.s3Key"),
        ],
        retries=settings.function_retries,
        on_failure=record_failure,
    )
    def process_document(ctx: inngest.ContextSync) -> dict[str, Any]:
        request = DocumentUploaded.from_event(ctx.event)
        ctx.step.run("mark-processing", check_and_mark_processing, request, ctx.run_id)
        found = ctx.step.run("look-up-object", look_up_object, request)
        if ctx.step.run("compare-etag", etag_unchanged, request, found["etag"]):
            return ctx.step.run("mark-unchanged", mark_unchanged, request.document_id, found["etag"])
        return ctx.step.run("extract-and-store", extract_and_store, request, found["etag"])

    return process_document


def _document(document_id: int, user_id: int) -> Document:
    document = db.session.get(Document, document_id)
    if document is None or document.user_id != user_id:
        raise inngest.NonRetriableError("the document record no longer exists")
    return document


def mismatched_fields(document: Document, request: DocumentUploaded) -> list[str]:
    """The event's fields that disagree with the document's row: where the object is, and whose it is.

    The row was written by our own route; an event is anything holding the event key
    (or, on a dev machine, any local process) could have sent.
    """
    recorded = {
        "userId": (document.user_id, request.user_id),
        "documentName": (document.name, request.document_name),
        "s3Bucket": (document.s3_bucket, request.s3_bucket),
        "s3Key": (document.s3_key, request.s3_key),
    }
    return [field for field, (ours, theirs) in recorded.items() if ours != theirs]


def check_and_mark_processing(request: DocumentUploaded, run_id: str) -> dict[str, Any]:
    """Refuse for good an event that disagrees with the row it names; otherwise mark the document processing."""
    document = db.session.get(Document, request.document_id)
    if document is None:
        raise inngest.NonRetriableError("the document record no longer exists")
    mismatched = mismatched_fields(document, request)
    if mismatched:
        logger.warning(
            "refused an event for document %s: its %s differ from the record", document.id, ", ".join(mismatched)
        )
        raise inngest.NonRetriableError(EVENT_MISMATCH)
    return mark_processing(request.document_id, request.user_id, run_id)


def mark_processing(document_id: int, user_id: int, run_id: str) -> dict[str, Any]:
    document = _document(document_id, user_id)
    document.status = DocumentStatus.PROCESSING.value
    document.error = None
    document.run_id = run_id
    db.session.commit()
    return {"documentId": document_id, "status": document.status}


def look_up_object(request: DocumentUploaded) -> dict[str, Any]:
    """HEAD the object: fail for good, before any download, if it is missing, too large or of a type we cannot read."""
    try:
        ensure_supported(request.document_name)
    except UnsupportedDocumentError as error:
        raise inngest.NonRetriableError(str(error)) from None
    found = head_object(get_s3_client(), request.s3_bucket, request.s3_key)
    if found is None:
        raise inngest.NonRetriableError(f"document not found: upload {request.document_name!r} to your folder first")
    if found.size > request.max_document_bytes:
        raise inngest.NonRetriableError(
            f"document too large: {found.size} bytes, the limit is {request.max_document_bytes} bytes"
        )
    return {"size": found.size, "etag": found.etag}


def etag_unchanged(request: DocumentUploaded, etag: str) -> bool:
    """True when the stored chunks already came from this very object with the same chunk settings."""
    document = _document(request.document_id, request.user_id)
    return (
        document.content_hash is not None
        and document.etag == etag
        and document.chunking == chunking_fingerprint(request.chunk_size, request.chunk_overlap)
    )


def mark_unchanged(document_id: int, etag: str) -> dict[str, Any]:
    document = db.session.get(Document, document_id)
    assert document is not None, "checked by the previous step"
    document.status = DocumentStatus.UNCHANGED.value
    document.etag = etag
    document.processed_at = datetime.now(UTC)
    db.session.commit()
    return _summary(document)


def extract_and_store(request: DocumentUploaded, etag: str) -> dict[str, Any]:
    """Download to a temporary file, extract, chunk and store in one transaction."""
    document = _document(request.document_id, request.user_id)
    fingerprint = chunking_fingerprint(request.chunk_size, request.chunk_overlap)
    with tempfile.TemporaryDirectory(prefix="document-") as directory:
        path = Path(directory) / "object"
        try:
            content_hash = download_object(
                get_s3_client(), request.s3_bucket, request.s3_key, path, max_bytes=request.max_document_bytes
            )
        except ObjectTooLargeError:
            raise inngest.NonRetriableError(
                f"document too large: it grew past the limit of {request.max_document_bytes} bytes while downloading"
            ) from None
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") in {"404", "NoSuchKey"}:
                raise inngest.NonRetriableError(f"document not found: {request.document_name!r} was deleted") from None
            raise
        if document.content_hash == content_hash and document.chunking == fingerprint:
            return mark_unchanged(document.id, etag)
        size_bytes = path.stat().st_size
        try:
            text = extract_text(path, request.document_name)
        except UnsupportedDocumentError as error:
            raise inngest.NonRetriableError(str(error)) from None
    kind = ensure_supported(request.document_name)
    chunks = split_text(text, kind, chunk_size=request.chunk_size, chunk_overlap=request.chunk_overlap)
    # Replace, never append: re-processing a document leaves one set of chunks.
    db.session.execute(db.delete(Chunk).where(Chunk.document_id == document.id))
    db.session.add_all(Chunk(document_id=document.id, position=index, text=chunk) for index, chunk in enumerate(chunks))
    document.status = DocumentStatus.PROCESSED.value
    document.error = None
    document.etag = etag
    document.content_hash = content_hash
    document.chunking = fingerprint
    document.size_bytes = size_bytes
    document.text_chars = len(text)
    document.chunk_count = len(chunks)
    document.processed_at = datetime.now(UTC)
    db.session.commit()
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
        request = DocumentUploaded.model_validate(original.get("data") if isinstance(original, dict) else None)
    except ValueError:
        logger.error("run %s failed on a malformed event; no document to mark", failed_run_id)
        return
    document = db.session.get(Document, request.document_id)
    if document is None or mismatched_fields(document, request):
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
