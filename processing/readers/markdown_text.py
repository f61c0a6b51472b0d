"""Markdown, read line by line: headings give the section path, lists and table rows keep their shape."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from processing.blocks import Block, BlockKind, table_row
from processing.readers.headings import HeadingPath
from processing.readers.long_text import MAX_BLOCK_CHARS
from processing.readers.plain_text import decoded_lines

ATX_HEADING = re.compile(r"^ {0,3}(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$")
SETEXT_UNDERLINE = re.compile(r"^ {0,3}(=+|-+)[ \t]*$")
FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
LIST_ITEM = re.compile(r"^\s*(?:[-*+]|\d{1,9}[.)])[ \t]+(.*)$")
TABLE_LINE = re.compile(r"^\s*\|.*\|\s*$")
TABLE_DELIMITER = re.compile(r"^\s*\|?(?:\s*:?-+:?\s*\|)+\s*:?-*:?\s*\|?\s*$")


class _Reader:
    """The state of one pass: the heading path so far and the block being gathered."""

    def __init__(self) -> None:
        self.headings = HeadingPath()
        self.lines: list[str] = []
        self.length = 0
        self.kind = BlockKind.PARAGRAPH

    @property
    def section(self) -> tuple[str, ...]:
        return self.headings.path

    def flush(self) -> Iterator[Block]:
        text = "\n".join(self.lines).strip()
        if text:
            yield Block(text, self.kind, None, self.section)
        self.lines, self.length, self.kind = [], 0, BlockKind.PARAGRAPH

    def add(self, line: str, kind: BlockKind) -> Iterator[Block]:
        if self.lines and (kind is not self.kind or self.length + len(line) + 1 > MAX_BLOCK_CHARS):
            yield from self.flush()
        self.kind = kind
        self.lines.append(line)
        self.length += len(line) + 1

    def heading(self, level: int, title: str) -> Iterator[Block]:
        yield from self.flush()
        section = self.headings.enter(level, title)
        if title:
            yield Block(title, BlockKind.HEADING, None, section)


def read_markdown(path: Path) -> Iterator[Block]:
    """Blocks of a Markdown file: ATX (`#`) and setext (underlined) headings set the section path; code
    fences are read as text, never as headings; list items and table rows become blocks of their own."""
    reader = _Reader()
    fence: str | None = None
    for line in decoded_lines(path):
        if fence is not None:
            if line.strip().startswith(fence):
                fence = None
                yield from reader.flush()
            else:
                yield from reader.add(line, BlockKind.PARAGRAPH)
            continue
        if opening := FENCE.match(line):
            yield from reader.flush()
            fence = opening.group(1)[0] * len(opening.group(1))
            continue
        if not line.strip():
            yield from reader.flush()
            continue
        if heading := ATX_HEADING.match(line):
            yield from reader.heading(len(heading.group(1)), (heading.group(2) or "").strip())
            continue
        underline = SETEXT_UNDERLINE.match(line)
        if underline and len(reader.lines) == 1 and reader.kind is BlockKind.PARAGRAPH:
            title = reader.lines[0].strip()
            reader.lines, reader.length = [], 0
            yield from reader.heading(1 if underline.group(1)[0] == "=" else 2, title)
            continue
        if underline and not reader.lines:
            continue  # a thematic break
        if TABLE_LINE.match(line):
            if not TABLE_DELIMITER.match(line):
                yield from reader.flush()
                cells = line.strip().strip("|").split("|")
                yield from reader.add(table_row(cells), BlockKind.TABLE)
                yield from reader.flush()
            continue
        if item := LIST_ITEM.match(line):
            yield from reader.flush()
            yield from reader.add(item.group(1), BlockKind.LIST_ITEM)
            continue
        # A lazy continuation line belongs to the list item above it.
        yield from reader.add(line, reader.kind if reader.lines else BlockKind.PARAGRAPH)
    yield from reader.flush()
