"""The PDF corpus (tests/corpus/pdf/) read three ways: our reader (PDFium), pypdf, and poppler's pdftotext.

Prints each text PDF's word recall against pdftotext, ours and pypdf's, and the seconds each takes
on the biggest multi-page PDF, in one run: `.venv/bin/python -m bench.pdf_readers`.
"""

from __future__ import annotations

import subprocess
import time
from collections.abc import Callable
from pathlib import Path

from pypdf import PdfReader

from processing.readers.pdf import read_pdf
from tests.processing.conftest import PDFS, pdftotext_pages, recall, words
from tests.processing.test_pdf_corpus import TEXT_PDFS


def pypdf_text(path: Path) -> str:
    return "\n".join(page.extract_text() or "" for page in PdfReader(path).pages)


def our_text(path: Path) -> str:
    return "\n".join(block.text for block in read_pdf(path))


def seconds(action: Callable[..., object], *arguments: object) -> float:
    started = time.perf_counter()
    action(*arguments)
    return time.perf_counter() - started


def main() -> None:
    print(f"{'file':40} {'words':>6} {'ours':>6} {'pypdf':>6}")
    for name in sorted(TEXT_PDFS):
        path = PDFS / name
        reference = words("\n".join(pdftotext_pages("pdftotext", path)))
        ours = recall(reference, words(our_text(path)))
        theirs = recall(reference, words(pypdf_text(path)))
        print(f"{name:40} {sum(reference.values()):6} {ours:6.3f} {theirs:6.3f}")
    biggest = max(PDFS.glob("*.pdf"), key=lambda path: path.stat().st_size)
    poppler = seconds(subprocess.run, ["pdftotext", str(biggest), "/dev/null"])
    ours_seconds = seconds(our_text, biggest)
    pypdf_seconds = seconds(pypdf_text, biggest)
    print(
        f"\n{biggest.name}: pdftotext {poppler:.2f} s, ours {ours_seconds:.2f} s ({ours_seconds / poppler:.2f} x), "
        f"pypdf {pypdf_seconds:.2f} s ({pypdf_seconds / poppler:.2f} x)"
    )


if __name__ == "__main__":
    main()
