"""The document's row as every step of `process-document` sees it: checked against the event, refused for
good with a reason written for its owner, its object downloaded within the size limit; a step whose document
is in the trash answers so and writes nothing."""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any, ParamSpec

import inngest

from documents.events import DocumentUploaded
from documents.models import Document, DocumentStatus
from documents.purging import purged
from documents.storage import (
    DownloadedObject,
    ObjectChecksumError,
    ObjectMissingError,
    ObjectTooLargeError,
    download_object,
    get_s3_client,
)
from extensions import db
from inngest_functions.refusals import Refusal
from processing.errors import ContentMismatchError, DocumentRefusedError
from processing.storing import DocumentTrashedError, replace_chunks
from settings import get_app_settings

logger = logging.getLogger(__name__)

StepArguments = ParamSpec("StepArguments")

EVENT_MISMATCH_TEXT = "the event does not match the document's record, so it was refused (and logged)"


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


def live_document(uploaded: DocumentUploaded) -> Document:
    """The row `uploaded` names, checked as checked_document checks it; DocumentTrashedError when it is in
    the trash, which a step body wearing `stops_when_trashed` answers."""
    document = checked_document(uploaded)
    if document.is_trashed:
        raise DocumentTrashedError(document.id)
    return document


def stops_when_trashed(
    step_body: Callable[StepArguments, dict[str, Any]],
) -> Callable[StepArguments, dict[str, Any]]:
    """The step body, answering `trashed` when its document is in the trash or goes there while it runs:
    the run stops, and writes nothing."""

    @functools.wraps(step_body)
    def body(*args: StepArguments.args, **kwargs: StepArguments.kwargs) -> dict[str, Any]:
        try:
            return step_body(*args, **kwargs)
        except DocumentTrashedError as error:
            logger.info("document %s is in the trash: its run stops", error.document_id)
            return {"documentId": error.document_id, "trashed": True, "unchanged": False}

    return body


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


def refused_reading(document: Document, error: DocumentRefusedError) -> inngest.NonRetriableError:
    """The one place a reader's refusal becomes a run's: our text, written for the document's owner."""
    refusal = Refusal.CONTENT_MISMATCH if isinstance(error, ContentMismatchError) else Refusal.UNREADABLE
    return refuse(document, refusal, str(error))


def store_chunks(
    document: Document,
    uploaded: DocumentUploaded,
    path: Path,
    kind: str,
    downloaded: DownloadedObject,
    *,
    ocr_text: Mapping[int, str] | None = None,
    failed_pages: Sequence[dict[str, object]] = (),
    stop_at_scanned_page: bool = False,
) -> dict[str, Any]:
    """Replace the document's chunks with those of `path`, chunked as the event says; its summary.

    A reader's refusal is refused for good; a document gone to the trash meanwhile raises
    DocumentTrashedError for `stops_when_trashed`.
    """
    try:
        replace_chunks(
            document,
            path,
            kind,
            etag=downloaded.etag,
            content_hash=downloaded.sha256,
            chunk_size=uploaded.chunk_size,
            chunk_overlap=uploaded.chunk_overlap,
            ocr_text=ocr_text,
            failed_pages=failed_pages,
            stop_at_scanned_page=stop_at_scanned_page,
        )
    except DocumentRefusedError as error:
        raise refused_reading(document, error) from None
    return summary(document)


def download_document(document: Document, uploaded: DocumentUploaded, path: Path) -> DownloadedObject:
    """The document's object, streamed to `path`; refused for good when it is gone, too large or corrupted."""
    limit = size_limit(uploaded)
    try:
        return download_object(get_s3_client(), document.s3_bucket, document.s3_key, path, max_bytes=limit)
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


def summary(document: Document) -> dict[str, Any]:
    return {
        "documentId": document.id,
        "status": document.status,
        "chunkCount": document.chunk_count,
        "contentHash": document.content_hash,
        "textChars": document.text_chars,
    }
