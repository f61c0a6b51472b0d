"""Excel workbooks from Apache Tika's test suite, measured against their own XML, and the cap on cells."""

from __future__ import annotations

import posixpath
import zipfile

import pytest
from lxml import etree

from processing.blocks import BlockKind
from processing.errors import DocumentRefusedError
from processing.readers import read_blocks
from processing.readers.spreadsheet import read_xlsx
from tests.processing.conftest import CORPUS, recall, words
from tests.support.office_packages import workbook_package

WORKBOOKS = CORPUS / "xlsx"
PROTECTED = "testEXCEL_protected_passtika.xlsx"
READABLE = sorted(path for path in WORKBOOKS.glob("*.xlsx") if path.name != PROTECTED)


def sheets(path):
    """(name, part) of each sheet in workbook order, and the shared strings, from the workbook's own XML."""
    with zipfile.ZipFile(path) as archive:
        workbook = etree.fromstring(archive.read("xl/workbook.xml"))
        relationships = etree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
        targets = {relation.get("Id"): relation.get("Target") for relation in relationships}
        listed = [
            (sheet.get("name"), posixpath.normpath(posixpath.join("xl", targets[relationship_id(sheet)])))
            for sheet in workbook.iter("{*}sheet")
        ]
        return [(name, etree.fromstring(archive.read(part))) for name, part in listed]


def relationship_id(element):
    """The `r:id` of `element`, in the transitional or the strict (ISO) namespace."""
    return next(value for name, value in element.attrib.items() if name.endswith("}id"))


def shared_strings(path):
    with zipfile.ZipFile(path) as archive:
        if "xl/sharedStrings.xml" not in archive.namelist():
            return []
        root = etree.fromstring(archive.read("xl/sharedStrings.xml"))
    return ["".join(text.text or "" for text in item.iter("{*}t")) for item in root.iter("{*}si")]


def cell_texts(path, sheet):
    """The text of every cell of `sheet`: its shared or inline string, or its saved value."""
    strings = shared_strings(path)
    for cell in sheet.iter("{*}c"):
        value = cell.find("{*}v")
        if cell.get("t") == "s" and value is not None:
            yield strings[int(value.text)]
        elif cell.get("t") == "inlineStr":
            yield "".join(text.text or "" for text in cell.iter("{*}t"))
        elif value is not None and value.text:
            yield value.text


@pytest.mark.parametrize("path", READABLE, ids=lambda path: path.name)
def test_every_cell_is_read_on_the_page_of_its_sheet_under_its_name(path):
    read = list(read_xlsx(path))
    for page, (name, sheet) in enumerate(sheets(path), start=1):
        on_sheet = [block for block in read if block.page == page]
        reference = words("\n".join(cell_texts(path, sheet)))
        assert recall(reference, words("\n".join(block.text for block in on_sheet))) == 1.0, name
        assert {block.section for block in on_sheet} <= {(name,)}
        if on_sheet:
            assert (on_sheet[0].kind, on_sheet[0].text) == (BlockKind.HEADING, name)
    assert {block.page for block in read} <= set(range(1, len(sheets(path)) + 1))


def test_each_sheet_with_cells_is_a_heading_and_an_empty_one_gives_nothing():
    read = list(read_xlsx(WORKBOOKS / "testEXCEL.strict.xlsx"))
    assert [(block.page, block.text) for block in read if block.kind is BlockKind.HEADING] == [
        (1, "First Sheet"),
        (2, "Sheet Number 2"),
    ]


def test_a_formula_reads_as_the_value_saved_with_it():
    (_, sheet) = sheets(WORKBOOKS / "testEXCEL.strict.xlsx")[1]
    formula = next(cell for cell in sheet.iter("{*}c") if cell.find("{*}f") is not None)
    assert (formula.find("{*}f").text, formula.find("{*}v").text) == ("SUM(A7:C7)", "13")
    assert "1 | 10 | 2 | 13" in texts("testEXCEL.strict.xlsx")
    assert "| 15 | 225" in texts("testEXCEL.xlsx")  # shared formulas, one cell's written out for many


