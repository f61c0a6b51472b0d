"""Plain text: decoded a block of bytes at a time, paragraphs split on blank lines."""

from __future__ import annotations

import codecs
from collections.abc import Iterator
from pathlib import Path

from processing.blocks import Block
from processing.errors import DocumentRefusedError
from processing.readers.long_text import MAX_BLOCK_CHARS, cut_at_whitespace, split_head

READ_BYTES = 64 * 1024


def read_text(path: Path) -> Iterator[Block]:
    """One paragraph block per run of non-blank lines; a paragraph longer than the bound is cut at whitespace."""
    paragraph: list[str] = []
    length = 0
    for line in decoded_lines(path):
        if not line.strip():
            if paragraph:
                yield Block("\n".join(paragraph))
                paragraph, length = [], 0
            continue
        if paragraph and length + len(line) + 1 > MAX_BLOCK_CHARS:
            yield Block("\n".join(paragraph))
            paragraph, length = [], 0
        paragraph.append(line.rstrip())
        length += len(line) + 1
    if paragraph:
        yield Block("\n".join(paragraph))


def decoded_lines(path: Path) -> Iterator[str]:
    """The file's lines without their line ends, none longer than MAX_BLOCK_CHARS (longer ones are cut at
    whitespace), decoded incrementally: at no time is the whole file held as bytes or as text."""
    encoding, errors = text_encoding(path)
    decoder = codecs.getincrementaldecoder(encoding)(errors=errors)
    pending = ""
    with path.open("rb") as file:
        while data := file.read(READ_BYTES):
            pending += decoder.decode(data)
            # A "\r" at the end may be half of a "\r\n" whose "\n" is in the next read.
            complete, pending = (pending[:-1], "\r") if pending.endswith("\r") else (pending, "")
            lines = complete.replace("\r\n", "\n").replace("\r", "\n").split("\n")
            pending = lines.pop() + pending
            for line in lines:
                yield from _bounded(line)
            while len(pending) > MAX_BLOCK_CHARS:
                # A line with no end in sight: hand on a head cut at whitespace, keep the tail.
                head, pending = split_head(pending)
                yield head
        pending += decoder.decode(b"", final=True)
    for line in pending.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        yield from _bounded(line)


def _bounded(line: str) -> Iterator[str]:
    if len(line) <= MAX_BLOCK_CHARS:
        yield line
    else:
        yield from cut_at_whitespace(line)


def text_encoding(path: Path) -> tuple[str, str]:
    """The codec and error handling that decode the file: UTF-16 or UTF-8 by their byte order mark, UTF-8
    when every byte decodes as UTF-8, else cp1252 (the legacy encoding of most Western documents, as
    browsers assume; statistical detection guessed wrong too often on short texts).

    One streaming pass over the file, which also refuses a binary file (a NUL byte outside UTF-16).
    """
    with path.open("rb") as file:
        head = file.read(4)
        if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            return "utf-16", "replace"
        file.seek(0)
        decoder = codecs.getincrementaldecoder("utf-8")()
        utf8 = True
        while data := file.read(READ_BYTES):
            if b"\x00" in data:
                raise DocumentRefusedError("the file is binary, not text")
            if utf8:
                try:
                    decoder.decode(data)
                except UnicodeDecodeError:
                    utf8 = False
        if utf8:
            try:
                decoder.decode(b"", final=True)
            except UnicodeDecodeError:
                utf8 = False
    return ("utf-8-sig", "strict") if utf8 else ("cp1252", "replace")
