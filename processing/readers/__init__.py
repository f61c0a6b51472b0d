"""Reading each supported format into blocks in reading order: one module per format family, one entry."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from pathlib import Path

from documents.types import MEDIA_TYPES, SUPPORTED_TYPES
from processing.blocks import Block
from processing.errors import NO_TEXT, NO_TEXT_AFTER_OCR, DocumentRefusedError
from processing.ocr.merging import with_ocr_pages
from processing.readers.csv_table import read_csv
from processing.readers.email_message import read_eml
from processing.readers.epub import read_epub
from processing.readers.html_page import read_html
from processing.readers.image import read_image
from processing.readers.markdown_text import read_markdown
from processing.readers.open_document import read_odp, read_ods, read_odt
from processing.readers.pdf import read_pdf
from processing.readers.plain_text import read_text
from processing.readers.powerpoint import read_pptx
from processing.readers.rich_text import read_rtf
from processing.readers.spreadsheet import read_xlsx
from processing.readers.word import read_docx
from processing.sniffing import check_content

# A reader for each type documents/types.py lists as supported, and for no other.
READERS: dict[str, Callable[[Path], Iterator[Block]]] = {
    ".txt": read_text,
    ".md": read_markdown,
    ".markdown": read_markdown,
    ".html": read_html,
    ".htm": read_html,
    ".pdf": read_pdf,
    ".docx": read_docx,
    ".pptx": read_pptx,
    ".xlsx": read_xlsx,
    ".odt": read_odt,
    ".ods": read_ods,
    ".odp": read_odp,
    ".epub": read_epub,
    ".eml": read_eml,
    ".csv": read_csv,
    ".rtf": read_rtf,
    ".png": read_image,
    ".jpg": read_image,
    ".jpeg": read_image,
    ".tif": read_image,
    ".tiff": read_image,
    ".webp": read_image,
}


def read_blocks(
    path: Path, kind: str, ocr_text: Mapping[int, str] | None = None, *, stop_at_scanned_page: bool = False
) -> Iterator[Block]:
    """The blocks of the document at `path`, read as `kind` (its lower-case extension, as
    `documents.types.document_type` gives it), in reading order; each page in `ocr_text` (1-based) is
    the text OCR read on it instead of the file's own. With `stop_at_scanned_page`, a PDF page without a
    usable text layer raises ScannedPageError (processing.errors) where it is met.

    DocumentRefusedError when the type is not supported, the file's content is not of its type
    (ContentMismatchError, before any reader opens it), the file cannot be read as its type, or it holds
    no text at all (raised once the reader is done, after any blocks it yielded: there are none then).
    """
    reader = READERS.get(kind)
    if reader is None:
        raise DocumentRefusedError(
            f"files of type {kind or '(none)'!r} are not supported; use one of {', '.join(SUPPORTED_TYPES)}"
        )
    check_content(path, MEDIA_TYPES[kind][0])
    any_text = False
    blocks = read_pdf(path, stop_at_scanned_page=True) if stop_at_scanned_page and kind == ".pdf" else reader(path)
    if ocr_text:
        blocks = with_ocr_pages(blocks, ocr_text)
    for block in blocks:
        any_text = True
        yield block
    if not any_text:
        raise DocumentRefusedError(NO_TEXT_AFTER_OCR if ocr_text else NO_TEXT)
