"""A document's bytes must be of the type its name says: every corpus file passes as its own type, and content
of another type is refused before any reader opens it, naming what it looks like."""

from __future__ import annotations

import codecs
import io
import zipfile

import pytest

from documents.types import MEDIA_TYPES, document_type
from processing.errors import ContentMismatchError
from processing.readers import read_blocks
from processing.sniffing import CONTENT_RULES, check_content
from tests.processing.conftest import CORPUS
from tests.support.office_packages import PACKAGE_MARKERS
from tests.support.sample_documents import SAMPLES

# Corpus files that are not what their name says, on purpose, with what they look like.
NOT_THEIR_TYPE = {"testODTnotaZipFile.odt": "plain text"}
CORPUS_FILES = sorted(path for path in CORPUS.rglob("*") if path.is_file() and document_type(path.name) in MEDIA_TYPES)
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(64)


def package(kind: str) -> bytes:
    """A zip that declares itself a `kind` package and holds nothing else."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, content in PACKAGE_MARKERS[kind].items():
            archive.writestr(name, content)
    return buffer.getvalue()


def plain_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("readme.txt", "hello")
    return buffer.getvalue()


def refusal(tmp_path, name: str, content: bytes) -> str:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(ContentMismatchError) as refused:
        list(read_blocks(path, document_type(name)))
    return str(refused.value)


def test_every_supported_type_has_a_content_rule():
    assert {types[0] for types in MEDIA_TYPES.values()} == set(CONTENT_RULES)


@pytest.mark.parametrize("path", CORPUS_FILES, ids=lambda path: path.name)
def test_every_corpus_file_passes_as_the_type_its_name_says(path):
    if path.name in NOT_THEIR_TYPE:
        with pytest.raises(ContentMismatchError, match=f"it looks like {NOT_THEIR_TYPE[path.name]}"):
            check_content(path, MEDIA_TYPES[document_type(path.name)][0])
    else:
        check_content(path, MEDIA_TYPES[document_type(path.name)][0])


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_every_sample_document_passes_as_the_type_its_name_says(tmp_path, name):
    path = tmp_path / name
    path.write_bytes(SAMPLES[name]())
    check_content(path, MEDIA_TYPES[document_type(name)][0])


def test_the_refusal_says_what_the_content_is_and_what_to_do(tmp_path):
    assert refusal(tmp_path, "report.pdf", plain_zip()) == (
        "the file's content is not a PDF document (it looks like a ZIP archive); "
        "check that this is the file you meant, and that its name ends with its real type"
    )


@pytest.mark.parametrize(
    ("name", "content", "expected", "looks_like"),
    [
        pytest.param(
            "report.pdf", SAMPLES["notes.docx"](), "a PDF document", "a Word document", id="report.pdf-as-word-document"
        ),
        pytest.param("report.pdf", b"just words", "a PDF document", "plain text", id="report.pdf-as-plain-text"),
        pytest.param(
            "report.docx", SAMPLES["notes.pdf"](), "a Word document", "a PDF document", id="report.docx-as-pdf-document"
        ),
        pytest.param(
            "report.docx", package(".xlsx"), "a Word document", "an Excel workbook", id="report.docx-as-excel-workbook"
        ),
        pytest.param("report.docx", plain_zip(), "a Word document", "a ZIP archive", id="report.docx-as-zip-archive"),
        pytest.param(
            "report.docx", b"not a zip at all", "a Word document", "plain text", id="report.docx-as-plain-text"
        ),
        pytest.param(
            "slides.pptx",
            package(".docx"),
            "a PowerPoint presentation",
            "a Word document",
            id="slides.pptx-as-word-document",
        ),
        pytest.param(
            "sheet.xlsx",
            package(".pptx"),
            "an Excel workbook",
            "a PowerPoint presentation",
            id="sheet.xlsx-as-powerpoint-presentation",
        ),
        pytest.param("sheet.xlsx", PNG, "an Excel workbook", "a PNG image", id="sheet.xlsx-as-png-image"),
        pytest.param(
            "letter.odt",
            package(".ods"),
            "an OpenDocument text",
            "an OpenDocument spreadsheet",
            id="letter.odt-as-opendocument-spreadsheet",
        ),
        pytest.param(
            "table.ods", package(".epub"), "an OpenDocument spreadsheet", "an EPUB book", id="table.ods-as-epub-book"
        ),
        pytest.param(
            "deck.odp",
            package(".odt"),
            "an OpenDocument presentation",
            "an OpenDocument text",
            id="deck.odp-as-opendocument-text",
        ),
        pytest.param("book.epub", package(".docx"), "an EPUB book", "a Word document", id="book.epub-as-word-document"),
        pytest.param("book.epub", plain_zip(), "an EPUB book", "a ZIP archive", id="book.epub-as-zip-archive"),
        pytest.param(
            "letter.rtf", b"plain words, no RTF header", "an RTF document", "plain text", id="letter.rtf-as-plain-text"
        ),
        pytest.param(
            "letter.rtf", SAMPLES["notes.pdf"](), "an RTF document", "a PDF document", id="letter.rtf-as-pdf-document"
        ),
    ],
)
def test_a_binary_format_whose_content_is_another_type_is_refused_naming_it(
    tmp_path, name, content, expected, looks_like
):
    assert refusal(tmp_path, name, content).startswith(
        f"the file's content is not {expected} (it looks like {looks_like});"
    )


@pytest.mark.parametrize("name", ["notes.txt", "notes.md", "notes.markdown", "page.html", "data.csv", "mail.eml"])
@pytest.mark.parametrize(
    ("content", "looks_like"),
    [
        (PNG, "a PNG image"),
        (SAMPLES["notes.pdf"](), "a PDF document"),
        (SAMPLES["notes.docx"](), "a Word document"),
        (b"a,b\n\x00\x01\x02", "binary data of no type we know"),
    ],
    ids=["png", "pdf", "docx", "nul-bytes"],
)
def test_a_text_format_whose_content_is_binary_is_refused_naming_it(tmp_path, name, content, looks_like):
    assert refusal(tmp_path, name, content) == f"the file's content is binary, not text (it looks like {looks_like})"


@pytest.mark.parametrize(
    "content",
    [
        "naïve café, déjà vu".encode("cp1252"),
        codecs.BOM_UTF16_LE + "Grüße aus Köln".encode("utf-16-le"),
        b"page one\fpage two\n\x1b[1mbold\x1b[0m\n",
        b"<?xml version='1.0'?><note>xml is text</note>",
    ],
    ids=["cp1252", "utf-16", "form-feed-and-escapes", "xml"],
)
@pytest.mark.parametrize("name", ["notes.txt", "page.html", "data.csv"])
def test_text_in_any_encoding_passes_as_text(tmp_path, name, content):
    path = tmp_path / name
    path.write_bytes(content)
    check_content(path, MEDIA_TYPES[document_type(name)][0])


def test_a_pdf_header_after_leading_junk_passes_as_pdf(tmp_path):
    path = tmp_path / "junk-first.pdf"
    path.write_bytes(b"\r\n\r\n" + SAMPLES["notes.pdf"]())
    check_content(path, "application/pdf")


@pytest.mark.parametrize("kind", sorted(PACKAGE_MARKERS))
def test_a_file_that_starts_as_a_zip_but_is_truncated_is_left_to_its_reader(tmp_path, kind):
    path = tmp_path / f"truncated{kind}"
    path.write_bytes(package(kind)[:40])
    check_content(path, MEDIA_TYPES[kind][0])


def test_a_package_whose_marker_part_cannot_be_inflated_is_left_to_its_reader(tmp_path):
    content = bytearray(package(".docx"))
    start = content.index(b"[Content_Types].xml") + len("[Content_Types].xml")
    content[start : start + 8] = b"\xff" * 8  # the start of the deflated part: no longer deflate
    path = tmp_path / "broken-marker.docx"
    path.write_bytes(bytes(content))
    check_content(path, MEDIA_TYPES[".docx"][0])


def test_an_office_package_listing_more_parts_than_we_read_before_its_main_one_is_left_to_its_reader(
    tmp_path, monkeypatch
):
    monkeypatch.setattr("processing.sniffing.MARKER_PART_BYTES", 64)
    parts = "".join(f'<Override PartName="/slide{number}.xml" ContentType="slide+xml"/>' for number in range(10))
    main = 'ContentType="application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml"'
    path = tmp_path / "long-listing.pptx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("[Content_Types].xml", f"<Types>{parts}<Override PartName='/p.xml' {main}/></Types>")
    check_content(path, MEDIA_TYPES[".pptx"][0])