def test_each_row_is_one_line_its_empty_cells_in_place_but_none_after_its_last():
    rows = texts("testEXCEL.xlsx", BlockKind.TABLE)
    assert rows[:3] == ["Sample Excel Worksheet - Numbers and their Squares", "| Number | Square", "| 1 | 1"]
    assert all("\n" not in row and not row.endswith("|") for row in rows)


def test_dates_read_as_iso_dates_and_whole_numbers_without_a_decimal_point():
    rows = texts("test-columnar.xlsx", BlockKind.TABLE)
    assert rows[1].startswith("0 | 0 | This is row 0 of 10 | 0 |  | 1960-01-01 | 1960-01-01 00:00:01")
    assert rows[4].startswith("3 | 9 | This is row 3 of 10 | 0.3 | 0.6666666666666666 | 1960-03-22")


def test_a_password_protected_xlsx_is_refused_with_advice():
    with pytest.raises(DocumentRefusedError) as refused:
        list(read_blocks(WORKBOOKS / PROTECTED, ".xlsx"))
    assert str(refused.value) == "the .xlsx is password-protected; upload an unprotected copy"


def texts(name, kind=None):
    return [block.text for block in read_xlsx(WORKBOOKS / name) if kind is None or block.kind is kind]


def workbook(path, *sheet_data):
    path.write_bytes(workbook_package(*sheet_data))
    return path


def test_a_generated_workbook_is_read(tmp_path):
    path = workbook(
        tmp_path / "small.xlsx",
        '<row r="1"><c r="A1" t="inlineStr"><is><t>alpha</t></is></c><c r="C1"><v>2</v></c></row>',
    )
    assert [(block.page, block.section, block.text) for block in read_blocks(path, ".xlsx")] == [
        (1, ("S1",), "S1"),
        (1, ("S1",), "alpha |  | 2"),
    ]


def test_a_sheet_spanning_more_cells_than_the_cap_is_refused_before_it_is_read(tmp_path):
    # Two cells, far apart: calamine would allocate the grid between them (17 billion cells) and abort.
    path = workbook(
        tmp_path / "sparse.xlsx",
        '<row r="1"><c r="A1"><v>1</v></c></row><row r="1048576"><c r="XFD1048576"><v>2</v></c></row>',
    )
    with pytest.raises(DocumentRefusedError) as refused:
        list(read_blocks(path, ".xlsx"))
    assert str(refused.value) == (
        "the workbook spans more than 2,000,000 cells, more than we read; split it into smaller workbooks"
    )


@pytest.mark.parametrize(
    ("sheet_data", "cells"),
    [
        ('<row r="3"><c r="B3"><v>1</v></c><c r="D3"><v>1</v></c></row><row r="6"><c r="C6"><v>1</v></c></row>', 12),
        ("<row>" + "<c><v>1</v></c>" * 5 + "</row><row><c><v>1</v></c></row>", 10),
        ('<row r="1"><c r="A1"><v>1</v></c><c r="J1"><v>1</v></c><c r="B1"><v>1</v></c></row>', 10),
        ('<row r="2"><c r="B5"><v>1</v></c></row><row r="1"><c r="A1"><v>1</v></c></row>', 10),
    ],
    ids=["rectangle-between-outermost-cells", "cells-without-references", "cells-out-of-order", "rows-out-of-order"],
)
def test_the_cap_counts_every_cell_of_the_grid_a_sheet_spans(tmp_path, monkeypatch, sheet_data, cells):
    path = workbook(tmp_path / "grid.xlsx", sheet_data)
    monkeypatch.setattr("processing.readers.spreadsheet.MAX_CELLS", cells)
    assert list(read_blocks(path, ".xlsx"))
    monkeypatch.setattr("processing.readers.spreadsheet.MAX_CELLS", cells - 1)
    with pytest.raises(DocumentRefusedError, match="spans more than"):
        list(read_blocks(path, ".xlsx"))


def test_the_cap_counts_the_cells_of_all_sheets_together(tmp_path, monkeypatch):
    row = '<row r="1"><c r="A1"><v>1</v></c><c r="C1"><v>1</v></c></row>'
    path = workbook(tmp_path / "two.xlsx", row, row)
    monkeypatch.setattr("processing.readers.spreadsheet.MAX_CELLS", 5)
    with pytest.raises(DocumentRefusedError, match="spans more than"):
        list(read_blocks(path, ".xlsx"))
