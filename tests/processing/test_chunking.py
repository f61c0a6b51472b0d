"""Blocks into chunks: sizes and overlap, pages and sections, tables, nothing lost, and time linear in the text."""

from __future__ import annotations

import itertools
import random
import time
from collections.abc import Iterator

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from semantic_text_splitter import TextSplitter

from processing.blocks import Block, BlockKind, table_row
from processing.chunking import ChunkDraft, chunk_blocks, chunking_fingerprint

SEPARATOR = " \N{SINGLE RIGHT-POINTING ANGLE QUOTATION MARK} "
WORDS = ["durable", "step", "retry", "document", "chunk", "store", "queue", "event", "worker", "latency"]


def sentences(characters: int, seed: int = 1, *, capitals: bool = True) -> str:
    """Sentences of twelve words, one after the other on one line. Without capitals, Unicode sees no
    sentence end in them ("word. word"), as in text whose sentences start in lower case."""
    generator = random.Random(seed)  # noqa: S311 - test data, not security
    parts: list[str] = []
    written = 0
    while written < characters:
        sentence = " ".join(generator.choice(WORDS) for _ in range(12)) + "."
        parts.append(sentence.capitalize() if capitals else sentence)
        written += len(parts[-1]) + 1
    return " ".join(parts)


def chunks_of(blocks: list[Block], chunk_size: int = 200, chunk_overlap: int = 20) -> list[ChunkDraft]:
    return list(chunk_blocks(blocks, chunk_size=chunk_size, chunk_overlap=chunk_overlap))


def heading(text: str, *path: str, page: int | None = None) -> Block:
    return Block(text, BlockKind.HEADING, page, (*path, text))


def test_no_blocks_make_no_chunks() -> None:
    assert chunks_of([]) == []


def test_blocks_of_whitespace_make_no_chunks() -> None:
    assert chunks_of([Block("  \n\t"), Block("")]) == []


@pytest.mark.parametrize(("chunk_size", "chunk_overlap"), [(0, 0), (100, 100), (100, -1)])
def test_impossible_settings_are_refused(chunk_size: int, chunk_overlap: int) -> None:
    with pytest.raises(ValueError, match="chunk_overlap"):
        chunks_of([Block("text")], chunk_size, chunk_overlap)


def test_the_fingerprint_names_the_extraction_and_the_settings() -> None:
    assert chunking_fingerprint(1000, 100) == "blocks-v2:chars:1000:100"


def test_a_short_document_is_one_chunk_with_its_page_and_no_section() -> None:
    assert chunks_of([Block("Just one line.", page=3)]) == [ChunkDraft("Just one line.", (3, 3), None)]


def test_a_format_without_pages_gives_chunks_without_pages() -> None:
    assert all(chunk.pages is None for chunk in chunks_of([Block(sentences(2000))]))


def test_each_chunk_spans_the_pages_of_the_blocks_its_text_came_from() -> None:
    blocks = [Block(f"page{page} " + sentences(150, seed=page), page=page) for page in range(1, 30)]
    chunks = chunks_of(blocks, chunk_size=400)
    assert len(chunks) > 10
    for chunk in chunks:
        pages = [int(word[4:]) for word in chunk.text.split() if word.startswith("page")]
        assert chunk.pages is not None
        first, last = chunk.pages
        assert first <= min(pages, default=last)
        assert max(pages, default=first) <= last
        assert last - first <= 2  # about 160 characters a page, 400 a chunk
    assert chunks[0].pages == (1, 2)
    assert chunks[-1].pages is not None
    assert chunks[-1].pages[1] == 29


def test_a_chunk_carries_the_heading_path_joined() -> None:
    blocks = [heading("Spannbaum", "Graphen"), Block(sentences(500), section=("Graphen", "Spannbaum"))]
    assert {chunk.section for chunk in chunks_of(blocks)} == {f"Graphen{SEPARATOR}Spannbaum"}


