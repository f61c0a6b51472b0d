"""A document's new content becomes its chunks: read into blocks, chunked, stored in batches, in one transaction."""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from sqlalchemy import delete, insert, update

from documents.models import Chunk, Document, DocumentStatus
from extensions import changed_rows, db
from processing.blocks import Block
from processing.chunking import chunk_blocks, chunking_fingerprint
from processing.ocr.page_texts import forget_pages
from processing.readers import read_blocks
from timestamps import utcnow

# Rows per INSERT: few enough that a batch's parameters stay small, many enough that a
# document of a hundred thousand chunks is a few dozen round trips, not one per chunk.
BATCH_ROWS = 2000


class DocumentTrashedError(Exception):
    """The document is in the trash, or went there while it was being read: nothing was written."""

    def __init__(self, document_id: int) -> None:
        super().__init__(f"document {document_id} is in the trash")
        self.document_id = document_id


class _CountedText:
    """The blocks as they pass, counting their characters (the text is never held whole to measure it) and
    noting the pages OCR read."""

    def __init__(self, blocks: Iterable[Block]) -> None:
        self._blocks = blocks
        self.chars = 0
        self.ocr_pages: set[int] = set()

    def __iter__(self) -> Iterator[Block]:
        for block in self._blocks:
            self.chars += len(block.text)
            if block.ocr and block.page is not None:
                self.ocr_pages.add(block.page)
            yield block

    def read_by_ocr(self, pages: tuple[int, int] | None) -> bool:
        """Whether OCR read any of `pages` ([first, last]); the chunker has passed every block on them."""
        return pages is not None and any(page in self.ocr_pages for page in range(pages[0], pages[1] + 1))


def replace_chunks(
    document: Document,
    path: Path,
    kind: str,
    *,
    etag: str,
    content_hash: str,
    chunk_size: int,
    chunk_overlap: int,
    ocr_text: Mapping[int, str] | None = None,
    failed_pages: Sequence[dict[str, object]] = (),
    stop_at_scanned_page: bool = False,
) -> None:
    """Replace `document`'s chunks with those of the file at `path` (read as `kind`) and mark it processed.

    Deleting the old chunks, inserting the new ones and marking the document happen in one
    transaction: when reading fails (DocumentRefusedError) or the database does, it is rolled
    back and the old chunks stand whole. So it is when the document went to the trash meanwhile
    (DocumentTrashedError): the row is claimed first, by an UPDATE that a trashed row does not match,
    and a delete that comes after the claim waits for this transaction. The chunks stream from the
    reader to the database a batch at a time, so the document's text is never held whole. `ocr_text` is
    the text OCR read on the pages it names, `failed_pages` those it could not read; the page texts go in
    the same transaction. `stop_at_scanned_page`: a PDF page only OCR can read raises ScannedPageError,
    and nothing is stored.
    """
    blocks = _CountedText(read_blocks(path, kind, ocr_text, stop_at_scanned_page=stop_at_scanned_page))
    drafts = chunk_blocks(blocks, chunk_size=chunk_size, chunk_overlap=chunk_overlap)
    rows = (
        {
            "document_id": document.id,
            "position": position,
            "text": draft.text,
            "page_first": draft.pages[0] if draft.pages else None,
            "page_last": draft.pages[1] if draft.pages else None,
            "section": draft.section,
            "ocr": blocks.read_by_ocr(draft.pages),
        }
        for position, draft in enumerate(drafts)
    )
    try:
        claimed = changed_rows(
            update(Document)
            .where(Document.id == document.id, Document.trashed_at.is_(None))
            .values(updated_at=utcnow())
            .execution_options(synchronize_session=False)
        )
        if not claimed:
            raise DocumentTrashedError(document.id)
        # Replace, never append: re-processing a document leaves one set of chunks.
        db.session.execute(delete(Chunk).where(Chunk.document_id == document.id))
        count = 0
        for batch in _batches(rows):
            db.session.execute(insert(Chunk), batch)
            count += len(batch)
        document.status = DocumentStatus.PROCESSED.value
        document.error = None
        document.etag = etag
        document.content_hash = content_hash
        document.chunking = chunking_fingerprint(chunk_size, chunk_overlap)
        document.size_bytes = path.stat().st_size
        document.text_chars = blocks.chars
        document.chunk_count = count
        document.processed_at = utcnow()
        document.ocr_pages_total = None
        document.failed_pages = json.dumps(list(failed_pages)) if failed_pages else None
        forget_pages(document)
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise


def _batches(rows: Iterator[dict[str, Any]]) -> Iterator[list[dict[str, Any]]]:
    while batch := list(itertools.islice(rows, BATCH_ROWS)):
        yield batch
