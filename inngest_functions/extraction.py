"""Turning a downloaded document into plain text, by file type, with well-kept libraries."""

from __future__ import annotations

import codecs
import zipfile
from collections.abc import Callable
from pathlib import Path

import docx
from bs4 import BeautifulSoup
from pypdf import PdfReader
from pypdf.errors import PdfReadError, PyPdfError

from documents.types import UnsupportedDocumentError, ensure_supported

# A .docx is a zip: refuse archives that would inflate past this, whatever
# their compressed size (zip bombs), before python-docx opens them.
MAX_DOCX_UNPACKED_BYTES = 200 * 1024 * 1024


def _plain_text(path: Path) -> str:
    raw = path.read_bytes()
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return raw.decode("utf-16")
    if b"\x00" in raw:
        raise UnsupportedDocumentError("the file is binary, not text")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        # Not UTF-8: the legacy encoding of most Western documents, as browsers
        # assume. Statistical detection guessed wrong too often on short texts.
        return raw.decode("cp1252", errors="replace")


def _html(path: Path) -> str:
    soup = BeautifulSoup(_plain_text(path), "html.parser")
    for element in soup(["script", "style", "template", "noscript"]):
        element.decompose()
    return soup.get_text("\n", strip=True)


def _pdf(path: Path) -> str:
    try:
        reader = PdfReader(path)
        if reader.is_encrypted:
            raise UnsupportedDocumentError("the PDF is encrypted; upload an unprotected copy")
        return "\n\n".join(page.extract_text() or "" for page in reader.pages)
    except (PdfReadError, PyPdfError, ValueError, KeyError, TypeError) as error:
        raise UnsupportedDocumentError("the PDF is damaged or not a PDF") from error


def _docx(path: Path) -> str:
    try:
        with zipfile.ZipFile(path) as archive:
            if sum(member.file_size for member in archive.infolist()) > MAX_DOCX_UNPACKED_BYTES:
                raise UnsupportedDocumentError("the .docx unpacks to more than we accept (possible zip bomb)")
        document = docx.Document(str(path))
    except (zipfile.BadZipFile, KeyError, ValueError) as error:
        raise UnsupportedDocumentError("the .docx is damaged or not a Word document") from error
    paragraphs = [paragraph.text for paragraph in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            paragraphs.append("\t".join(cell.text for cell in row.cells))
    return "\n".join(paragraphs)


# A reader for each type documents/types.py lists as supported, and for no other.
EXTRACTORS: dict[str, Callable[[Path], str]] = {
    ".txt": _plain_text,
    ".md": _plain_text,
    ".markdown": _plain_text,
    ".html": _html,
    ".htm": _html,
    ".pdf": _pdf,
    ".docx": _docx,
}


def extract_text(path: Path, name: str) -> str:
    """The text of the document downloaded to `path`; its `name` decides the type."""
    text = EXTRACTORS[ensure_supported(name)](path)
    if not text.strip():
        raise UnsupportedDocumentError("no text could be extracted (a scanned PDF needs OCR first)")
    return text
