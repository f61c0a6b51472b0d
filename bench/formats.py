"""Generated documents of every format the readers take, each holding about the same amount of text, the
same for a given seed: what bench/reader_speed.py times the readers on."""

from __future__ import annotations

import csv
import io
import random
from collections.abc import Callable
from email.message import EmailMessage
from pathlib import Path
from xml.sax.saxutils import escape

import pptx
import xlsxwriter  # type: ignore[import-untyped]  # ships no type hints
from pptx.util import Inches

from bench.corpus import WORDS, make_document
from tests.support.office_packages import epub_package, open_document_package

# Lines of text per paragraph, slide, page or sheet row group: long enough that per-element costs do not
# swamp the text, as in the documents people write.
LINES_PER_PARAGRAPH = 4
LINES_PER_SLIDE = 16
CELLS_PER_ROW = 6


def _lines(characters: int, seed: int) -> list[str]:
    """Sentences of twelve words from the bench's vocabulary, adding up to about `characters`."""
    generator = random.Random(seed)  # noqa: S311 - test data, not security
    lines, written = [], 0
    while written < characters:
        line = " ".join(generator.choice(WORDS) for _ in range(12)) + "."
        lines.append(line)
        written += len(line) + 1
    return lines


def _paragraphs(lines: list[str], size: int = LINES_PER_PARAGRAPH) -> list[str]:
    return [" ".join(lines[start : start + size]) for start in range(0, len(lines), size)]


def _pptx(lines: list[str]) -> bytes:
    presentation = pptx.Presentation()
    layout = presentation.slide_layouts[5]  # title only
    for number, start in enumerate(range(0, len(lines), LINES_PER_SLIDE), start=1):
        slide = presentation.slides.add_slide(layout)
        slide.shapes.title.text = f"Slide {number}"
        frame = slide.shapes.add_textbox(Inches(0.5), Inches(1.5), Inches(9), Inches(5)).text_frame
        frame.text = lines[start]
        for line in lines[start + 1 : start + LINES_PER_SLIDE]:
            frame.add_paragraph().text = line
    buffer = io.BytesIO()
    presentation.save(buffer)
    return buffer.getvalue()


def _xlsx(lines: list[str]) -> bytes:
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"constant_memory": True, "in_memory": True})
    sheet = workbook.add_worksheet("Notes")
    for row, line in enumerate(lines):
        words = line.split()
        per_cell = max(1, len(words) // CELLS_PER_ROW)
        for column in range(CELLS_PER_ROW):
            sheet.write_string(row, column, " ".join(words[column * per_cell : (column + 1) * per_cell]))
    workbook.close()
    return buffer.getvalue()


def _odt(lines: list[str]) -> bytes:
    body = "".join(
        (f'<text:h text:outline-level="1">Section {index}</text:h>' if index % 20 == 0 else "")
        + f"<text:p>{escape(paragraph)}</text:p>"
        for index, paragraph in enumerate(_paragraphs(lines))
    )
    return open_document_package(f"<office:text>{body}</office:text>")


def _ods(lines: list[str]) -> bytes:
    rows = "".join(
        "<table:table-row>"
        + "".join(f"<table:table-cell><text:p>{escape(word)}</text:p></table:table-cell>" for word in line.split())
        + "</table:table-row>"
        for line in lines
    )
    return open_document_package(
        f'<office:spreadsheet><table:table table:name="Notes">{rows}</table:table></office:spreadsheet>'
    )


def _odp(lines: list[str]) -> bytes:
    pages = "".join(
        f'<draw:page draw:name="page{number}"><draw:frame><draw:text-box>'
        + "".join(f"<text:p>{escape(line)}</text:p>" for line in lines[start : start + LINES_PER_SLIDE])
        + "</draw:text-box></draw:frame></draw:page>"
        for number, start in enumerate(range(0, len(lines), LINES_PER_SLIDE), start=1)
    )
    return open_document_package(f"<office:presentation>{pages}</office:presentation>")


def _epub(lines: list[str]) -> bytes:
    paragraphs = "".join(
        (f"<h2>Section {index}</h2>" if index % 20 == 0 else "") + f"<p>{escape(paragraph)}</p>"
        for index, paragraph in enumerate(_paragraphs(lines))
    )
    return epub_package(
        '<html xmlns="http://www.w3.org/1999/xhtml"><head><title>Bench</title></head>'
        f"<body><h1>Bench</h1>{paragraphs}</body></html>"
    )


def _eml(lines: list[str]) -> bytes:
    message = EmailMessage()
    message["From"] = "Ada <ada@example.com>"
    message["To"] = "grace@example.com"
    message["Subject"] = "Bench notes"
    message["Date"] = "Sun, 06 Dec 2026 12:00:00 +0000"
    message.set_content("\n\n".join(_paragraphs(lines, 1)))
    return message.as_bytes()


def _rtf(lines: list[str]) -> bytes:
    body = "\\par\n".join(_paragraphs(lines))
    return f"{{\\rtf1\\ansi{{\\fonttbl\\f0 Arial;}}\\f0 {body}\\par}}".encode()


def _csv(lines: list[str]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([f"column {column}" for column in range(CELLS_PER_ROW)])
    for line in lines:
        words = line.split()
        per_cell = max(1, len(words) // CELLS_PER_ROW)
        writer.writerow(" ".join(words[column * per_cell : (column + 1) * per_cell]) for column in range(CELLS_PER_ROW))
    return buffer.getvalue().encode()


def _from_corpus(kind: str, file_bytes_per_character: float) -> Callable[[list[str], int, int], bytes]:
    """The bench corpus's own generator, asked for the file size that holds about `characters` of text."""

    def generate(_: list[str], characters: int, seed: int) -> bytes:
        return make_document(kind, int(characters * file_bytes_per_character), seed)

    return generate


def _from_lines(generate: Callable[[list[str]], bytes]) -> Callable[[list[str], int, int], bytes]:
    return lambda lines, _characters, _seed: generate(lines)


# Each format, and how it is made from about `characters` of text: the bench corpus's text and PDF
# (uncompressed, about 1.5 bytes of file per character) and .docx (deflated, about 5.5 characters a byte).
GENERATORS: dict[str, Callable[[list[str], int, int], bytes]] = {
    ".txt": _from_corpus(".txt", 1.0),
    ".md": _from_corpus(".md", 1.0),
    ".html": _from_corpus(".html", 1.0),
    ".pdf": _from_corpus(".pdf", 1.5),
    ".docx": _from_corpus(".docx", 1 / 5.5),
    ".pptx": _from_lines(_pptx),
    ".xlsx": _from_lines(_xlsx),
    ".odt": _from_lines(_odt),
    ".ods": _from_lines(_ods),
    ".odp": _from_lines(_odp),
    ".epub": _from_lines(_epub),
    ".eml": _from_lines(_eml),
    ".rtf": _from_lines(_rtf),
    ".csv": _from_lines(_csv),
}


def make_format_files(directory: Path, characters: int, seed: int = 20) -> dict[str, Path]:
    """One file of each format holding about `characters` of text; cached in `directory`."""
    directory.mkdir(parents=True, exist_ok=True)
    lines = _lines(characters, seed)
    made = {}
    for kind, generate in GENERATORS.items():
        path = directory / f"bench-{characters}{kind}"
        if not path.exists():
            path.write_bytes(generate(lines, characters, seed))
        made[kind] = path
    return made
