"""Excel (.xlsx), sheet by sheet: each sheet a section (its name) and a page (its place in the workbook), each
row one `a | b | c` line, a formula as the value Excel last computed and saved with it."""

from __future__ import annotations

import datetime
import re
import sys
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from lxml import etree
from python_calamine import CalamineError, CalamineWorkbook, SheetTypeEnum

from processing.blocks import Block, BlockKind, table_row
from processing.errors import DocumentRefusedError
from processing.readers.long_text import cut_at_whitespace
from processing.readers.zip_package import check_zip_package

# python-calamine (Rust) reads a large sheet many times faster than openpyxl in read-only mode. Measured on
# generated sheets (rows of 10 cells, half text), each row joined as this reader joins it, best of 3 on a
# 2-core machine under load (two runs, so a range):
#   200,000 cells (2 MB):    openpyxl 4.4-5.6 s, calamine 0.3-0.9 s
#   1,000,000 cells (10 MB): openpyxl 32-65 s,   calamine 4.3-4.7 s
# calamine builds each sheet as one dense grid spanning its outermost cells, and when that grid cannot be
# allocated the whole process aborts: a 5 KB sheet holding A1 and XFD1048576 asks for 512 GiB. So the
# extent of every sheet is measured first, streaming its XML with lxml, and a workbook whose sheets span
# more than MAX_CELLS cells is refused before calamine reads any of it. That pass is most of this reader's
# time (0.8 of 1.3 s at 200,000 cells, 16 of 22 s at 1,000,000), and the whole is still 3-4 times faster
# than openpyxl, which needs no such pass.
MAX_CELLS = 2_000_000

DAMAGED = "the .xlsx is damaged or not an Excel workbook"
TOO_MANY_CELLS = f"the workbook spans more than {MAX_CELLS:,} cells, more than we read; split it into smaller workbooks"
SHEET_ROOTS = frozenset({"worksheet", "dialogsheet", "macrosheet"})
CELL_REFERENCE = re.compile(r"([A-Za-z]{1,3})(\d+)")

Cell = int | float | str | bool | datetime.time | datetime.date | datetime.datetime | datetime.timedelta


def read_xlsx(path: Path) -> Iterator[Block]:
    """Blocks of a workbook, sheet by sheet in workbook order: the sheet's name (a heading), then one table
    row per row that holds anything, its empty cells kept in place but none after its last value."""
    check_zip_package(path, ".xlsx", DAMAGED)
    if sum(_sheet_extents(path)) > MAX_CELLS:
        raise DocumentRefusedError(TOO_MANY_CELLS)
    with path.open("rb") as file:
        try:
            workbook = CalamineWorkbook.from_filelike(file)
        except CalamineError as error:
            raise DocumentRefusedError(DAMAGED) from error
        with workbook:
            for number, sheet in enumerate(workbook.sheets_metadata, start=1):
                if sheet.typ == SheetTypeEnum.WorkSheet:
                    yield from _sheet_blocks(workbook, sheet.name, number)


def _sheet_blocks(workbook: CalamineWorkbook, name: str, page: int) -> Iterator[Block]:
    try:
        rows = workbook.get_sheet_by_name(name).iter_rows()
    except CalamineError as error:
        raise DocumentRefusedError(DAMAGED) from error
    section = (name,)
    named = False
    for row in rows:
        cells = [_cell_text(cell) for cell in row]
        while cells and not cells[-1].strip():
            cells.pop()
        if not cells:
            continue
        if not named:
            named = True
            yield Block(name, BlockKind.HEADING, page, section)
        for piece in cut_at_whitespace(table_row(cells)):
            yield Block(piece, BlockKind.TABLE, page, section)


def _cell_text(cell: Cell) -> str:
    if isinstance(cell, bool):
        return "TRUE" if cell else "FALSE"
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    if isinstance(cell, datetime.datetime):
        return cell.date().isoformat() if cell.time() == datetime.time() else cell.isoformat(sep=" ")
    if isinstance(cell, datetime.date | datetime.time):
        return cell.isoformat()
    return str(cell)


def _sheet_extents(path: Path) -> Iterator[int]:
    """The number of cells in the grid each sheet spans (the rectangle between its outermost cells, as
    calamine allocates it), for every part of the package that is a sheet, whatever its name."""
    with zipfile.ZipFile(path) as archive:
        for member in archive.infolist():
            with archive.open(member) as source:
                if _root_name(source) not in SHEET_ROOTS:
                    continue
            with archive.open(member) as source:
                yield _extent(source)


def _root_name(source: IO[bytes]) -> str | None:
    try:
        for _, element in etree.iterparse(source, events=("start",), resolve_entities=False, no_network=True):
            return str(etree.QName(element).localname)
    except etree.LxmlError:
        return None
    return None


def _extent(source: IO[bytes]) -> int:
    """Cells in the rectangle from the first row and column holding a cell to the last; a row or cell
    without a reference follows the one before it, as Excel reads it."""
    top = left = sys.maxsize
    bottom = right = row = 0
    try:
        for _, element in etree.iterparse(
            source, events=("end",), tag="{*}row", resolve_entities=False, no_network=True
        ):
            reference = element.get("r", "")
            row = int(reference) if reference.isdigit() else row + 1
            column = 0
            for cell in element.iterchildren("{*}c"):
                match = CELL_REFERENCE.fullmatch(cell.get("r", ""))
                cell_row, column = (int(match[2]), _column_number(match[1])) if match else (row, column + 1)
                top, bottom = min(top, cell_row), max(bottom, cell_row)
                left, right = min(left, column), max(right, column)
            # Keep memory flat: nothing of a row is needed once it is measured.
            element.clear()
            while element.getprevious() is not None:
                del element.getparent()[0]
    except etree.LxmlError as error:
        raise DocumentRefusedError(DAMAGED) from error
    return (bottom - top + 1) * (right - left + 1) if bottom else 0


def _column_number(letters: str) -> int:
    number = 0
    for letter in letters.upper():
        number = number * 26 + ord(letter) - ord("A") + 1
    return number
