"""Word (.docx), read in body order from the document's XML: paragraphs and tables as they stand, nested
tables included, headings as the section path, headers and footers once each, footnotes and endnotes."""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import docx
from docx.enum.style import WD_STYLE_TYPE
from docx.opc.exceptions import PackageNotFoundError
from docx.oxml.ns import qn
from docx.oxml.parser import parse_xml
from lxml import etree

from processing.blocks import Block, BlockKind, table_row
from processing.errors import DocumentRefusedError
from processing.readers.headings import HeadingPath
from processing.readers.long_text import cut_at_whitespace
from processing.readers.zip_package import check_zip_package

DAMAGED = "the .docx is damaged or not a Word document"

MARKUP_COMPATIBILITY = "{http://schemas.openxmlformats.org/markup-compatibility/2006}"
# Word writes a drawing twice, as DrawingML and as a VML fallback: reading both doubles a text box.
FALLBACK = f"{MARKUP_COMPATIBILITY}Fallback"
HEADING_STYLE = re.compile(r"heading ([1-9])", re.IGNORECASE)
NOTE_SEPARATORS = frozenset({"separator", "continuationSeparator", "continuationNotice"})
RELATIONSHIPS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/"

P, TBL, TR, TC, SDT, SDT_CONTENT, CUSTOM_XML = (
    qn("w:p"), qn("w:tbl"), qn("w:tr"), qn("w:tc"), qn("w:sdt"), qn("w:sdtContent"), qn("w:customXml"),
)  # fmt: skip
TEXT, TAB, BREAK, CARRIAGE_RETURN, NO_BREAK_HYPHEN = (
    qn("w:t"), qn("w:tab"), qn("w:br"), qn("w:cr"), qn("w:noBreakHyphen"),
)  # fmt: skip
FOOTNOTE_REFERENCE, ENDNOTE_REFERENCE = qn("w:footnoteReference"), qn("w:endnoteReference")
# Elements whose content is part of the text around them: content controls, custom XML, hyperlinks, runs.
WRAPPERS = frozenset({SDT, SDT_CONTENT, CUSTOM_XML})


def read_docx(path: Path) -> Iterator[Block]:
    """Blocks of a Word document: the body in order (with each section's headers before it and footers
    after it, each header or footer once however many sections share it), then footnotes and endnotes."""
    document = _open(path)
    reader = _WordReader(document)
    yield from reader.body()
    yield from reader.notes("footnotes", "w:footnote")
    yield from reader.notes("endnotes", "w:endnote")


def _open(path: Path) -> Any:
    check_zip_package(path, ".docx", DAMAGED)
    try:
        return docx.Document(str(path))
    except (zipfile.BadZipFile, KeyError, ValueError, PackageNotFoundError, etree.LxmlError) as error:
        raise DocumentRefusedError(DAMAGED) from error


