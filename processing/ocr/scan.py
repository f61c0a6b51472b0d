"""Which pages of a file OCR reads, and each one's image: every frame of an image, and every PDF page whose text
layer is missing or far too sparse for the page, rendered with PDFium."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pypdfium2
from PIL import Image

from documents.types import MEDIA_TYPES
from processing.errors import DocumentRefusedError
from processing.readers.image import IMAGE_TYPES, MAX_IMAGE_PIXELS, decoded, frame_count, frames, opened_image
from processing.readers.pdf import PDFIUM, normalise, open_pdf, text_is_sparse
from processing.sniffing import check_content

# Types some of whose pages may need OCR.
OCR_TYPES = IMAGE_TYPES | {".pdf"}


@dataclass(frozen=True)
class OcrPlan:
    """The pages of a document (1-based) and those of them OCR must read."""

    page_count: int
    pages: tuple[int, ...]


def plan_ocr(path: Path, kind: str, max_pages: int) -> OcrPlan:
    """The pages of the file at `path` OCR must read; DocumentRefusedError when they are more than `max_pages`,
    or an image is not of its type (ContentMismatchError), damaged or over the pixel limit."""
    if kind in IMAGE_TYPES:
        check_content(path, MEDIA_TYPES[kind][0])
        with opened_image(path) as image:
            count = frame_count(image)
            if count > max_pages:
                raise DocumentRefusedError(_too_many_pages(count, max_pages))
            for _ in frames(image):
                pass  # every frame's size is checked now, before any is decoded
        return OcrPlan(count, tuple(range(1, count + 1)))
    if kind == ".pdf":
        pages = _sparse_pdf_pages(path)
        if len(pages) > max_pages:
            raise DocumentRefusedError(_too_many_pages(len(pages), max_pages, scanned=True))
        return OcrPlan(_pdf_page_count(path), pages)
    return OcrPlan(0, ())


def _too_many_pages(count: int, max_pages: int, *, scanned: bool = False) -> str:
    what = "scanned pages" if scanned else "pages"
    return f"too many {what} to read: {count}, the limit is {max_pages} (OCR_MAX_PAGES)"


def page_images(path: Path, kind: str, pages: tuple[int, ...], dpi: int) -> Iterator[tuple[int, Image.Image]]:
    """Each of `pages` (1-based) of the file at `path` as an image, in the order given."""
    if kind in IMAGE_TYPES:
        with opened_image(path) as image:
            wanted = set(pages)
            for number, frame in enumerate(frames(image), start=1):
                if number in wanted:
                    yield number, decoded(frame)
        return
    for page in pages:
        with PDFIUM:
            document = open_pdf(path)
            try:
                rendered = _render_pdf_page(document, page - 1, dpi)
            finally:
                document.close()
        yield page, rendered


def _pdf_page_count(path: Path) -> int:
    with PDFIUM:
        document = open_pdf(path)
        try:
            return len(document)
        finally:
            document.close()


def _sparse_pdf_pages(path: Path) -> tuple[int, ...]:
    """The 1-based pages whose text layer is missing or far too sparse for the page's size."""
    sparse: list[int] = []
    with PDFIUM:
        document = open_pdf(path)
        try:
            for index in range(len(document)):
                if _page_is_scanned(document, index):
                    sparse.append(index + 1)
        finally:
            document.close()
    return tuple(sparse)


def _page_is_scanned(document: Any, index: int) -> bool:
    try:
        page = document[index]
    except pypdfium2.PdfiumError:
        return False  # a page PDFium cannot load cannot be rendered either
    try:
        width, height = page.get_size()
        textpage = page.get_textpage()
        try:
            text = textpage.get_text_range()
        finally:
            textpage.close()
    except pypdfium2.PdfiumError:
        return False
    finally:
        page.close()
    return text_is_sparse(normalise(text), width, height)


def _render_pdf_page(document: Any, index: int, dpi: int) -> Image.Image:
    """The page rendered at `dpi`, or lower where that would pass the pixel limit."""
    page = document[index]
    try:
        width, height = page.get_size()
        scale = dpi / 72
        pixels = width * scale * height * scale
        if pixels > MAX_IMAGE_PIXELS:
            scale *= (MAX_IMAGE_PIXELS / pixels) ** 0.5
        bitmap = page.render(scale=scale, grayscale=True)
        try:
            image: Image.Image = bitmap.to_pil().copy()
            return image
        finally:
            bitmap.close()
    finally:
        page.close()
