"""`process-document`: fetch the object from S3, extract its text, chunk it, store the chunks, record the status.

Every step is idempotent and returns small JSON (ids, counts, hashes), never
the text: Inngest memoises step outputs and caps their size.

Every step loads the document's row, refuses an event that disagrees with it, and takes
the bucket, key, name and owner it acts on from the row. In development anyone who can
reach /api/inngest can call a step with forged memoised outputs of the steps before it,
so an earlier step's output only chooses a branch; what is stored comes from S3 itself.
"""

from __future__ import annotations

import logging
import tempfile
from pathlib import Path
from typing import Any

import inngest

from documents.events import DocumentDeleted, DocumentUploaded
from documents.models import Document, DocumentStatus
from documents.purging import purged
from documents.storage import (
    ObjectChecksumError,
    ObjectMissingError,
    ObjectTooLargeError,
    download_object,
    get_s3_client,
    head_object,
)
from documents.types import UnsupportedDocumentError, document_type, ensure_supported
from extensions import db
from inngest_functions.refusals import Refusal
from processing.chunking import chunking_fingerprint
from processing.errors import DocumentRefusedError
from processing.storing import DocumentTrashedError, replace_chunks
from settings import AppSettings, get_app_settings
from timestamps import utcnow

logger = logging.getLogger(__name__)

FUNCTION_ID = "process-document"
GENERIC_FAILURE = "processing failed after several attempts; the error was logged, try again later"
EVENT_MISMATCH_TEXT = "the event does not match the document's record, so it was refused (and logged)"
EVENT_MISMATCH = f"{Refusal.EVENT_MISMATCH.value}: {EVENT_MISMATCH_TEXT}"


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
        # Deleting the document cancels its run; a step already running finds it trashed and writes nothing.
        cancel=[inngest.Cancel(event=DocumentDeleted.NAME, if_exp="event.data.documentId == async.data.documentId")],
        retries=settings.function_retries,
        on_failure=record_failure,
    )
    def process_document(ctx: inngest.ContextSync) -> dict[str, Any]:
        uploaded = DocumentUploaded.from_event(ctx.event)
        # Two steps, so two trips through the server's queue: each trip waits for its tick.
        checked = ctx.step.run("check-object", check_object, uploaded, ctx.run_id)
        if checked.get("trashed") or checked["unchanged"]:
            return checked
        return ctx.step.run("extract-and-store", extract_and_store, uploaded)

    return process_document


def checked_document(uploaded: DocumentUploaded) -> Document:
    """The row `uploaded` names; refused for good when it is gone or disagrees with the event."""
    document = db.session.get(Document, uploaded.document_id)
    if document is None:
        if purged(uploaded.document_id) is not None:
            raise Refusal.DOCUMENT_PURGED.error("the document was deleted for good")
        raise Refusal.DOCUMENT_GONE.error("the document record no longer exists")
    mismatched = mismatched_fields(document, uploaded)
    if mismatched:
        logger.warning(
            "refused an event for document %s: its %s differ from the record", document.id, ", ".join(mismatched)
        )
        raise Refusal.EVENT_MISMATCH.error(EVENT_MISMATCH_TEXT)
    return document


def mismatched_fields(document: Document, uploaded: DocumentUploaded) -> list[str]:
    """The event's fields that disagree with the document's row: where the object is, and whose it is.

    The row was written by our own route; an event is anything holding the event key
    (or, on a dev machine, any local process) could have sent.
    """
    recorded = {
        "user_id": (document.user_id, uploaded.user_id),
        "document_name": (document.display_name, uploaded.document_name),
        "s3_bucket": (document.s3_bucket, uploaded.s3_bucket),
        "s3_key": (document.s3_key, uploaded.s3_key),
    }
    return [DocumentUploaded.wire_name(field) for field, (ours, theirs) in recorded.items() if ours != theirs]


def size_limit(uploaded: DocumentUploaded) -> int:
    """The event's size limit, which may tighten this app's MAX_DOCUMENT_BYTES but never loosen it."""
    return min(uploaded.max_document_bytes, get_app_settings().max_document_bytes)


def refuse(document: Document, refusal: Refusal, text: str) -> inngest.NonRetriableError:
    """Mark the document failed with `text`, written here for its owner, and give the error that ends the run."""
    document.status = DocumentStatus.FAILED.value
    document.error = text
    db.session.commit()
    return refusal.error(text)


def check_object(uploaded: DocumentUploaded, run_id: str) -> dict[str, Any]:
    """Mark the document processing and HEAD its object; record it unchanged when the stored chunks came from it.

    Refused for good, before any download, when the event disagrees with the row, or the object is
    missing, too large or of a type we cannot read. The ETag is compared and the status written in
    this one step, so no output of another step (which a forged call could claim) decides `unchanged`.
    """
    document = checked_document(uploaded)
    if document.is_trashed:
        return _trashed(document)
    mark_processing(document, run_id)
    try:
        ensure_supported(document.name)
    except UnsupportedDocumentError as error:
        raise refuse(document, Refusal.UNSUPPORTED_TYPE, str(error)) from None
    try:
        found = head_object(get_s3_client(), document.s3_bucket, document.s3_key)
    except ObjectMissingError:
        raise refuse(
            document, Refusal.NOT_FOUND, f"document not found: upload {document.name!r} to your folder first"
        ) from None
    limit = size_limit(uploaded)
    if found.size > limit:
        raise refuse(document, Refusal.TOO_LARGE, f"document too large: {found.size} bytes, the limit is {limit} bytes")
    if not uploaded.reprocess and _chunks_current(document, uploaded, found.etag):
        return {"unchanged": True, **_record_unchanged(document, found.etag)}
    return {"unchanged": False, "size": found.size, "etag": found.etag}


