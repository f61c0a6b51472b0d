"""A generated corpus: every supported type, sizes spread log-uniformly over a range, the same for a given seed."""

from __future__ import annotations

import io
import math
import random
from dataclasses import dataclass
from pathlib import Path

import docx
from fpdf import FPDF

TYPES = (".txt", ".md", ".html", ".pdf", ".docx")
WORDS = [
    "durable",
    "execution",
    "step",
    "retry",
    "document",
    "chunk",
    "extract",
    "store",
    "status",
    "queue",
    "event",
    "server",
    "worker",
    "broker",
    "latency",
    "throughput",
    "memory",
    "process",
    "python",
    "flask",
    "inngest",
    "celery",
    "redis",
    "measure",
    "open",
    "model",
    "rate",
    "knee",
]


@dataclass(frozen=True)
class CorpusDocument:
    name: str
    path: Path
    size: int


def _words(generator: random.Random, characters: int) -> str:
    lines = []
    written = 0
    while written < characters:
        line = " ".join(generator.choice(WORDS) for _ in range(12)) + "."
        lines.append(line)
        written += len(line) + 1
    return "\n".join(lines)


def _text(generator: random.Random, size: int, kind: str) -> bytes:
    body = _words(generator, size)
    if kind == ".md":
        sections = body.split("\n")
        body = "\n\n".join(
            f"## Section {index}\n\n{line}" if index % 20 == 0 else line for index, line in enumerate(sections)
        )
    if kind == ".html":
        paragraphs = "".join(f"<p>{line}</p>" for line in body.split("\n"))
        head = "<head><title>bench</title><script>var x = 1;</script></head>"
        body = f"<!doctype html><html>{head}<body>{paragraphs}</body></html>"
    return body.encode()[: max(size, 64)] if kind == ".txt" else body.encode()


def _pdf(generator: random.Random, size: int) -> bytes:
    pdf = FPDF()
    pdf.set_compression(False)  # so the file's size follows the text's
    pdf.set_font("Helvetica", size=9)
    # About 4.4 KB of file per page of 60 lines of 90 characters, uncompressed.
    pages = max(1, round(size / 4400))
    for _ in range(pages):
        pdf.add_page()
        pdf.multi_cell(0, 4.2, _words(generator, 3000))
    return bytes(pdf.output())


def _docx(generator: random.Random, size: int) -> bytes:
    document = docx.Document()
    # A .docx is deflated XML: about 5.5 characters of text per byte of file with these words.
    lines = _words(generator, int(size * 5.5)).split("\n")
    for start in range(0, len(lines), 40):  # long paragraphs: python-docx is slow per paragraph
        document.add_paragraph(" ".join(lines[start : start + 40]))
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def make_document(kind: str, size: int, seed: int) -> bytes:
    generator = random.Random(seed)  # noqa: S311 - test data, not security
    if kind == ".pdf":
        return _pdf(generator, size)
    if kind == ".docx":
        return _docx(generator, size)
    return _text(generator, size, kind)


def make_corpus(directory: Path, count: int, smallest: int, largest: int, seed: int = 10) -> list[CorpusDocument]:
    """`count` documents, types in turn, sizes log-uniform in [smallest, largest]; cached in `directory`."""
    directory.mkdir(parents=True, exist_ok=True)
    generator = random.Random(seed)  # noqa: S311 - test data, not security
    corpus = []
    for index in range(count):
        kind = TYPES[index % len(TYPES)]
        size = int(math.exp(generator.uniform(math.log(smallest), math.log(largest))))
        path = directory / f"doc-{index:03d}-{size}{kind}"
        if not path.exists():
            path.write_bytes(make_document(kind, size, seed + index))
        corpus.append(CorpusDocument(name=path.name, path=path, size=path.stat().st_size))
    return corpus
