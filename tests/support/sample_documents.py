"""Small real documents of every supported type, made on the fly, each carrying MARKER in its text."""

from __future__ import annotations

import io
import os
import zipfile

import docx
from fpdf import FPDF

MARKER = "Zebra quartz marker"
PARAGRAPH = (
    "Durable execution means every step of a run is retried on its own and remembered once it succeeds. "
    "A document is fetched, its text extracted, split into chunks and stored. "
)
BODY = f"{MARKER}. " + PARAGRAPH * 6


def text_document() -> bytes:
    return BODY.encode()


def markdown_document() -> bytes:
    return f"# Processing notes\n\n{BODY}\n\n## Second section\n\n- one item\n- another item\n".encode()


def html_document() -> bytes:
    return (
        "<!doctype html><html><head><title>Notes</title><style>body{color:red}</style>"
        "<script>var hidden = 'script text must not be extracted';</script></head>"
        f"<body><h1>Processing notes</h1><p>{BODY}</p></body></html>"
    ).encode()


def pdf_document() -> bytes:
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", size=11)
    pdf.multi_cell(0, 6, BODY)
    return bytes(pdf.output())


def docx_document() -> bytes:
    document = docx.Document()
    document.add_heading("Processing notes", level=1)
    document.add_paragraph(BODY)
    table = document.add_table(rows=1, cols=2)
    table.rows[0].cells[0].text = "cell one"
    table.rows[0].cells[1].text = "cell two"
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


SAMPLES = {
    "notes.txt": text_document,
    "notes.md": markdown_document,
    "notes.html": html_document,
    "notes.pdf": pdf_document,
    "notes.docx": docx_document,
}


def padded_docx_document(total_bytes: int) -> bytes:
    """A .docx of about `total_bytes`, the sample's text plus an incompressible part no reader looks at.

    Big enough to be uploaded in parts, yet quick to read.
    """
    buffer = io.BytesIO(docx_document())
    with zipfile.ZipFile(buffer, "a") as archive:
        padding = zipfile.ZipInfo("word/media/padding.bin")
        archive.writestr(padding, os.urandom(total_bytes), compress_type=zipfile.ZIP_STORED)
    return buffer.getvalue()
