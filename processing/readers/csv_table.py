"""Comma-separated values (.csv), its dialect sniffed from the head of the file: one `a | b | c` line per row,
the header row first like any other, so every table reader in the codebase gives the same shape."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path

from processing.blocks import Block, BlockKind, table_row
from processing.errors import DocumentRefusedError
from processing.readers.long_text import cut_at_whitespace
from processing.readers.plain_text import text_encoding

# Past this many rows the file is refused, not cut short: a table read in part would be searched as if whole.
MAX_ROWS = 1_000_000
SAMPLE_CHARS = 64 * 1024
DELIMITERS = ",;\t|"


def read_csv(path: Path) -> Iterator[Block]:
    """One table block per row that holds anything, its empty cells kept in place but none after its last
    value. The encoding is the plain-text reader's (UTF-8, UTF-16 by its byte order mark, else cp1252) and
    the text is decoded as it is read; the dialect is the sniffer's guess from the first 64 KiB, else
    Excel's comma-separated one."""
    encoding, errors = text_encoding(path)
    with path.open(encoding=encoding, errors=errors, newline="") as file:
        dialect = _dialect(file.read(SAMPLE_CHARS))
        file.seek(0)
        rows = 0
        try:
            for row in csv.reader(file, dialect):
                while row and not row[-1].strip():
                    row.pop()
                if not row:
                    continue
                rows += 1
                if rows > MAX_ROWS:
                    raise DocumentRefusedError(
                        f"the .csv has more than {MAX_ROWS:,} rows, more than we read; split it into smaller files"
                    )
                for piece in cut_at_whitespace(table_row(row)):
                    yield Block(piece, BlockKind.TABLE)
        except csv.Error as error:
            raise DocumentRefusedError(f"the .csv cannot be read as a table: {error}") from error


def _dialect(sample: str) -> type[csv.Dialect] | csv.Dialect:
    # A sample cut mid-line would show the sniffer a short last row; whole lines only.
    head = sample.rpartition("\n")[0] if len(sample) == SAMPLE_CHARS else sample
    try:
        return csv.Sniffer().sniff(head, delimiters=DELIMITERS)
    except csv.Error:
        return csv.excel
