"""The unit every reader yields: a piece of text in reading order, with where it stands in the document."""

from __future__ import annotations

import enum
from dataclasses import dataclass


class BlockKind(str, enum.Enum):
    HEADING = "heading"
    PARAGRAPH = "paragraph"
    LIST_ITEM = "list_item"
    # One row of a table per block, its cells joined with " | ", so a row stays on one line of a chunk.
    TABLE = "table"
    # Footnotes, endnotes, comments and speaker notes.
    NOTE = "note"
    HEADER_FOOTER = "header_footer"


@dataclass(frozen=True)
class Block:
    """Text as its author placed it: what kind of text, on which page, under which headings.

    `page` is the 1-based physical page (or slide, or sheet) the block is on, None where the
    format has no pages. `section` is the path of headings above it, outermost first; a
    heading's own block carries the path that ends with itself. `ocr` marks text Tesseract read
    from the page's image rather than text the file held.
    """

    text: str
    kind: BlockKind = BlockKind.PARAGRAPH
    page: int | None = None
    section: tuple[str, ...] = ()
    ocr: bool = False


TABLE_CELL_SEPARATOR = " | "


def table_row(cells: list[str]) -> str:
    """A table row as one line: its cells' text, each on one line, joined with ` | `."""
    return TABLE_CELL_SEPARATOR.join(" ".join(cell.split()) for cell in cells)
