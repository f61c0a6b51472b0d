"""OpenDocument (.odt, .ods, .odp), read from the package's content.xml: text with its headings as sections,
lists, tables row by row, notes and comments; a spreadsheet sheet by sheet; a presentation page by page."""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from lxml import etree

from processing.blocks import Block, BlockKind, table_row
from processing.errors import DocumentRefusedError
from processing.readers.headings import HeadingPath
from processing.readers.long_text import cut_at_whitespace
from processing.readers.zip_package import check_zip_package

# Rows and cells repeat by count (a sheet commonly ends in a row repeated a million times): empty ones
# are never expanded, and past this many cells that hold or precede text the document is refused.
MAX_CELLS = 2_000_000

# Each type's body element in content.xml (office:text, ...), whose name also describes it in messages.
BODIES = {".odt": "text", ".ods": "spreadsheet", ".odp": "presentation"}

OFFICE = "{urn:oasis:names:tc:opendocument:xmlns:office:1.0}"
TEXT = "{urn:oasis:names:tc:opendocument:xmlns:text:1.0}"
TABLE = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"
DRAW = "{urn:oasis:names:tc:opendocument:xmlns:drawing:1.0}"
STYLE = "{urn:oasis:names:tc:opendocument:xmlns:style:1.0}"
PRESENTATION = "{urn:oasis:names:tc:opendocument:xmlns:presentation:1.0}"
MANIFEST = "{urn:oasis:names:tc:opendocument:xmlns:manifest:1.0}"

HEADING, PARAGRAPH, LIST, SPACE = f"{TEXT}h", f"{TEXT}p", f"{TEXT}list", f"{TEXT}s"
LIST_PARTS = frozenset({f"{TEXT}list-item", f"{TEXT}list-header"})
NOTE, NOTE_BODY, ANNOTATION = f"{TEXT}note", f"{TEXT}note-body", f"{OFFICE}annotation"
TABLE_ELEMENT, ROW, CELLS = f"{TABLE}table", f"{TABLE}table-row", {f"{TABLE}table-cell", f"{TABLE}covered-table-cell"}
NOTES_PAGE = f"{PRESENTATION}notes"
BREAKS = frozenset({f"{TEXT}tab", f"{TEXT}line-break"})
# Text that is not the document's: deleted text kept for change tracking, the templates an index is built
# from, declarations, forms, the caption and description of drawings, a note's number.
SKIPPED = frozenset(
    {
        f"{TEXT}tracked-changes", f"{TEXT}sequence-decls", f"{TEXT}variable-decls", f"{TEXT}user-field-decls",
        f"{TEXT}note-citation", f"{OFFICE}forms", f"{DRAW}page-thumbnail", f"{TABLE}table-source",
        "{urn:oasis:names:tc:opendocument:xmlns:svg-compatible:1.0}title",
        "{urn:oasis:names:tc:opendocument:xmlns:svg-compatible:1.0}desc",
    }
)  # fmt: skip
INDEX_TEMPLATE = re.compile(r"\{urn:oasis:names:tc:opendocument:xmlns:text:1\.0\}[a-z-]+-source")
HEADERS_AND_FOOTERS = re.compile(r"\{urn:oasis:names:tc:opendocument:xmlns:style:1\.0\}(header|footer)(-left|-first)?")
DEFAULT_PAGE_NAME = re.compile(r"page\d+")


def read_odt(path: Path) -> Iterator[Block]:
    return read_open_document(path, ".odt")


def read_ods(path: Path) -> Iterator[Block]:
    return read_open_document(path, ".ods")


def read_odp(path: Path) -> Iterator[Block]:
    return read_open_document(path, ".odp")


def read_open_document(path: Path, kind: str) -> Iterator[Block]:
    """Blocks of an OpenDocument file of any kind, whatever its extension (`kind`, for messages) says: a
    text in body order, its distinct page headers first and footers last; a spreadsheet sheet by sheet
    (page and section); a presentation page by page (page, and its title or given name as section), each
    page's speaker notes after it."""
    damaged = f"the {kind} is damaged or not an OpenDocument {BODIES[kind]}"
    check_zip_package(path, kind, damaged)
    with zipfile.ZipFile(path) as archive:
        if _is_encrypted(archive):
            raise DocumentRefusedError(f"the {kind} is password-protected; upload an unprotected copy")
        try:
            content = _part(archive, "content.xml")
        except (KeyError, zipfile.BadZipFile, etree.LxmlError) as error:
            raise DocumentRefusedError(damaged) from error
        try:
            styles = _part(archive, "styles.xml")
        except (KeyError, zipfile.BadZipFile, etree.LxmlError):
            styles = None  # damaged or missing styles cost the page headers and footers, not the text
    reader = _Reader()
    text, sheets, pages = (content.find(f"{OFFICE}body/{OFFICE}{body}") for body in BODIES.values())
    if text is not None:
        headers, footers = reader.headers_and_footers(styles)
        yield from headers
        yield from reader.content(text)
        yield from footers
    elif sheets is not None:
        for page, sheet in enumerate(sheets.iterchildren(TABLE_ELEMENT), start=1):
            yield from reader.sheet(sheet, page)
    elif pages is not None:
        for page, slide in enumerate(pages.iterchildren(f"{DRAW}page"), start=1):
            yield from reader.slide(slide, page)
    else:
        raise DocumentRefusedError(damaged)


