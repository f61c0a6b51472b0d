"""PowerPoint (.pptx), slide by slide from each slide's own XML: the title as the section, text boxes and
placeholders, table rows, grouped shapes at any depth, then the slide's speaker notes; page is the slide number."""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pptx
from lxml import etree
from pptx.exc import PythonPptxError
from pptx.oxml.ns import qn

from processing.blocks import Block, BlockKind, table_row
from processing.errors import DocumentRefusedError
from processing.readers.long_text import cut_at_whitespace
from processing.readers.zip_package import check_zip_package

DAMAGED = "the .pptx is damaged or not a PowerPoint presentation"

MARKUP_COMPATIBILITY = "{http://schemas.openxmlformats.org/markup-compatibility/2006}"
ALTERNATE_CONTENT, CHOICE = f"{MARKUP_COMPATIBILITY}AlternateContent", f"{MARKUP_COMPATIBILITY}Choice"
SHAPE, GROUP, GRAPHIC_FRAME = qn("p:sp"), qn("p:grpSp"), qn("p:graphicFrame")
PARAGRAPH, TEXT, BREAK = qn("a:p"), qn("a:t"), qn("a:br")
TABLE_ROW, TABLE_CELL = qn("a:tr"), qn("a:tc")
TITLES = frozenset({"title", "ctrTitle"})
HEADERS_AND_FOOTERS = frozenset({"dt", "ftr", "hdr"})
# The slide number is the block's page already.
SLIDE_NUMBER = "sldNum"


def read_pptx(path: Path) -> Iterator[Block]:
    """Blocks of a presentation, slide by slide: the title (a heading), the other shapes in the order the
    slide stacks them (a table row by row, a group's shapes in place), then the speaker notes."""
    presentation = _open(path)
    for number, slide in enumerate(presentation.slides, start=1):
        tree = slide.shapes._spTree
        title_shape = next((shape for shape in _shapes(tree) if _placeholder_type(shape) in TITLES), None)
        title = "" if title_shape is None else " ".join(_text(title_shape).split())
        section = (title,) if title else ()
        if title:
            yield Block(title, BlockKind.HEADING, number, section)
        for shape in _shapes(tree):
            if shape is not title_shape:
                yield from _shape_blocks(shape, number, section)
        if slide.has_notes_slide and (notes := slide.notes_slide.notes_placeholder) is not None:
            for paragraph in notes._element.iter(PARAGRAPH):
                yield from _blocks(" ".join(_text(paragraph).split()), BlockKind.NOTE, number, section)


def _open(path: Path) -> Any:
    check_zip_package(path, ".pptx", DAMAGED)
    try:
        return pptx.Presentation(str(path))
    except (zipfile.BadZipFile, KeyError, ValueError, PythonPptxError, etree.LxmlError) as error:
        raise DocumentRefusedError(DAMAGED) from error


def _shapes(tree: Any) -> Iterator[Any]:
    """The shapes directly in a shape tree or group, in stacking order; of content saved two ways
    (`mc:AlternateContent`), the first choice only, so nothing is read twice."""
    for child in tree.iterchildren():
        if child.tag == ALTERNATE_CONTENT:
            choice = child.find(CHOICE)
            if choice is not None:
                yield from _shapes(choice)
        elif child.tag in (SHAPE, GROUP, GRAPHIC_FRAME):
            yield child


def _shape_blocks(shape: Any, page: int, section: tuple[str, ...]) -> Iterator[Block]:
    if shape.tag == GROUP:
        for member in _shapes(shape):
            yield from _shape_blocks(member, page, section)
    elif shape.tag == GRAPHIC_FRAME:
        for row in shape.iter(TABLE_ROW):
            cells = [_text(cell) for cell in row.iterchildren(TABLE_CELL)]
            if any(cell.strip() for cell in cells):
                yield from _blocks(table_row(cells), BlockKind.TABLE, page, section)
    else:
        placeholder = _placeholder_type(shape)
        if placeholder == SLIDE_NUMBER:
            return
        kind = BlockKind.HEADER_FOOTER if placeholder in HEADERS_AND_FOOTERS else BlockKind.PARAGRAPH
        for paragraph in shape.iter(PARAGRAPH):
            yield from _blocks(" ".join(_text(paragraph).split()), kind, page, section)


def _placeholder_type(shape: Any) -> str | None:
    """The placeholder type of a shape ("title", "body", "dt", ...), None for a shape that is none."""
    placeholder = shape.find(f"{qn('p:nvSpPr')}/{qn('p:nvPr')}/{qn('p:ph')}")
    return None if placeholder is None else placeholder.get("type", "body")


def _text(element: Any) -> str:
    """The text of the runs and fields under `element`, a line break as a space, paragraphs a space apart."""
    pieces: list[str] = []
    for node in element.iter(TEXT, BREAK, PARAGRAPH):
        if node.tag == TEXT:
            pieces.append(node.text or "")
        else:
            pieces.append(" ")
    return "".join(pieces)


def _blocks(text: str, kind: BlockKind, page: int, section: tuple[str, ...]) -> Iterator[Block]:
    for piece in cut_at_whitespace(text):
        yield Block(piece, kind, page, section)
