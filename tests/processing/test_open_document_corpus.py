"""OpenDocument texts, spreadsheets and presentations from Apache Tika's and odfpy's test suites, measured
against their own content.xml."""

from __future__ import annotations

import zipfile

import pytest
from lxml import etree

from processing.blocks import BlockKind
from processing.errors import DocumentRefusedError
from processing.readers import read_blocks
from tests.processing.conftest import CORPUS, recall, words
from tests.support.office_packages import open_document_package

TEXT = "{urn:oasis:names:tc:opendocument:xmlns:text:1.0}"
TABLE = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"
PARAGRAPHS = (f"{TEXT}p", f"{TEXT}h")
WHITESPACE = (f"{TEXT}tab", f"{TEXT}line-break", f"{TEXT}s")
ENCRYPTED, NOT_A_ZIP = "testODTEncrypted.odt", "testODTnotaZipFile.odt"
READABLE = sorted(
    path
    for folder in ("odt", "ods", "odp")
    for path in (CORPUS / folder).glob(f"*.{folder}")
    if path.name not in {ENCRYPTED, NOT_A_ZIP}
)


def content(path):
    with zipfile.ZipFile(path) as archive:
        return etree.fromstring(archive.read("content.xml"))


def own_text(element):
    """The text of a paragraph without what holds paragraphs of its own (notes, comments, text boxes),
    which are counted in their own right; a tab, line break or run of spaces as a space."""
    pieces = [element.text or ""]
    for child in element:
        if child.tag in WHITESPACE:
            pieces.append(" ")
        elif isinstance(child.tag, str) and not any(True for _ in child.iter(*PARAGRAPHS)):
            pieces.append(own_text(child))
        pieces.append(child.tail or "")
    return "".join(pieces)


def reference_paragraphs(path):
    """The text of every `text:p` and `text:h` of content.xml but deleted text kept for change tracking."""
    return [
        own_text(paragraph)
        for paragraph in content(path).iter(*PARAGRAPHS)
        if not any(ancestor.tag == f"{TEXT}tracked-changes" for ancestor in paragraph.iterancestors())
    ]


def read(name, kind=None):
    folder = name.rsplit(".", 1)[1]
    return [block for block in read_blocks(CORPUS / folder / name, f".{folder}") if kind is None or block.kind is kind]


def texts(name, kind=None):
    return [block.text for block in read(name, kind)]


@pytest.mark.parametrize("path", READABLE, ids=lambda path: path.name)
def test_every_paragraph_and_heading_of_the_content_is_read(path):
    found = words("\n".join(block.text for block in read_blocks(path, path.suffix)))
    assert recall(words("\n".join(reference_paragraphs(path))), found) == 1.0


def test_headings_give_the_section_path_by_outline_level():
    blocks = read("api-for-odfpy.odt")
    headings = [block for block in blocks if block.kind is BlockKind.HEADING]
    reference = [
        " ".join(own_text(heading).split())
        for heading in content(CORPUS / "odt" / "api-for-odfpy.odt").iter(f"{TEXT}h")
    ]
    assert [heading.text for heading in headings] == [text for text in reference if text]
    sections = {block.text: block.section for block in headings}
    assert sections["Example"] == ("Creating a document", "Example")
    assert sections["chart.Title"] == ("The Element classes", "chart module", "chart.Title")
    after = blocks[blocks.index(next(block for block in headings if block.text == "Example")) + 1]
    assert (after.kind, after.section) == (BlockKind.PARAGRAPH, ("Creating a document", "Example"))
    assert all(block.page is None for block in blocks)


def test_list_items_at_every_level_are_list_items():
    assert [(block.kind, block.text) for block in read("twolevellist.odt")] == [
        (BlockKind.PARAGRAPH, "Line 1"),
        (BlockKind.LIST_ITEM, "Item A"),
        (BlockKind.LIST_ITEM, "Item B"),
        (BlockKind.LIST_ITEM, "Subitem B.1"),
        (BlockKind.LIST_ITEM, "Subitem B.2 (bold)"),
        (BlockKind.LIST_ITEM, "Item C"),
        (BlockKind.PARAGRAPH, "Line 4"),
    ]


def test_a_table_row_stays_on_one_line():
    assert texts("simpletable.odt", BlockKind.TABLE) == ["Cell 1 | Cell 2", "Cell 3 (bold) | Cell 4 (italic)"]


def test_footnotes_and_comments_are_notes_after_their_paragraph():
    body = texts("testODFwithOOo3.odt")
    assert texts("testODFwithOOo3.odt", BlockKind.NOTE) == [
        "Tika is part of the Lucene project.",
        "This is of course a simple footnote",
    ]
    paragraph = "This is a rather difficult test document, with interesting features."
    assert body.index("This is of course a simple footnote") == body.index(paragraph) + 1


def test_text_deleted_under_change_tracking_is_not_read():
    assert "complex" not in " ".join(texts("testODFwithOOo3.odt"))


def test_page_headers_come_first_and_footers_last_once_each():
    assert [(block.kind, block.text) for block in read("headerfooter.odt")] == [
        (BlockKind.HEADER_FOOTER, "Header 1 Test"),
        (BlockKind.HEADING, "Lorem ipsum"),
        (BlockKind.HEADER_FOOTER, "Footer 1 Bottom"),
    ]


