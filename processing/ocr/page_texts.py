"""The text OCR read on each page, kept in `document_pages` between the steps that read a few pages each and
the step that chunks the whole document: a step that is run again finds its pages there and reads no page twice."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import delete

from documents.models import Document, DocumentPage
from extensions import db
from processing.ocr.engine import OcrOptions, page_reader
from processing.ocr.scan import OcrPlan, page_images


def start_reading(document: Document, plan: OcrPlan, content_hash: str) -> None:
    """Record that OCR reads `plan`'s pages of the content `content_hash`; pages read of other content go."""
    db.session.execute(
        delete(DocumentPage).where(DocumentPage.document_id == document.id, DocumentPage.content_hash != content_hash)
    )
    document.ocr_pages_total = len(plan.pages)
    db.session.commit()


def read_pages(
    document: Document, path: Path, kind: str, content_hash: str, pages: tuple[int, ...], options: OcrOptions
) -> tuple[int, int]:
    """OCR `pages` of the file at `path` (whose content is `content_hash`) not read already, each page's text
    committed as soon as it is read. (pages read, pages that failed) of those asked for."""
    done = set(
        db.session.scalars(
            db.select(DocumentPage.page).where(
                DocumentPage.document_id == document.id,
                DocumentPage.content_hash == content_hash,
                DocumentPage.page.in_(pages),
            )
        )
    )
    todo = tuple(page for page in pages if page not in done)
    if todo:
        with page_reader(options) as reader:
            for page, image in page_images(path, kind, todo, options.dpi):
                reading = reader.read(page, image)
                db.session.add(
                    DocumentPage(
                        document_id=document.id,
                        page=page,
                        content_hash=content_hash,
                        text=reading.text,
                        failure=reading.failure,
                    )
                )
                db.session.commit()
    failed = db.session.scalar(
        db.select(db.func.count())
        .select_from(DocumentPage)
        .where(
            DocumentPage.document_id == document.id,
            DocumentPage.content_hash == content_hash,
            DocumentPage.page.in_(pages),
            DocumentPage.failure.is_not(None),
        )
    )
    return len(pages), int(failed or 0)


def read_text(document: Document, content_hash: str) -> tuple[dict[int, str], list[dict[str, object]]]:
    """The text OCR read on each page of the content `content_hash`, and the pages it could not read with why."""
    texts: dict[int, str] = {}
    failed: list[dict[str, object]] = []
    for row in db.session.scalars(
        db.select(DocumentPage)
        .where(DocumentPage.document_id == document.id, DocumentPage.content_hash == content_hash)
        .order_by(DocumentPage.page)
    ):
        texts[row.page] = row.text
        if row.failure is not None:
            failed.append({"page": row.page, "reason": row.failure})
    return texts, failed


def forget_pages(document: Document) -> None:
    """Drop the document's page texts (inside the caller's transaction): its chunks hold them now."""
    db.session.execute(delete(DocumentPage).where(DocumentPage.document_id == document.id))