def mark_processing(document: Document, run_id: str) -> None:
    document.status = DocumentStatus.PROCESSING.value
    document.error = None
    document.run_id = run_id
    db.session.commit()


def _chunks_current(document: Document, uploaded: DocumentUploaded, etag: str) -> bool:
    """True when the stored chunks came from the object with `etag`, with the same chunk settings."""
    return (
        document.content_hash is not None
        and document.etag == etag
        and document.chunking == chunking_fingerprint(uploaded.chunk_size, uploaded.chunk_overlap)
    )


def _record_unchanged(document: Document, etag: str) -> dict[str, Any]:
    """The stored chunks already came from this content: only the status, ETag and time change."""
    document.status = DocumentStatus.UNCHANGED.value
    document.etag = etag
    document.processed_at = utcnow()
    db.session.commit()
    return _summary(document)


def extract_and_store(uploaded: DocumentUploaded) -> dict[str, Any]:
    """Download to a temporary file, extract, chunk and store in one transaction."""
    document = checked_document(uploaded)
    if document.is_trashed:
        return _trashed(document)
    limit = size_limit(uploaded)
    fingerprint = chunking_fingerprint(uploaded.chunk_size, uploaded.chunk_overlap)
    with tempfile.TemporaryDirectory(prefix="document-") as directory:
        path = Path(directory) / "object"
        try:
            downloaded = download_object(get_s3_client(), document.s3_bucket, document.s3_key, path, max_bytes=limit)
        except ObjectTooLargeError:
            raise refuse(
                document,
                Refusal.TOO_LARGE,
                f"document too large: it grew past the limit of {limit} bytes while downloading",
            ) from None
        except ObjectMissingError:
            raise refuse(document, Refusal.NOT_FOUND, f"document not found: {document.name!r} was deleted") from None
        except ObjectChecksumError as error:
            logger.error("document %s: %s", document.id, error)
            raise refuse(
                document,
                Refusal.CHECKSUM_MISMATCH,
                "the bytes S3 sent do not match the checksum stored with them; upload the document again",
            ) from None
        if not uploaded.reprocess and document.content_hash == downloaded.sha256 and document.chunking == fingerprint:
            return _record_unchanged(document, downloaded.etag)
        try:
            # The type was checked when the object was looked up; here it only picks the reader.
            replace_chunks(
                document,
                path,
                document_type(document.name),
                etag=downloaded.etag,
                content_hash=downloaded.sha256,
                chunk_size=uploaded.chunk_size,
                chunk_overlap=uploaded.chunk_overlap,
            )
        except DocumentTrashedError:
            return _trashed(document)
        except DocumentRefusedError as error:
            # The one place a reader's refusal becomes a run's: our text, written for the document's owner.
            raise refuse(document, Refusal.UNREADABLE, str(error)) from None
    return _summary(document)


def _trashed(document: Document) -> dict[str, Any]:
    """What a run answers when its document went to the trash: it stops, and writes nothing."""
    logger.info("document %s is in the trash: its run stops", document.id)
    return {"documentId": document.id, "trashed": True, "unchanged": False}


def _summary(document: Document) -> dict[str, Any]:
    return {
        "documentId": document.id,
        "status": document.status,
        "chunkCount": document.chunk_count,
        "contentHash": document.content_hash,
        "textChars": document.text_chars,
    }


def record_failure(ctx: inngest.ContextSync) -> None:
    """Runs once retries are exhausted (or at once after a NonRetriableError): mark the document failed.

    A refusal's step has already written why onto the row, so a known refusal code changes
    nothing here. Anything else gets our generic text: the message this handler is sent is
    never written, since in development anyone on the machine can send it one.
    """
    original = ctx.event.data.get("event")
    error = ctx.event.data.get("error")
    failed_run_id = ctx.event.data.get("run_id")
    try:
        uploaded = DocumentUploaded.model_validate(original.get("data") if isinstance(original, dict) else None)
    except ValueError:
        logger.error("run %s failed on a malformed event; no document to mark", failed_run_id)
        return
    refusal = Refusal.of(error)
    if refusal is not None:
        logger.info("run %s of document %s was refused: %s", failed_run_id, uploaded.document_id, refusal.value)
        return
    document = db.session.get(Document, uploaded.document_id)
    if document is None or mismatched_fields(document, uploaded):
        return  # nothing of ours, or a forged event: it must not touch the row
    if document.status == DocumentStatus.PROCESSING.value and document.run_id not in (None, failed_run_id):
        return  # a newer run owns the document now
    # Anything else may name internal hosts or paths, so it stays in the log.
    if isinstance(error, dict):
        logger.error("processing failed: %s: %s", error.get("name"), error.get("message"))
    else:
        logger.error("processing failed: %r", error)
    document.status = DocumentStatus.FAILED.value
    document.error = GENERIC_FAILURE
    document.run_id = failed_run_id if isinstance(failed_run_id, str) else document.run_id
    db.session.commit()
    logger.info("document %s failed: %s", document.id, document.error)