def test_no_chunk_straddles_two_long_sections() -> None:
    blocks = [
        heading("Alpha"),
        Block("alpha " * 100, section=("Alpha",)),
        heading("Beta"),
        Block("beta " * 100, section=("Beta",)),
    ]
    chunks = chunks_of(blocks)
    for chunk in chunks:
        words = set(chunk.text.lower().split())
        assert words in ({"alpha"}, {"beta"}), chunk.text
        assert chunk.section == chunk.text.split()[0].capitalize() or chunk.text.startswith(("alpha", "beta"))
    assert [chunk.section for chunk in chunks] == sorted(chunk.section or "" for chunk in chunks)


def test_a_section_s_first_chunk_starts_with_its_heading_and_some_of_its_text() -> None:
    blocks = [heading("Alpha"), Block(sentences(1000), section=("Alpha",))]
    first = chunks_of(blocks)[0]
    assert first.text.startswith("Alpha\n\n")
    assert len(first.text) > 150


def test_a_run_of_one_line_sections_becomes_one_chunk_under_their_parent() -> None:
    blocks = [heading("Glossary")]
    for term in ("Block", "Chunk", "Page", "Step"):
        blocks += [heading(term, "Glossary"), Block(f"What a {term.lower()} is.", section=("Glossary", term))]
    assert chunks_of(blocks, chunk_size=1000) == [
        ChunkDraft(
            "Glossary\n\nBlock\n\nWhat a block is.\n\nChunk\n\nWhat a chunk is.\n\n"
            "Page\n\nWhat a page is.\n\nStep\n\nWhat a step is.",
            None,
            "Glossary",
        )
    ]


def test_tiny_sections_under_different_parents_stay_apart() -> None:
    blocks = []
    for parent in ("Alpha", "Beta"):
        blocks.append(heading(parent))
        blocks.append(Block("parent text " * 40, section=(parent,)))
        for child in ("one", "two"):
            blocks += [heading(child, parent), Block(f"{parent} {child}.", section=(parent, child))]
    chunks = chunks_of(blocks, chunk_size=300)
    assert [chunk.section for chunk in chunks] == ["Alpha"] * 3 + ["Beta"] * 3
    assert chunks[2].text == "one\n\nAlpha one.\n\ntwo\n\nAlpha two."
    assert chunks[5].text == "one\n\nBeta one.\n\ntwo\n\nBeta two."


def test_a_section_as_long_as_half_a_chunk_is_a_chunk_of_its_own() -> None:
    blocks = []
    for name in ("One", "Two"):
        blocks += [heading(name, "Parent"), Block("x" * 120, section=("Parent", name))]
    sections = [chunk.section for chunk in chunks_of(blocks, chunk_size=300)]
    assert sections == [f"Parent{SEPARATOR}One", f"Parent{SEPARATOR}Two"]


def test_tiny_sections_open_the_long_section_below_them() -> None:
    blocks = [heading("Chapter"), heading("Part", "Chapter"), Block(sentences(1000), section=("Chapter", "Part"))]
    chunks = chunks_of(blocks)
    assert chunks[0].text.startswith("Chapter\n\nPart\n\n")
    assert chunks[0].section == "Chapter"
    assert {chunk.section for chunk in chunks[1:]} == {f"Chapter{SEPARATOR}Part"}


def test_chunks_hold_at_most_chunk_size_characters_and_overlap_by_at_most_chunk_overlap() -> None:
    text = sentences(20_000).replace(".", "")  # one sentence: the splitter overlaps words, not sentences
    chunks = [chunk.text for chunk in chunks_of([Block(text)], chunk_size=300, chunk_overlap=60)]
    assert all(len(chunk) <= 300 for chunk in chunks)
    for before, after in itertools.pairwise(chunks):
        shared = [length for length in range(1, 61) if before.endswith(after[:length])]
        assert shared, (before[-80:], after[:80])


@pytest.mark.parametrize("one_line", [True, False], ids=["one line", "lines"])
def test_a_long_block_chunks_exactly_as_the_splitter_alone_chunks_it(one_line: bool) -> None:
    text = "\n".join(sentences(90, seed=seed) for seed in range(300))
    text = text.replace("\n", " ") if one_line else text
    alone = TextSplitter(250, overlap=40, trim=True).chunks(text)
    assert [chunk.text for chunk in chunks_of([Block(text)], chunk_size=250, chunk_overlap=40)] == alone