def _is_encrypted(archive: zipfile.ZipFile) -> bool:
    try:
        manifest = etree.fromstring(archive.read("META-INF/manifest.xml"), _parser())
    except (KeyError, etree.LxmlError):
        return False
    return any(entry.find(f"{MANIFEST}encryption-data") is not None for entry in manifest.iter(f"{MANIFEST}file-entry"))


def _part(archive: zipfile.ZipFile, name: str) -> Any:
    with archive.open(name) as source:
        return etree.parse(source, _parser()).getroot()


def _parser() -> etree.XMLParser:
    # One per parse: a parser keeps state, and runs may read in threads side by side.
    return etree.XMLParser(resolve_entities=False, no_network=True, remove_comments=True, remove_pis=True)


class _Reader:
    def __init__(self) -> None:
        self.headings = HeadingPath()
        self.page: int | None = None
        self.cells = 0

    @property
    def section(self) -> tuple[str, ...]:
        return self.headings.path

    def headers_and_footers(self, styles: Any) -> tuple[list[Block], list[Block]]:
        """The blocks of the master pages' headers and of their footers, each distinct text once."""
        seen: set[str] = set()
        found: dict[str, list[Block]] = {"header": [], "footer": []}
        for master in [] if styles is None else styles.iter(f"{STYLE}master-page"):
            for part in master.iterchildren(tag=etree.Element):
                if match := HEADERS_AND_FOOTERS.fullmatch(part.tag):
                    for block in self.content(part, BlockKind.HEADER_FOOTER):
                        if block.text not in seen:
                            seen.add(block.text)
                            found[match[1]].append(block)
        return found["header"], found["footer"]

    def content(self, element: Any, kind: BlockKind | None = None) -> Iterator[Block]:
        """Blocks of the paragraphs, headings, lists and tables inside `element`, in document order;
        `kind`, when given, is every block's kind (notes, headers)."""
        for child in element.iterchildren(tag=etree.Element):
            tag = child.tag
            if tag in SKIPPED or INDEX_TEMPLATE.fullmatch(tag):
                continue
            if tag in (HEADING, PARAGRAPH):
                yield from self.paragraph(child, kind)
            elif tag == LIST or tag in LIST_PARTS:
                yield from self.content(child, kind or BlockKind.LIST_ITEM)
            elif tag == TABLE_ELEMENT:
                yield from self.table(child, kind)
            elif tag == NOTES_PAGE:
                yield from self.content(child, BlockKind.NOTE)
            else:
                yield from self.content(child, kind)

    def paragraph(self, element: Any, kind: BlockKind | None) -> Iterator[Block]:
        later: list[tuple[Any, BlockKind | None]] = []
        text = " ".join(_inline_text(element, later).split())
        if text and element.tag == HEADING and kind is None:
            level = element.get(f"{TEXT}outline-level", "1")
            section = self.headings.enter(int(level) if level.isdigit() else 1, text)
            yield Block(text, BlockKind.HEADING, self.page, section)
        elif text:
            yield from self.blocks(text, kind or BlockKind.PARAGRAPH)
        # Notes, comments and text boxes anchored in the paragraph follow it.
        for inner, inner_kind in later:
            yield from self.content(inner, inner_kind or kind)

    def table(self, element: Any, kind: BlockKind | None) -> Iterator[Block]:
        for row in _rows(element):
            later: list[tuple[Any, BlockKind | None]] = []
            nested: list[Any] = []
            cells: list[str] = []
            empty = 0  # empty cells not placed yet: only a cell with text after them places them
            for cell in row.iterchildren(*CELLS):
                text = " ".join(_cell_text(cell, later, nested).split())
                count = _repeat(cell, "columns")
                if not text:
                    empty += count
                    continue
                if len(cells) + empty + count > MAX_CELLS:
                    raise DocumentRefusedError(_too_many_cells())
                cells.extend([""] * empty + [text] * count)
                empty = 0
            if cells:
                repeat = _repeat(row, "rows")
                self.cells += len(cells) * repeat
                if self.cells > MAX_CELLS:
                    raise DocumentRefusedError(_too_many_cells())
                for _ in range(repeat):
                    yield from self.blocks(table_row(cells), kind or BlockKind.TABLE)
            for inner, inner_kind in later:
                yield from self.content(inner, inner_kind)
            for inner in nested:
                yield from self.table(inner, kind)

    def sheet(self, sheet: Any, page: int) -> Iterator[Block]:
        name = sheet.get(f"{TABLE}name", "")
        self.page, self.headings = page, HeadingPath((name,) if name else ())
        rows = self.table(sheet, None)
        first = next(rows, None)
        if first is not None:
            if name:
                yield Block(name, BlockKind.HEADING, page, self.section)
            yield first
            yield from rows

    def slide(self, slide: Any, page: int) -> Iterator[Block]:
        title_frame = next(
            (frame for frame in slide.iter(f"{DRAW}frame") if frame.get(f"{PRESENTATION}class") == "title"), None
        )
        title = "" if title_frame is None else " ".join(_paragraphs_text(title_frame).split())
        name = slide.get(f"{DRAW}name", "")
        if not title and not DEFAULT_PAGE_NAME.fullmatch(name):
            title = name
        self.page, self.headings = page, HeadingPath((title,) if title else ())
        if title:
            yield Block(title, BlockKind.HEADING, page, self.section)
        for child in slide.iterchildren(tag=etree.Element):
            if child is title_frame or child.get(f"{PRESENTATION}class") == "page-number":
                continue
            if child.get(f"{PRESENTATION}class") in ("header", "footer", "date-time"):
                yield from self.content(child, BlockKind.HEADER_FOOTER)
            elif child.tag == NOTES_PAGE:
                yield from self.content(child, BlockKind.NOTE)
            else:
                yield from self.content(child, None)

    def blocks(self, text: str, kind: BlockKind) -> Iterator[Block]:
        for piece in cut_at_whitespace(text):
            yield Block(piece, kind, self.page, self.section)


