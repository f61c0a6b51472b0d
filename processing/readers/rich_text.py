"""Rich Text Format (.rtf), turned into text by striprtf: a block per paragraph, a list item per bulleted or
numbered line, a table row per row. Headers, footers and footnotes are left out, as striprtf leaves them."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from striprtf.striprtf import rtf_to_text

from processing.blocks import Block, BlockKind, table_row
from processing.errors import DocumentRefusedError
from processing.readers.long_text import cut_at_whitespace

NOT_RTF = "the .rtf is damaged or not an RTF document"
RTF_START = b"{\\rtf"
# striprtf ends each table cell with "|" and each row with a line end.
CELL_END = "|"
# The marker Word writes before a list item's text, then a tab: a bullet, or a number or letter with "." or ")".
LIST_MARKER = re.compile(r"^(?:[\u00b7\u2022\u25aa\u25cf\uf0a7\uf0b7\uf0fco-]|\w{1,4}[.)])\t")


def read_rtf(path: Path) -> Iterator[Block]:
    """Blocks of the document's lines in order. An RTF file is 7-bit text that escapes everything else
    (`\\'e9`, `\\u8364`); stray 8-bit bytes are read as cp1252, Word's default."""
    data = path.read_bytes()
    if not data.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(RTF_START):
        raise DocumentRefusedError(NOT_RTF)
    try:
        text = rtf_to_text(data.decode("cp1252", "replace"), errors="replace")
    except (IndexError, ValueError, LookupError) as error:
        raise DocumentRefusedError(NOT_RTF) from error
    # `\u` escapes are UTF-16 code units: a character beyond the BMP arrives as two surrogates.
    text = text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
    for line in text.splitlines():
        line = line.strip()
        if line.endswith(CELL_END):
            yield from _blocks(table_row(line[: -len(CELL_END)].split(CELL_END)), BlockKind.TABLE)
        elif marker := LIST_MARKER.match(line):
            yield from _blocks(" ".join(line[marker.end() :].split()), BlockKind.LIST_ITEM)
        else:
            yield from _blocks(" ".join(line.split()), BlockKind.PARAGRAPH)


def _blocks(text: str, kind: BlockKind) -> Iterator[Block]:
    for piece in cut_at_whitespace(text):
        yield Block(piece, kind)
