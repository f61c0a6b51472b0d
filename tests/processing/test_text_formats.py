"""Plain text, Markdown and HTML: sections from headings, table rows on one line, text decoded in pieces."""

from __future__ import annotations

import codecs

import pytest

from processing.blocks import Block, BlockKind
from processing.errors import NO_TEXT, DocumentRefusedError
from processing.readers import READERS, read_blocks
from processing.readers.html_page import read_html
from processing.readers.long_text import MAX_BLOCK_CHARS
from processing.readers.markdown_text import read_markdown
from processing.readers.plain_text import READ_BYTES, read_text

TEXT = "Café crème, déjà vu, naïve façade; résumé of the meeting.\n\nSecond paragraph,\non two lines.\n"


def blocks_of(tmp_path, name: str, content: str | bytes) -> list[Block]:
    path = tmp_path / name
    path.write_bytes(content.encode() if isinstance(content, str) else content)
    return list(read_blocks(path, path.suffix.lower()))


@pytest.mark.parametrize(
    "encoded",
    [
        TEXT.encode("utf-8"),
        codecs.BOM_UTF8 + TEXT.encode("utf-8"),
        codecs.BOM_UTF16_LE + TEXT.encode("utf-16-le"),
        codecs.BOM_UTF16_BE + TEXT.encode("utf-16-be"),
        TEXT.encode("cp1252"),
    ],
    ids=["utf-8", "utf-8 with BOM", "utf-16-le", "utf-16-be", "cp1252"],
)
def test_plain_text_is_decoded_in_each_encoding_and_split_on_blank_lines(tmp_path, encoded):
    assert [block.text for block in blocks_of(tmp_path, "notes.txt", encoded)] == [
        "Café crème, déjà vu, naïve façade; résumé of the meeting.",
        "Second paragraph,\non two lines.",
    ]