def _inline_text(element: Any, later: list[tuple[Any, BlockKind | None]]) -> str:
    """The text of a paragraph as one line: spans, links and fields in place, `text:s` as its count of
    spaces; notes, comments and drawings anchored in it are put in `later`, to be read after it."""
    pieces = [element.text or ""]
    for child in element.iterchildren(tag=etree.Element):
        tag = child.tag
        if tag == NOTE:
            later.extend((body, BlockKind.NOTE) for body in child.iterchildren(NOTE_BODY))
        elif tag == ANNOTATION:
            later.append((child, BlockKind.NOTE))
        elif tag.startswith(DRAW):
            later.append((child, None))
        elif tag == SPACE:
            count = child.get(f"{TEXT}c", "1")
            pieces.append(" " * (min(int(count), 100) if count.isdigit() else 1))
        elif tag in BREAKS:
            pieces.append(" ")
        elif tag not in SKIPPED:
            pieces.append(_inline_text(child, later))
        pieces.append(child.tail or "")
    return "".join(pieces)


def _paragraphs_text(element: Any) -> str:
    return " ".join(_inline_text(paragraph, []) for paragraph in element.iter(HEADING, PARAGRAPH))


def _cell_text(cell: Any, later: list[tuple[Any, BlockKind | None]], nested: list[Any]) -> str:
    """A table cell's text on one line, its paragraphs and list items a space apart; a table inside it is
    put in `nested`, to be read after the row, and its comment in `later`."""
    texts: list[str] = []
    for part in cell.iterchildren(tag=etree.Element):
        if part.tag == TABLE_ELEMENT:
            nested.append(part)
        elif part.tag == ANNOTATION:
            later.append((part, BlockKind.NOTE))
        elif part.tag in (HEADING, PARAGRAPH):
            texts.append(_inline_text(part, later))
        elif part.tag not in SKIPPED:
            texts.append(_cell_text(part, later, nested))
    return " ".join(texts)


def _rows(table: Any) -> Iterator[Any]:
    """The rows of a table, through header rows, row groups and the like, but not into nested tables."""
    for child in table.iterchildren(tag=etree.Element):
        if child.tag == ROW:
            yield child
        elif child.tag != TABLE_ELEMENT and child.tag.startswith(TABLE) and child.tag not in CELLS:
            yield from _rows(child)


def _repeat(element: Any, what: str) -> int:
    count = element.get(f"{TABLE}number-{what}-repeated", "1")
    return int(count) if count.isdigit() and int(count) > 0 else 1


def _too_many_cells() -> str:
    return f"the document holds more than {MAX_CELLS:,} table cells, more than we read; split it into smaller files"
