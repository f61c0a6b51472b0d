"""The corpus of real documents from other projects' test suites, and the independent references they are
measured against: poppler's `pdftotext` for PDFs, a file's own XML for the zip-based formats."""

from __future__ import annotations

import collections
import os
import re
import shutil
import subprocess
import unicodedata
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from lxml import etree

CORPUS = Path(__file__).resolve().parent.parent / "corpus"
PDFS = CORPUS / "pdf"
WORD_FILES = CORPUS / "docx"
PRESENTATIONS = CORPUS / "pptx"
# A word is a run of two or more letters: what a reader searches for. Digits and lone letters, most of
# them symbols of formulae, are left out: both extractors place them by their own heuristics.
WORD = re.compile(r"[^\W\d_]{2,}")
WORD_TEXT = re.compile(r"<w:t(?:\s[^>]*)?>([^<]*)</w:t>")
PARAGRAPH_END = re.compile(r"</w:p>|<w:p[ >]")
FALLBACK = re.compile(r"<mc:Fallback>.*?</mc:Fallback>", re.DOTALL)


def words(text: str) -> collections.Counter[str]:
    """The words of `text` as a search would match them: NFKC, case-folded, with their counts."""
    return collections.Counter(word.casefold() for word in WORD.findall(unicodedata.normalize("NFKC", text)))


def recall(reference: collections.Counter[str], found: collections.Counter[str]) -> float:
    """The share of the reference's words (counted with repeats) that `found` has too."""
    total = sum(reference.values())
    return sum(min(count, found[word]) for word, count in reference.items()) / total if total else 1.0


@pytest.fixture(scope="session")
def pdftotext() -> str:
    path = shutil.which("pdftotext")
    if path is None:
        if os.environ.get("CI") == "true":
            pytest.fail(
                "CI=true but pdftotext is missing: apt-get install poppler-utils (make test does)", pytrace=False
            )
        pytest.skip("pdftotext (poppler-utils) is not installed")
    return path


def pdftotext_pages(pdftotext: str, path: Path) -> list[str]:
    """Poppler's text of each page, in page order (it ends every page with a form feed)."""
    result = subprocess.run(
        [pdftotext, "-enc", "UTF-8", str(path), "-"], capture_output=True, text=True, check=True, timeout=120
    )
    pages = result.stdout.split("\f")
    return pages[:-1] if pages and not pages[-1].strip() else pages


def word_xml_text(path: Path, part_pattern: str = r"word/document\.xml") -> str:
    """The text nodes (`<w:t>`) of the parts of a .docx whose names match `part_pattern`, in part order:
    runs joined as Word shows them (a word may be split over runs), a space at every paragraph's end, the
    VML fallback copy of a drawing (`<mc:Fallback>`, a second rendering of the same text box) left out."""
    with zipfile.ZipFile(path) as archive:
        names = sorted(name for name in archive.namelist() if re.fullmatch(part_pattern, name))
        parts = [FALLBACK.sub("", archive.read(name).decode("utf-8")) for name in names]
    return "\n".join(
        " ".join("".join(WORD_TEXT.findall(paragraph)) for paragraph in PARAGRAPH_END.split(part)) for part in parts
    )


def xml_paragraphs(path: Path, part_pattern: str, paragraph_tag: str, text_tag: str | None = None) -> list[str]:
    """The text of every `paragraph_tag` element (Clark notation) in the zip parts of `path` whose names match
    `part_pattern`, parts in name order: all the text inside it, or only that of its `text_tag` elements,
    joined as written (a word may be split over runs). A paragraph inside another is counted once, in its own
    right, not again in the paragraph around it."""
    texts: list[str] = []
    with zipfile.ZipFile(path) as archive:
        names = sorted(name for name in archive.namelist() if re.fullmatch(part_pattern, name))
        for name in names:
            root = etree.fromstring(archive.read(name))
            for paragraph in root.iter(paragraph_tag):
                texts.append("".join(_own_text(paragraph, paragraph_tag, text_tag)))
    return texts


def _own_text(element: etree._Element, paragraph_tag: str, text_tag: str | None) -> Iterator[str]:
    if text_tag is None or element.tag == text_tag:
        yield element.text or ""
    for child in element:
        if isinstance(child.tag, str) and child.tag != paragraph_tag:
            yield from _own_text(child, paragraph_tag, text_tag)
        if text_tag is None:
            yield child.tail or ""