def test_each_sheet_is_a_page_and_a_section_and_an_empty_one_gives_nothing():
    blocks = read("countrystatistics.ods")
    assert [(block.page, block.text) for block in blocks if block.kind is BlockKind.HEADING] == [
        (1, "Population"),
        (2, "HDI"),
    ]
    assert {(block.page, block.section) for block in blocks} == {(1, ("Population",)), (2, ("HDI",))}
    assert {block.page for block in read("testFooter.ods")} == {1}


def test_a_formula_reads_as_the_value_saved_with_it():
    formulas = [
        cell
        for cell in content(CORPUS / "ods" / "pythagoras.ods").iter(f"{TABLE}table-cell")
        if cell.get(f"{TABLE}formula")
    ]
    assert [cell.get(f"{TABLE}formula") for cell in formulas] == [
        "of:=SQRT([.A1]*[.A1]+[.A2]*[.A2])",
        "of:=SUM([.A1:.A2])",
    ]
    assert texts("pythagoras.ods", BlockKind.TABLE) == ["3", "4", "5", "7"]


def test_an_empty_row_repeated_to_the_end_of_the_sheet_is_not_expanded():
    rows = content(CORPUS / "ods" / "test-columnar.ods").iter(f"{TABLE}table-row")
    assert max(int(row.get(f"{TABLE}number-rows-repeated", "1")) for row in rows) > 1_000_000
    assert len(texts("test-columnar.ods", BlockKind.TABLE)) == 12


def test_a_presentation_page_is_a_page_its_title_the_section():
    blocks = read("LibreOfficeImpress_odp_1.3.odp")
    assert [(block.page, block.kind, block.section, block.text) for block in blocks] == [
        (1, BlockKind.HEADING, ("This is",), "This is"),
        (1, BlockKind.PARAGRAPH, ("This is",), "An example Impress file"),
    ]
    assert {block.section for block in read("ol.odp")} == {("OL",)}
    assert set(texts("ol.odp", BlockKind.LIST_ITEM)) >= {"Eins", "Tsvey", "Dray"}
    assert {block.section for block in read("cols.odp")} == {()}  # untitled, and its name is the default


def test_a_password_protected_odt_is_refused_with_advice():
    with pytest.raises(DocumentRefusedError) as refused:
        list(read_blocks(CORPUS / "odt" / ENCRYPTED, ".odt"))
    assert str(refused.value) == "the .odt is password-protected; upload an unprotected copy"


def open_document(path, body):
    path.write_bytes(open_document_package(body))
    return path


def test_speaker_notes_are_notes_on_their_page(tmp_path):
    # None of the corpus's presentations has notes with text: this one is made for the test.
    path = open_document(
        tmp_path / "notes.odp",
        '<office:presentation><draw:page draw:name="Budget">'
        "<draw:frame><draw:text-box><text:p>Costs rose</text:p></draw:text-box></draw:frame>"
        '<presentation:notes><draw:frame presentation:class="notes"><draw:text-box>'
        "<text:p>Say why costs rose</text:p></draw:text-box></draw:frame></presentation:notes>"
        "</draw:page></office:presentation>",
    )
    assert [(block.page, block.kind, block.section, block.text) for block in read_blocks(path, ".odp")] == [
        (1, BlockKind.HEADING, ("Budget",), "Budget"),
        (1, BlockKind.PARAGRAPH, ("Budget",), "Costs rose"),
        (1, BlockKind.NOTE, ("Budget",), "Say why costs rose"),
    ]


def repeated_sheet(tmp_path, cells, rows):
    return open_document(
        tmp_path / "repeated.ods",
        '<office:spreadsheet><table:table table:name="S">'
        f'<table:table-row table:number-rows-repeated="{rows}">'
        f'<table:table-cell table:number-columns-repeated="{cells}"><text:p>x</text:p></table:table-cell>'
        "</table:table-row></table:table></office:spreadsheet>",
    )


def test_repeated_cells_and_rows_count_against_the_cap(tmp_path, monkeypatch):
    path = repeated_sheet(tmp_path, cells=3, rows=5)
    monkeypatch.setattr("processing.readers.open_document.MAX_CELLS", 15)
    assert texts_of(path, ".ods", BlockKind.TABLE) == ["x | x | x"] * 5
    monkeypatch.setattr("processing.readers.open_document.MAX_CELLS", 14)
    with pytest.raises(DocumentRefusedError, match="more than 14 table cells"):
        list(read_blocks(path, ".ods"))


@pytest.mark.parametrize(("cells", "rows"), [(10**9, 1), (1, 10**9)], ids=["columns", "rows"])
def test_a_cell_repeated_a_billion_times_is_refused_before_it_is_expanded(tmp_path, cells, rows):
    with pytest.raises(DocumentRefusedError) as refused:
        list(read_blocks(repeated_sheet(tmp_path, cells, rows), ".ods"))
    assert str(refused.value) == (
        "the document holds more than 2,000,000 table cells, more than we read; split it into smaller files"
    )


def texts_of(path, kind_of_file, kind):
    return [block.text for block in read_blocks(path, kind_of_file) if block.kind is kind]
