"""The steps of a run whose document has pages only OCR can read: a few pages a step, then one that chunks it all.

Each `ocr-pages-<first>-<last>` step reads its pages into `document_pages` and returns counts; a step run
again (its worker killed) skips the pages already there. `store-ocr-text` reads the document again, puts each
page's text where the page stands, chunks and stores it all in one transaction as `extract-and-store` does.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from documents.events import DocumentUploaded
from documents.types import document_type
from inngest_functions.document_row import (
    download_document,
    live_document,
    refused_reading,
    stops_when_trashed,
    store_chunks,
)
from processing.errors import DocumentRefusedError
from processing.ocr.engine import OcrOptions
from processing.ocr.page_texts import read_pages, read_text
from processing.ocr.scan import plan_ocr
from settings import AppSettings

# Pages a step reads: a step is what a killed worker does again, and each one is a trip through the
# server's queue; at about 5 s a page on this machine, four pages are some 20 s of work.
PAGES_PER_STEP = 4


def ocr_options(settings: AppSettings) -> OcrOptions | None:
    """How OCR reads pages under `settings`; None when it is off."""
    if not settings.ocr_enabled:
        return None
    return OcrOptions(
        languages=settings.ocr_languages,
        tessdata_dir=settings.ocr_tessdata_dir,
        dpi=settings.ocr_dpi,
        page_timeout_seconds=settings.ocr_page_timeout_seconds,
        max_pages=settings.ocr_max_pages,
    )


def page_batches(pages: Sequence[int]) -> Iterator[tuple[str, list[int]]]:
    """The step id and pages of each batch: `ocr-pages-1-4`, `ocr-pages-5-8`, …"""
    for start in range(0, len(pages), PAGES_PER_STEP):
        batch = list(pages[start : start + PAGES_PER_STEP])
        yield f"ocr-pages-{batch[0]}-{batch[-1]}", batch


@stops_when_trashed
def read_page_batch(uploaded: DocumentUploaded, pages: list[int], ocr: OcrOptions) -> dict[str, Any]:
    """OCR `pages` of the document's object, each page's text stored as soon as it is read."""
    document = live_document(uploaded)
    with tempfile.TemporaryDirectory(prefix="document-") as directory:
        path = Path(directory) / "object"
        downloaded = download_document(document, uploaded, path)
        try:
            read, failed = read_pages(
                document, path, document_type(document.name), downloaded.sha256, tuple(pages), ocr
            )
        except DocumentRefusedError as error:
            raise refused_reading(document, error) from None
    return {"pagesRead": read, "pagesFailed": failed}


@stops_when_trashed
def store_ocr_text(uploaded: DocumentUploaded, ocr: OcrOptions) -> dict[str, Any]:
    """Chunk the document with OCR's text on its pages and store it all in one transaction. Pages of the
    object as it is now that no batch read (it changed during the run) are read here first."""
    document = live_document(uploaded)
    with tempfile.TemporaryDirectory(prefix="document-") as directory:
        path = Path(directory) / "object"
        downloaded = download_document(document, uploaded, path)
        kind = document_type(document.name)
        try:
            plan = plan_ocr(path, kind, ocr.max_pages)
            read_pages(document, path, kind, downloaded.sha256, plan.pages, ocr)
            texts, failed = read_text(document, downloaded.sha256)
        except DocumentRefusedError as error:
            raise refused_reading(document, error) from None
        ocr_text = {page: texts[page] for page in plan.pages}
        stored = store_chunks(document, uploaded, path, kind, downloaded, ocr_text=ocr_text, failed_pages=failed)
    return {**stored, "pagesFailed": len(failed)}
