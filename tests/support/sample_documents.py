"""Small real documents of every supported type, made on the fly, each carrying MARKER in its text."""

from __future__ import annotations

import io
import os
import zipfile
from email.message import EmailMessage
from xml.sax.saxutils import escape

import docx
import pptx
from fpdf import FPDF

from tests.support.office_packages import epub_package, open_document_package, workbook_package

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


def pptx_document() -> bytes:
    presentation = pptx.Presentation()
    slide = presentation.slides.add_slide(presentation.slide_layouts[1])
    slide.shapes.title.text = "Processing notes"
    slide.placeholders[1].text = BODY
    slide.notes_slide.notes_text_frame.text = "Say it slowly."
    buffer = io.BytesIO()
    presentation.save(buffer)
    return buffer.getvalue()


def xlsx_document() -> bytes:
    rows = "".join(
        f'<row r="{row}"><c r="A{row}" t="inlineStr"><is><t>{escape(text)}</t></is></c></row>'
        for row, text in enumerate(["Processing notes", BODY], start=1)
    )
    return workbook_package(rows)


def odt_document() -> bytes:
    return open_document_package(
        f'<office:text><text:h text:outline-level="1">Processing notes</text:h><text:p>{escape(BODY)}</text:p>'
        "</office:text>"
    )


def ods_document() -> bytes:
    return open_document_package(
        '<office:spreadsheet><table:table table:name="Notes"><table:table-row><table:table-cell>'
        f"<text:p>{escape(BODY)}</text:p></table:table-cell></table:table-row></table:table></office:spreadsheet>"
    )


def odp_document() -> bytes:
    return open_document_package(
        '<office:presentation><draw:page draw:name="page1"><draw:frame presentation:class="title"><draw:text-box>'
        "<text:p>Processing notes</text:p></draw:text-box></draw:frame><draw:frame><draw:text-box>"
        f"<text:p>{escape(BODY)}</text:p></draw:text-box></draw:frame></draw:page></office:presentation>"
    )


def epub_document() -> bytes:
    return epub_package(
        '<html xmlns="http://www.w3.org/1999/xhtml"><head><title>Processing notes</title></head>'
        f"<body><h1>Processing notes</h1><p>{escape(BODY)}</p></body></html>"
    )


def eml_document() -> bytes:
    message = EmailMessage()
    message["From"] = "Ada <ada@example.com>"
    message["To"] = "grace@example.com"
    message["Subject"] = "Processing notes"
    message["Date"] = "Mon, 23 Nov 2026 12:00:00 +0000"
    message.set_content(BODY)
    message.add_attachment(b"%PDF-1.7", maintype="application", subtype="pdf", filename="figures.pdf")
    return message.as_bytes()


def csv_document() -> bytes:
    return f'topic,note\nProcessing,"{BODY}"\n'.encode()


def rtf_document() -> bytes:
    return f"{{\\rtf1\\ansi{{\\fonttbl\\f0 Arial;}}\\f0 Processing notes\\par {BODY}\\par}}".encode()


SAMPLES = {
    "notes.txt": text_document,
    "notes.md": markdown_document,
    "notes.html": html_document,
    "notes.pdf": pdf_document,
    "notes.docx": docx_document,
    "notes.pptx": pptx_document,
    "notes.xlsx": xlsx_document,
    "notes.odt": odt_document,
    "notes.ods": ods_document,
    "notes.odp": odp_document,
    "notes.epub": epub_document,
    "notes.eml": eml_document,
    "notes.csv": csv_document,
    "notes.rtf": rtf_document,
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