def test_a_long_block_without_sentence_ends_unicode_knows_is_cut_after_its_full_stops() -> None:
    text = sentences(20_000, capitals=False)
    chunks = chunks_of([Block(text)], chunk_size=300, chunk_overlap=60)
    assert all(chunk.text in text for chunk in chunks)  # the block's own text, spaces and all
    assert all(chunk.text.endswith(".") for chunk in chunks)


def test_table_rows_stay_whole_on_one_line() -> None:
    rows = [table_row([f"row {index}", "durable step", f"{index * 7} retries"]) for index in range(60)]
    blocks = [heading("Results"), Block(sentences(300), section=("Results",))]
    blocks += [Block(row, BlockKind.TABLE, section=("Results",)) for row in rows]
    chunks = chunks_of(blocks, chunk_size=200, chunk_overlap=30)
    lines = [line for chunk in chunks for line in chunk.text.split("\n") if " | " in line]
    assert set(lines) == set(rows)


def test_blocks_are_read_as_a_stream() -> None:
    def endless() -> Iterator[Block]:
        for page in itertools.count(1):
            yield Block(sentences(500, seed=page), page=page)

    first = list(itertools.islice(chunk_blocks(endless(), chunk_size=200, chunk_overlap=20), 5))
    assert len(first) == 5
    assert first[0].pages == (1, 1)


def test_one_line_text_chunks_about_as_fast_as_paragraphed_text() -> None:
    """Not a timing: the ratio of two texts of 5 MB chunked here one after the other. The splitter alone
    takes minutes on the one-line text and a fraction of a second on the other."""
    paragraphs = [sentences(500, seed=seed, capitals=False) for seed in range(100)]
    one_line = " ".join(paragraphs * 100)
    assert len(one_line) > 5_000_000

    def seconds(blocks: list[Block]) -> float:
        started = time.perf_counter()
        for _ in chunk_blocks(blocks, chunk_size=1000, chunk_overlap=100):
            pass
        return time.perf_counter() - started

    paragraphed = min(seconds([Block(paragraph) for paragraph in paragraphs * 100]) for _ in range(2))
    assert seconds([Block(one_line)]) < 5 * paragraphed


SECTIONS = [(), ("A",), ("A", "1"), ("A", "2"), ("B",), ("B", "1")]


@st.composite
def documents(draw: st.DrawFn) -> list[Block]:
    """Blocks whose words say which block they are from: `b3w7` is the eighth word of the fourth block."""
    count = draw(st.integers(0, 25))
    blocks = []
    for index in range(count):
        kind = draw(st.sampled_from(list(BlockKind)))
        words = draw(st.integers(1, 60 if kind is not BlockKind.HEADING else 4))
        text = " ".join(f"b{index}w{word}" for word in range(words))
        blocks.append(Block(text, kind, draw(st.one_of(st.none(), st.integers(1, 9))), draw(st.sampled_from(SECTIONS))))
    return blocks


@settings(max_examples=80, deadline=None)
@given(blocks=documents(), chunk_size=st.integers(60, 600), overlap_share=st.floats(0, 0.3))
def test_every_word_comes_back_in_order_within_its_section_and_pages(
    blocks: list[Block], chunk_size: int, overlap_share: float
) -> None:
    chunks = chunks_of(blocks, chunk_size, int(chunk_size * overlap_share))
    assert all(len(chunk.text) <= chunk_size for chunk in chunks)
    found = iter([word for chunk in chunks for word in chunk.text.split()])
    assert all(word in found for block in blocks for word in block.text.split())  # a subsequence: in order
    for chunk in chunks:
        sources = {blocks[int(word[1:].split("w")[0])] for word in chunk.text.split()}
        path = tuple(chunk.section.split(SEPARATOR)) if chunk.section else ()
        assert all(source.section[: len(path)] == path for source in sources)
        pages = [source.page for source in sources if source.page is not None]
        assert chunk.pages == ((min(pages), max(pages)) if pages else None)
