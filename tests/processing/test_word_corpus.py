"""Word files from python-docx's, Apache Tika's and mammoth's test suites, measured against their own XML."""

from __future__ import annotations

import io
import zipfile

import pytest

from processing.blocks import BlockKind
from processing.errors import DocumentRefusedError
from processing.readers import read_blocks
from processing.readers.word import read_docx
from tests.processing.conftest import WORD_FILES, recall, word_xml_text, words
from tests.support.office_packages import PACKAGE_MARKERS

ALL_TEXT_PARTS = r"word/(document|header\d*|footer\d*|footnotes|endnotes)\.xml"


def texts(name: str, kind: BlockKind | None = None) -> list[str]:
    return [block.text for block in read_docx(WORD_FILES / name) if kind is None or block.kind is kind]


PROTECTED = "testWORD_protected_passtika.docx"
READABLE = sorted(path for path in WORD_FILES.glob("*.docx") if path.name != PROTECTED)


@pytest.mark.parametrize("path", READABLE, ids=lambda path: path.name)
def test_every_text_node_of_the_document_its_headers_footers_and_notes_is_read(path):
    reference = words(word_xml_text(path, ALL_TEXT_PARTS))
    found = words("\n".join(block.text for block in read_docx(path)))
    assert recall(reference, found) >= 0.99


def test_a_table_nested_in_a_cell_is_read_in_body_order():
    body = texts("blk-paras-and-tables.docx")
    before = body.index("Lorem ipsum dolor sit amet, consectetur adipiscing elit.")
    after = body.index("Donec semper facilisis metus finibus malesuada.")
    outer = body.index("Text before Text after")
    nested = [body.index("Table"), body.index("Between")]
    assert before < outer < nested[0] < nested[1] < after
    assert set(texts("blk-paras-and-tables.docx", BlockKind.TABLE)) >= {"Table", "Between"}


def test_nested_table_text_is_found_in_its_rows():
    rows = texts("testWORD.docx", BlockKind.TABLE)
    assert "Nested table |" in rows
    assert "| More of our nested table" in rows
    assert rows.index("This is a table |") < rows.index("Nested table |") < rows.index("The table has things in it |")


def test_a_table_row_stays_on_one_line():
    rows = texts("testWORD_various.docx", BlockKind.TABLE)
    assert "Row 1 Col 1 | Row 1 Col 2 | Row 1 Col 3" in rows
    assert all("\n" not in row for row in rows)


def test_headers_and_footers_are_read_once_as_header_footer():
    assert texts("testWORD.docx", BlockKind.HEADER_FOOTER) == [
        "This is the header for our document",
        "This is the footer for our document",
    ]
    body = texts("testWORD.docx")
    assert body[0] == "This is the header for our document"
    assert body[-1] == "This is the footer for our document"


def test_a_header_table_keeps_its_cells_on_one_line():
    assert texts("blk-paras-and-tables.docx", BlockKind.HEADER_FOOTER) == [
        "Left-side | Right-side",
        "Copyright | Page-number",
    ]


def test_each_section_has_its_own_header_and_a_shared_one_is_not_repeated():
    blocks = list(read_docx(WORD_FILES / "hdr-header-footer.docx"))
    assert [(block.kind, block.text) for block in blocks] == [
        (BlockKind.HEADER_FOOTER, "Header for section-1"),
        (BlockKind.PARAGRAPH, "section with header"),
        (BlockKind.HEADER_FOOTER, "Footer for section 1"),
        (BlockKind.PARAGRAPH, "section without header of its own."),
    ]


def test_footnotes_and_endnotes_are_notes():
    assert texts("testWORD_various.docx", BlockKind.NOTE) == ["This is a footnote."]
    assert texts("endnotes.docx", BlockKind.NOTE) == ["A tachyon walks into a bar.", "Fin."]


def test_hyperlink_text_is_kept():
    body = " ".join(texts("testWORD.docx"))
    assert "Apache Tika: http://tika.apache.org/ Tika" in body
    assert "This links to The Main Heading Bookmark and The Level 3 Bookmark." in body
    assert "This is a hyperlink" in texts("testWORD_various.docx")


def test_heading_styles_give_the_section_path():
    blocks = list(read_docx(WORD_FILES / "testWORD.docx"))
    headings = [(block.text, block.section) for block in blocks if block.kind is BlockKind.HEADING]
    assert headings == [
        ("Heading Level 1", ("Heading Level 1",)),
        ("Heading Level 2", ("Heading Level 1", "Heading Level 2")),
        ("Heading Level 3", ("Heading Level 1", "Heading Level 2", "Heading Level 3")),
    ]
    sample = next(block for block in blocks if block.text == "This is a sample Microsoft Word Document.")
    assert sample.section == ("Heading Level 1", "Heading Level 2", "Heading Level 3")
    assert all(block.page is None for block in blocks)


def test_list_paragraphs_are_list_items():
    items = texts("testWORD_various.docx", BlockKind.LIST_ITEM)
    assert items == ["Bullet 1", "Bullet 2", "Bullet 3", "Number bullet 1", "Number bullet 2", "Number bullet 3"]


def test_a_text_box_drawn_twice_is_read_once():
    body = " ".join(texts("testWORD_various.docx"))
    assert body.count("Here is a text box") == 1
    assert "Here is a text box Footnote appears here" in body


def test_docx_that_unpacks_too_large_is_refused_before_parsing(tmp_path, monkeypatch):
    monkeypatch.setattr("processing.readers.zip_package.MAX_UNPACKED_BYTES", 10_000)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("word/document.xml", "a" * 50_000)
        for name, content in PACKAGE_MARKERS[".docx"].items():
            archive.writestr(name, content)
    path = tmp_path / "bomb.docx"
    path.write_bytes(buffer.getvalue())
    with pytest.raises(DocumentRefusedError, match="zip bomb"):
        list(read_blocks(path, ".docx"))


def test_a_docx_that_starts_as_a_zip_but_is_truncated_is_refused_as_damaged(tmp_path):
    path = tmp_path / "broken.docx"
    path.write_bytes(b"PK\x03\x04 truncated")
    with pytest.raises(DocumentRefusedError, match="damaged or not a Word document"):
        list(read_blocks(path, ".docx"))


def test_a_password_protected_docx_is_refused_with_advice():
    with pytest.raises(DocumentRefusedError) as refused:
        list(read_blocks(WORD_FILES / PROTECTED, ".docx"))
    assert str(refused.value) == "the .docx is password-protected; upload an unprotected copy"
