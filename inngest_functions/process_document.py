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
from documents.storage import ObjectMissingError, get_s3_client, head_object
from documents.types import UnsupportedDocumentError, document_type, ensure_supported
from extensions import db
from inngest_functions.document_row import (
    EVENT_MISMATCH_TEXT,
    download_document,
    live_document,
    mismatched_fields,
    refuse,
    refused_reading,
    size_limit,
    stops_when_trashed,
    store_chunks,
    summary,
)
from inngest_functions.ocr_steps import ocr_options, page_batches, read_page_batch, store_ocr_text
from inngest_functions.refusals import Refusal
from inngest_functions.webhook_steps import notify_webhook, notify_webhook_of_failure
from processing.chunking import chunking_fingerprint
from processing.errors import DocumentRefusedError, ScannedPageError
from processing.ocr.engine import OcrOptions
from processing.ocr.page_texts import start_reading
from processing.ocr.scan import OCR_TYPES, plan_ocr
from settings import AppSettings, get_app_settings
from timestamps import utcnow
from webhooks.service import has_webhook

logger = logging.getLogger(__name__)

FUNCTION_ID = "process-document"
GENERIC_FAILURE = "processing failed after several attempts; the error was logged, try again later"
EVENT_MISMATCH = f"{Refusal.EVENT_MISMATCH.value}: {EVENT_MISMATCH_TEXT}"


def build_process_document(client: inngest.Inngest, settings: AppSettings) -> inngest.Function[Any]:
    ocr = ocr_options(settings)

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
        if checked.get("trashed"):
            return checked
        outcome = checked if checked["unchanged"] else extract(ctx, uploaded, ocr)
        if outcome.get("trashed"):
            return outcome
        # A run begun before check-object answered whether there is a webhook has no answer memoised: ask now.
        webhook = checked["webhook"] if "webhook" in checked else has_webhook(uploaded.user_id)
        notify_webhook(
            ctx, uploaded, ctx.run_id, webhook=webhook, last_attempt=ctx.attempt >= settings.function_retries
        )
        return outcome

    return process_document


def extract(ctx: inngest.ContextSync, uploaded: DocumentUploaded, ocr: OcrOptions | None) -> dict[str, Any]:
    """Read and store the document: one step, or for a scan one step that plans its OCR, a step per few
    pages, and one that stores the text."""
    extracted = ctx.step.run("extract-and-store", extract_and_store, uploaded, ocr)
    if ocr is None or "ocrPages" not in extracted:
        return extracted
    # One batch after another, never at once: a run holds one of its user's slots however long its scan.
    for step_id, pages in page_batches(extracted["ocrPages"]):
        batch = ctx.step.run(step_id, read_page_batch, uploaded, pages, ocr)
        if batch.get("trashed"):
            return batch
    return ctx.step.run("store-ocr-text", store_ocr_text, uploaded, ocr)


@stops_when_trashed
def check_object(uploaded: DocumentUploaded, run_id: str) -> dict[str, Any]:
    """Mark the document processing and HEAD its object; record it unchanged when the stored chunks came from it.

    Refused for good, before any download, when the event disagrees with the row, or the object is
    missing, too large or of a type we cannot read. The ETag is compared and the status written in
    this one step, so no output of another step (which a forged call could claim) decides `unchanged`.
    """
    document = live_document(uploaded)
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
    # Asked here, once: the function's body runs again for every step, and a step's output is memoised.
    webhook = has_webhook(document.user_id)
    if not uploaded.reprocess and _chunks_current(document, uploaded, found.etag):
        return {"unchanged": True, "webhook": webhook, **_record_unchanged(document, found.etag)}
    return {"unchanged": False, "webhook": webhook, "size": found.size, "etag": found.etag}


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
    return summary(document)


@stops_when_trashed
def extract_and_store(uploaded: DocumentUploaded, ocr: OcrOptions | None = None) -> dict[str, Any]:
    """Download to a temporary file, extract, chunk and store in one transaction.

    When some of its pages need OCR (`ocr`, None when OCR is off) nothing is stored yet: the pages are
    recorded for the `ocr-pages-…` steps, and their numbers returned.
    """
    document = live_document(uploaded)
    fingerprint = chunking_fingerprint(uploaded.chunk_size, uploaded.chunk_overlap)
    with tempfile.TemporaryDirectory(prefix="document-") as directory:
        path = Path(directory) / "object"
        downloaded = download_document(document, uploaded, path)
        if not uploaded.reprocess and document.content_hash == downloaded.sha256 and document.chunking == fingerprint:
            return _record_unchanged(document, downloaded.etag)
        # The type was checked when the object was looked up; here it only picks the reader.
        kind = document_type(document.name)
        if ocr is None or kind not in OCR_TYPES:
            return store_chunks(document, uploaded, path, kind, downloaded)
        # A PDF is read once, as text, up to the first page only OCR can read (most PDFs have none); then
        # its plan (and an image's) takes a second look at every page.
        if kind == ".pdf":
            try:
                return store_chunks(document, uploaded, path, kind, downloaded, stop_at_scanned_page=True)
            except ScannedPageError:
                pass
        try:
            plan = plan_ocr(path, kind, ocr.max_pages)
        except DocumentRefusedError as error:
            raise refused_reading(document, error) from None
        start_reading(document, plan, downloaded.sha256)
        return {"ocrPages": list(plan.pages), "pageCount": plan.page_count}


def record_failure(ctx: inngest.ContextSync) -> None:
    """Runs once retries are exhausted (or at once after a NonRetriableError): mark the document failed.

    A refusal's step has already written why onto the row, so a known refusal code changes
    nothing here. Anything else gets our generic text: the message this handler is sent is
    never written, since in development anyone on the machine can send it one.
    """
    original = ctx.event.data.get("event")
    failed_run_id = ctx.event.data.get("run_id")
    try:
        uploaded = DocumentUploaded.model_validate(original.get("data") if isinstance(original, dict) else None)
    except ValueError:
        logger.error("run %s failed on a malformed event; no document to mark", failed_run_id)
        return
    if _mark_failed(ctx, uploaded) and isinstance(failed_run_id, str):
        notify_webhook_of_failure(ctx, uploaded, failed_run_id, retries=get_app_settings().function_retries)


def _mark_failed(ctx: inngest.ContextSync, uploaded: DocumentUploaded) -> bool:
    """Mark the document failed unless a refusal did already; whether the failure is this run's to tell."""
    error = ctx.event.data.get("error")
    failed_run_id = ctx.event.data.get("run_id")
    document = db.session.get(Document, uploaded.document_id)
    if document is None or mismatched_fields(document, uploaded):
        return False  # nothing of ours, or a forged event: it must not touch the row
    refusal = Refusal.of(error)
    if refusal is not None:
        logger.info("run %s of document %s was refused: %s", failed_run_id, uploaded.document_id, refusal.value)
        return document.status == DocumentStatus.FAILED.value and document.run_id == failed_run_id
    if document.status == DocumentStatus.PROCESSING.value and document.run_id not in (None, failed_run_id):
        return False  # a newer run owns the document now
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
    return True
