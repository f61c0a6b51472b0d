"""A page Tesseract cannot read in OCR_PAGE_TIMEOUT_SECONDS fails that page, not the run: the document ends
processed with its typed text and the page listed."""

from __future__ import annotations

import io

import pypdfium2
import pytest

from tests.support.inngest_executor import PROCESS_DOCUMENT, execute
from tests.support.scans import CORPUS_PDF, rasterised_page, scanned_pdf, strips


@pytest.fixture
def settings_overrides(settings_overrides):
    return {**settings_overrides, "OCR_PAGE_TIMEOUT_SECONDS": 0.001, "OCR_DPI": 150}


def typed_then_scanned_page() -> bytes:
    """A corpus PDF's first page, then a page that is only an image of some of its lines."""
    mixed = pypdfium2.PdfDocument.new()
    typed = pypdfium2.PdfDocument(CORPUS_PDF)
    scanned = pypdfium2.PdfDocument(scanned_pdf(strips(rasterised_page(150), 4)[:1], 150))
    mixed.import_pages(typed, [0])
    mixed.import_pages(scanned, [0])
    buffer = io.BytesIO()
    mixed.save(buffer)
    for document in (mixed, typed, scanned):
        document.close()
    return buffer.getvalue()


def test_a_page_not_read_in_time_is_listed_and_the_rest_of_the_document_kept(client, submit, stored):
    run = execute(client, PROCESS_DOCUMENT, submit("mixed.pdf", typed_then_scanned_page()).event)

    assert run.output["status"] == "processed"
    assert run.output["pagesFailed"] == 1
    document, texts = stored("mixed.pdf")
    assert document["failedPages"] == [{"page": 2, "reason": "Tesseract did not read it within 0.001 seconds"}]
    assert texts
    pages = client.get("/api/documents/mixed.pdf/chunks").get_json()["chunks"]
    assert {chunk["pages"][0] for chunk in pages} == {1}