def test_a_character_split_across_two_reads_is_decoded_whole(tmp_path):
    # "é" is two bytes in UTF-8 and in UTF-16: put the split right on a read boundary.
    filler = (b"word " * READ_BYTES)[: READ_BYTES - 1]
    blocks = blocks_of(tmp_path, "edge.txt", filler + "é and more".encode())
    assert blocks[-1].text.endswith("é and more")
    wide_filler = ("word " * READ_BYTES)[: READ_BYTES // 2 - 2]
    blocks = blocks_of(tmp_path, "wide.txt", codecs.BOM_UTF16_LE + (wide_filler + "é and more").encode("utf-16-le"))
    assert blocks[-1].text.endswith("é and more")
    assert not any("\ufffd" in block.text for block in blocks)


def test_windows_line_ends_split_across_reads_make_no_paragraph_break(tmp_path):
    line = b"x" * 99 + b"\r\n"
    lines = line * ((READ_BYTES - 1) // len(line))
    # The first read ends between the "\r" and the "\n" of a line end.
    text = lines + b"y" * (READ_BYTES - 1 - len(lines)) + b"\r\nsame paragraph\r\n\r\nnext"
    blocks = blocks_of(tmp_path, "crlf.txt", text)
    assert blocks[-2].text.split("\n")[-1] == "same paragraph"
    assert blocks[-1].text == "next"
    assert not any("\n\n" in block.text or "\r" in block.text for block in blocks)


def test_a_non_utf8_byte_late_in_the_file_decodes_all_of_it_as_cp1252(tmp_path):
    text = "naïve ".encode("cp1252") + b"word " * (3 * READ_BYTES // 5) + "fin \xe9".encode("latin-1")
    blocks = blocks_of(tmp_path, "late.txt", text)
    assert blocks[0].text.startswith("naïve word")
    assert blocks[-1].text.endswith("fin é")


def test_a_binary_file_named_txt_is_refused(tmp_path):
    with pytest.raises(DocumentRefusedError, match="binary"):
        blocks_of(tmp_path, "binary.txt", b"\x7fELF\x02\x01\x00\x00")


def test_one_long_line_becomes_bounded_blocks_cut_at_whitespace(tmp_path):
    words = [f"word{number}" for number in range(200_000)]
    blocks = blocks_of(tmp_path, "one-line.txt", " ".join(words))
    assert len(blocks) > 1
    assert all(len(block.text) <= MAX_BLOCK_CHARS for block in blocks)
    assert " ".join(block.text for block in blocks).split() == words


def test_an_empty_text_file_is_refused_as_having_no_text(tmp_path):
    with pytest.raises(DocumentRefusedError) as refused:
        blocks_of(tmp_path, "empty.txt", "\n\n  \n")
    assert str(refused.value) == NO_TEXT


MARKDOWN = """\
# Guide

Intro paragraph.

## Install

- first step
- second step
  continues here

| Name | Value |
|------|-------|
| a    | 1     |

```sh
# not a heading
make test
```

Setext title
============

### Deep

Text under deep.

## Second

Last words.
"""


def test_markdown_headings_give_sections_and_fences_are_not_headings(tmp_path):
    blocks = blocks_of(tmp_path, "guide.md", MARKDOWN)
    by_text = {block.text: block for block in blocks}
    assert [block.text for block in blocks if block.kind is BlockKind.HEADING] == [
        "Guide", "Install", "Setext title", "Deep", "Second",
    ]  # fmt: skip
    assert by_text["Intro paragraph."].section == ("Guide",)
    assert by_text["first step"].kind is BlockKind.LIST_ITEM
    assert by_text["second step\n  continues here"].section == ("Guide", "Install")
    assert by_text["# not a heading\nmake test"].kind is BlockKind.PARAGRAPH
    assert by_text["Text under deep."].section == ("Setext title", "Deep")
    assert by_text["Last words."].section == ("Setext title", "Second")


def test_a_markdown_table_row_stays_on_one_line(tmp_path):
    rows = [block.text for block in blocks_of(tmp_path, "guide.markdown", MARKDOWN) if block.kind is BlockKind.TABLE]
    assert rows == ["Name | Value", "a | 1"]


HTML = """<!doctype html>
<html><head><title>Field notes</title><style>p { color: red }</style>
<script>var hidden = "script text";</script></head>
<body>
<p>Before any heading, <a href="/x">with a link</a>.</p>
<h1>Birds</h1>
<p>Robins<br>and wrens.</p>
<ul><li>first bird</li><li>second <b>bird</b>
  <ul><li>nested bird</li></ul></li></ul>
<h2>Counts</h2>
<table><tr><th>Bird</th><th>Count</th></tr><tr><td>Robin</td><td>12</td></tr></table>
<h1>Trees</h1>
<div>Oaks <span>and</span> elms.</div>
<template><p>template text</p></template>
</body></html>
"""


def test_html_title_and_headings_give_sections(tmp_path):
    blocks = blocks_of(tmp_path, "notes.html", HTML)
    by_text = {block.text: block for block in blocks}
    assert by_text["Field notes"].kind is BlockKind.HEADING
    assert by_text["Before any heading, with a link."].section == ("Field notes",)
    assert by_text["Robins and wrens."].section == ("Field notes", "Birds")
    assert by_text["Oaks and elms."].section == ("Field notes", "Trees")
    assert by_text["Bird | Count"].section == ("Field notes", "Birds", "Counts")


def test_html_lists_tables_and_dropped_elements(tmp_path):
    blocks = blocks_of(tmp_path, "notes.htm", HTML)
    assert [block.text for block in blocks if block.kind is BlockKind.LIST_ITEM] == [
        "first bird", "second bird", "nested bird",
    ]  # fmt: skip
    assert [block.text for block in blocks if block.kind is BlockKind.TABLE] == ["Bird | Count", "Robin | 12"]
    text = " ".join(block.text for block in blocks)
    assert "script text" not in text
    assert "color: red" not in text
    assert "template text" not in text


def test_html_declares_its_own_encoding(tmp_path):
    page = '<html><head><meta charset="windows-1252"></head><body><p>Café</p></body></html>'
    assert [block.text for block in blocks_of(tmp_path, "legacy.html", page.encode("cp1252"))] == ["Café"]


def test_deeply_nested_html_does_not_overflow_the_stack(tmp_path):
    page = "<div>" * 5_000 + "deep text" + "</div>" * 5_000
    assert [block.text for block in blocks_of(tmp_path, "deep.html", page)] == ["deep text"]


def test_every_supported_type_has_a_reader_and_no_other():
    from documents.types import SUPPORTED_TYPES

    assert sorted(READERS) == sorted(SUPPORTED_TYPES)
    assert READERS[".md"] is read_markdown
    assert READERS[".txt"] is read_text
    assert READERS[".htm"] is read_html


def test_an_unsupported_type_is_refused_with_the_supported_ones(tmp_path):
    path = tmp_path / "slides.key"
    path.write_bytes(b"PK")
    with pytest.raises(DocumentRefusedError, match=r"'\.key' are not supported; use one of \.csv, \.docx"):
        list(read_blocks(path, ".key"))