class _WordReader:
    def __init__(self, document: Any) -> None:
        self.document = document
        self.headings = HeadingPath()
        self.heading_levels, self.list_styles = _paragraph_styles(document)
        self.seen_parts: set[str] = set()
        # The section path at each note's reference, so a note carries the section it annotates.
        self.note_sections: dict[tuple[str, str], tuple[str, ...]] = {}

    def body(self) -> Iterator[Block]:
        body = self.document.element.body
        sections = body.xpath("./w:p/w:pPr/w:sectPr | ./w:sectPr")
        index = 0
        if sections:
            yield from self.headers_and_footers(sections[0], "w:headerReference")
        for child in body.iterchildren():
            yield from self.content(child, None)
            if child.tag == P and child.find(f"{qn('w:pPr')}/{qn('w:sectPr')}") is not None:
                yield from self.headers_and_footers(sections[index], "w:footerReference")
                index += 1
                if index < len(sections):
                    yield from self.headers_and_footers(sections[index], "w:headerReference")
        if index < len(sections):
            yield from self.headers_and_footers(sections[index], "w:footerReference")

    def content(self, element: Any, kind: BlockKind | None) -> Iterator[Block]:
        """Blocks of one body-level element: `kind`, when given, overrides the kind (headers, notes)."""
        if element.tag == P:
            yield from self.paragraph(element, kind)
        elif element.tag == TBL:
            yield from self.table(element, kind)
        elif element.tag in WRAPPERS:
            for child in element.iterchildren():
                yield from self.content(child, kind)

    def paragraph(self, element: Any, kind: BlockKind | None) -> Iterator[Block]:
        text = " ".join(self.paragraph_text(element).split())
        if not text:
            return
        level = self.heading_level(element)
        if kind is None and level is not None:
            yield Block(text, BlockKind.HEADING, None, self.headings.enter(level, text))
            return
        if kind is None:
            kind = BlockKind.LIST_ITEM if self.is_list_item(element) else BlockKind.PARAGRAPH
        for piece in cut_at_whitespace(text):
            yield Block(piece, kind, None, self.headings.path)

    def table(self, element: Any, kind: BlockKind | None) -> Iterator[Block]:
        for row in _children(element, TR):
            cells: list[str] = []
            nested: list[Any] = []
            for cell in _children(row, TC):
                texts = []
                for part in _flattened(cell):
                    if part.tag == P:
                        texts.append(self.paragraph_text(part))
                    elif part.tag == TBL:
                        nested.append(part)
                cells.append(" ".join(texts))
            if any(cell.strip() for cell in cells):
                for piece in cut_at_whitespace(table_row(cells)):
                    yield Block(piece, kind or BlockKind.TABLE, None, self.headings.path)
            # A table inside a cell follows the row that holds it, row by row like its parent.
            for inner in nested:
                yield from self.table(inner, kind)

    def paragraph_text(self, element: Any) -> str:
        pieces: list[str] = []
        stack: list[Any] = [element]
        while stack:
            node = stack.pop()
            if isinstance(node, str):
                pieces.append(node)
                continue
            tag = node.tag
            if tag == FALLBACK:
                continue
            if tag == TEXT:
                pieces.append(node.text or "")
            elif tag == TAB or tag in (BREAK, CARRIAGE_RETURN):
                pieces.append(" ")
            elif tag == NO_BREAK_HYPHEN:
                pieces.append("-")
            elif tag == P and node is not element:
                # A paragraph of a text box inside this one: its text is a word apart on both sides.
                pieces.append(" ")
                stack.append(" ")
            elif tag in (FOOTNOTE_REFERENCE, ENDNOTE_REFERENCE):
                note = "footnotes" if tag == FOOTNOTE_REFERENCE else "endnotes"
                self.note_sections.setdefault((note, node.get(qn("w:id"), "")), self.headings.path)
            stack.extend(reversed(list(node)))
        return "".join(pieces)

    def heading_level(self, element: Any) -> int | None:
        properties = element.find(qn("w:pPr"))
        if properties is None:
            return None
        outline = properties.find(qn("w:outlineLvl"))
        if outline is not None:
            return _outline_level(outline)
        style = properties.find(qn("w:pStyle"))
        return None if style is None else self.heading_levels.get(style.get(qn("w:val"), ""))

    def is_list_item(self, element: Any) -> bool:
        properties = element.find(qn("w:pPr"))
        if properties is None:
            return False
        numbering = properties.find(qn("w:numPr"))
        if numbering is not None:
            number = numbering.find(qn("w:numId"))
            return number is None or number.get(qn("w:val")) != "0"
        style = properties.find(qn("w:pStyle"))
        return style is not None and style.get(qn("w:val"), "") in self.list_styles

    def headers_and_footers(self, section: Any, reference: str) -> Iterator[Block]:
        for ref in section.findall(qn(reference)):
            try:
                part = self.document.part.related_parts[ref.get(qn("r:id"))]
            except KeyError:
                continue
            if str(part.partname) in self.seen_parts:
                continue
            self.seen_parts.add(str(part.partname))
            for child in part.element.iterchildren():
                yield from self.content(child, BlockKind.HEADER_FOOTER)

    def notes(self, part_kind: str, note_tag: str) -> Iterator[Block]:
        for relationship in self.document.part.rels.values():
            if relationship.is_external or relationship.reltype != RELATIONSHIPS + part_kind:
                continue
            try:
                root = parse_xml(relationship.target_part.blob)
            except etree.LxmlError:
                continue  # damaged notes cost the notes, not the body already read
            for note in root.iterchildren(qn(note_tag)):
                if note.get(qn("w:type")) in NOTE_SEPARATORS:
                    continue
                section = self.note_sections.get((part_kind, note.get(qn("w:id"), "")), ())
                for child in note.iterchildren():
                    for block in self.content(child, BlockKind.NOTE):
                        yield Block(block.text, block.kind, None, section)


def _children(element: Any, tag: str) -> Iterator[Any]:
    """The children of `element` with `tag`, looking through content controls and custom XML."""
    for child in element.iterchildren():
        if child.tag == tag:
            yield child
        elif child.tag in WRAPPERS:
            yield from _children(child, tag)


def _flattened(element: Any) -> Iterator[Any]:
    """The paragraphs and tables directly inside `element`, looking through content controls."""
    for child in element.iterchildren():
        if child.tag in (P, TBL):
            yield child
        elif child.tag in WRAPPERS:
            yield from _flattened(child)


def _outline_level(outline: Any) -> int | None:
    try:
        level = int(outline.get(qn("w:val"), ""))
    except ValueError:
        return None
    # Outline levels 0-8 are headings 1-9; 9 is body text.
    return level + 1 if 0 <= level <= 8 else None


def _paragraph_styles(document: Any) -> tuple[dict[str, int], set[str]]:
    """Heading level by style id (Heading 1-9 by name or outline level, through the styles each is based
    on), and the ids of list styles (numbered in the style, or named List ...)."""
    levels: dict[str, int] = {}
    lists: set[str] = set()
    for style in document.styles:
        if style.type != WD_STYLE_TYPE.PARAGRAPH:
            continue
        current, level, is_list = style, None, False
        for _ in range(10):  # a loop of based-on styles ends here
            if current is None:
                break
            name = current.name or ""
            properties = current.element.find(qn("w:pPr"))
            if level is None and (match := HEADING_STYLE.fullmatch(name)):
                level = int(match.group(1))
            if (
                level is None
                and properties is not None
                and (outline := properties.find(qn("w:outlineLvl"))) is not None
            ):
                level = _outline_level(outline)
            if name.lower().startswith("list") or (
                properties is not None and properties.find(qn("w:numPr")) is not None
            ):
                is_list = True
            current = current.base_style
        if level is not None:
            levels[style.style_id] = level
        elif is_list:
            lists.add(style.style_id)
    return levels, lists
