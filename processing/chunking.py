"""Blocks into chunks: at most `chunk_size` characters, never across a section, each saying its pages and section.

semantic-text-splitter chooses where a chunk ends, but only ever sees a window a few chunks long:
on a long run of text without paragraph breaks its time grows with the square of what it is given,
so one long block is fed to it window by window and the time per MB stays flat.
"""

from __future__ import annotations

import bisect
import itertools
from collections.abc import Generator, Iterable, Iterator
from dataclasses import dataclass, field

from semantic_text_splitter import TextSplitter

from processing.blocks import Block, BlockKind

# Names how blocks are read and chunked: a document chunked by an older extractor is re-made.
EXTRACTION_VERSION = "blocks-v2"
SECTION_PATH_SEPARATOR = " \N{SINGLE RIGHT-POINTING ANGLE QUOTATION MARK} "
# A section is far shorter than a chunk when its text is at most a quarter of one: such a section
# joins its tiny neighbours under the same parent heading instead of making a chunk of its own.
TINY_SECTION_SHARE = 4
# The headings above a section's text start its first chunk together with that text when they take
# at most half a chunk; longer ones are split like any text.
LEAD_SHARE = 2
# The splitter sees at most this many chunk sizes of text at once. Smaller windows do less of the
# splitter's quadratic work on one-line text; each window re-reads the chunk or two it cut short.
WINDOW_CHUNKS = 4
# Consecutive table rows (and list items) are lines of one paragraph, so a chunk shows a table as rows.
LINE_KINDS = frozenset({BlockKind.TABLE, BlockKind.LIST_ITEM})


def _sentence_ends_as_line_breaks(text: str) -> str:
    """What the splitter is shown of a stretch of a long block that has no line breaks of its own.

    Unicode sees no sentence end in "word. word", so the splitter would split such text word by
    word, at seven times the cost and in the middle of sentences. Each space after a full stop
    becomes a line break (the same length, so offsets hold); the chunk's text keeps the space.
    """
    return text.replace(". ", ".\n").replace("! ", "!\n").replace("? ", "?\n")


@dataclass(frozen=True)
class ChunkDraft:
    """A chunk before it is stored: its text, the pages it spans ([first, last], 1-based) and its heading path."""

    text: str
    pages: tuple[int, int] | None
    section: str | None


def chunking_fingerprint(chunk_size: int, chunk_overlap: int) -> str:
    """Names the extractor and the settings chunks were made with, so a change of either re-chunks."""
    return f"{EXTRACTION_VERSION}:chars:{chunk_size}:{chunk_overlap}"


def chunk_blocks(blocks: Iterable[Block], *, chunk_size: int, chunk_overlap: int) -> Iterator[ChunkDraft]:
    """Chunks of at most `chunk_size` characters, overlapping by up to `chunk_overlap` inside a section.

    Reads `blocks` as a stream and holds only a window a few chunks long, however long the document.
    """
    if chunk_size < 1 or not 0 <= chunk_overlap < chunk_size:
        raise ValueError(f"need chunk_size > 0 and 0 <= chunk_overlap < chunk_size: {chunk_size}, {chunk_overlap}")
    tiny_limit = chunk_size // TINY_SECTION_SHARE
    pending: _TinySections | None = None
    for path, run in itertools.groupby(filter(_has_text, blocks), key=lambda block: block.section):
        head, length, rest = _probe(run, tiny_limit)
        if rest is None:
            if pending is not None and pending.accepts(path, length, chunk_size):
                pending.add(path, head, length)
                continue
            if pending is not None:
                yield pending.chunk()
            pending = _TinySections(first_path=path, path=path, blocks=head, length=length)
            continue
        headings = _leading_headings(head)
        borrowed: list[Block] = []
        borrowed_path = path
        if pending is not None and pending.leads(path, headings, chunk_size):
            borrowed, borrowed_path = pending.blocks, pending.path
        elif pending is not None:
            yield pending.chunk()
        pending = None
        section = _Section(path, borrowed_path, chunk_size, chunk_overlap)
        yield from section.chunks(borrowed, len(headings), itertools.chain(head, rest))
    if pending is not None:
        yield pending.chunk()


def _has_text(block: Block) -> bool:
    return block.text != "" and not block.text.isspace()


def _stripped_bounds(text: str) -> tuple[int, int]:
    """Where `text` starts and ends without its surrounding whitespace, without copying it (a block may be MBs)."""
    low, high = 0, len(text)
    while low < high and text[low].isspace():
        low += 1
    while high > low and text[high - 1].isspace():
        high -= 1
    return low, high


def _stripped_length(text: str) -> int:
    low, high = _stripped_bounds(text)
    return high - low


def _probe(run: Iterator[Block], limit: int) -> tuple[list[Block], int, Iterator[Block] | None]:
    """A section's first blocks, up to just past `limit` characters; the rest, or None if it ended within them."""
    head: list[Block] = []
    length = 0
    for block in run:
        length += (2 if head else 0) + _stripped_length(block.text)
        head.append(block)
        if length > limit:
            return head, length, run
    return head, length, None


def _leading_headings(head: list[Block]) -> list[Block]:
    return list(itertools.takewhile(lambda block: block.kind is BlockKind.HEADING, head))


def _common_path(first: tuple[str, ...], second: tuple[str, ...]) -> tuple[str, ...]:
    shared = 0
    for one, other in zip(first, second, strict=False):
        if one != other:
            break
        shared += 1
    return first[:shared]


def _section_name(path: tuple[str, ...]) -> str | None:
    return SECTION_PATH_SEPARATOR.join(path) if path else None


def _separator(previous: Block, block: Block) -> str:
    return "\n" if previous.kind is block.kind and block.kind in LINE_KINDS else "\n\n"


def _page_range(pages: Iterable[int | None]) -> tuple[int, int] | None:
    known = [page for page in pages if page is not None]
    return (min(known), max(known)) if known else None


def _word_boundary(window: str, chunk_size: int) -> int:
    """Where to end a window that is not the end of its section: after its last word, if the last chunk holds one."""
    search_from = max(len(window) - chunk_size, 1)
    boundary = max(window.rfind(" ", search_from), window.rfind("\n", search_from))
    return boundary if boundary > 0 else len(window)


@dataclass
class _TinySections:
    """Neighbouring sections far shorter than a chunk, waiting to become one chunk under their common path."""

    first_path: tuple[str, ...]
    path: tuple[str, ...]
    blocks: list[Block]
    length: int

    def accepts(self, path: tuple[str, ...], length: int, chunk_size: int) -> bool:
        """Whether a tiny section may join: it stands under the parent heading of the first one, and fits."""
        under_parent = len(_common_path(self.path, path)) >= len(self.first_path) - 1
        return under_parent and self.length + 2 + length <= chunk_size

    def add(self, path: tuple[str, ...], blocks: list[Block], length: int) -> None:
        self.path = _common_path(self.path, path)
        self.blocks += blocks
        self.length += 2 + length

    def leads(self, path: tuple[str, ...], headings: list[Block], chunk_size: int) -> bool:
        """Whether they may open the first chunk of the longer section after them: it stands under their path."""
        heading_length = sum(2 + _stripped_length(block.text) for block in headings)
        below = path[: len(self.path)] == self.path
        return below and self.length + 2 + heading_length <= chunk_size // LEAD_SHARE

    def chunk(self) -> ChunkDraft:
        parts = [self.blocks[0].text.strip()]
        for previous, block in itertools.pairwise(self.blocks):
            parts += [_separator(previous, block), block.text.strip()]
        return ChunkDraft("".join(parts), _page_range(block.page for block in self.blocks), _section_name(self.path))


@dataclass
class _Text:
    """A section's text as its blocks arrive, from a moving start: offsets into the blocks, never a copy of them."""

    starts: list[int] = field(default_factory=list)
    # Each piece: its text, where it starts and ends in it, its page, and whether its sentences are shown apart.
    pieces: list[tuple[str, int, int, int | None, bool]] = field(default_factory=list)
    end: int = 0

    def append(self, text: str, page: int | None, *, strip: bool = True, long: bool = False) -> None:
        low, high = _stripped_bounds(text) if strip else (0, len(text))
        self.starts.append(self.end)
        self.pieces.append((text, low, high, page, long))
        self.end += high - low

    def slice(self, start: int, stop: int) -> str:
        return self.window(start, stop)[0]

    def window(self, start: int, stop: int) -> tuple[str, str]:
        """The text from `start` to `stop`, and the same as the splitter is shown it (of the same length)."""
        parts, shown = [], []
        index = max(bisect.bisect_right(self.starts, start) - 1, 0)
        while index < len(self.pieces) and self.starts[index] < stop:
            text, low, high, _, long = self.pieces[index]
            offset = self.starts[index]
            parts.append(text[low + max(start - offset, 0) : min(low + stop - offset, high)])
            shown.append(_sentence_ends_as_line_breaks(parts[-1]) if long and "\n" not in parts[-1] else parts[-1])
            index += 1
        return "".join(parts), "".join(shown)

    def pages(self, start: int, stop: int) -> tuple[int, int] | None:
        first = max(bisect.bisect_right(self.starts, start) - 1, 0)
        return _page_range(piece[3] for piece in self.pieces[first : bisect.bisect_left(self.starts, stop)])

    def forget_before(self, start: int) -> None:
        keep_from = max(bisect.bisect_right(self.starts, start) - 1, 0)
        del self.starts[:keep_from], self.pieces[:keep_from]


class _Section:
    """One section's chunks, made window by window as its blocks arrive.

    `borrowed` are tiny sections before it that open its first chunk; a chunk holding any of their
    text belongs to `borrowed_path`, their common path with this one.
    """

    def __init__(self, path: tuple[str, ...], borrowed_path: tuple[str, ...], chunk_size: int, chunk_overlap: int):
        self.path = path
        self.borrowed_path = borrowed_path
        self.chunk_size = chunk_size
        self.chunk_overlap = chunk_overlap
        self.text = _Text()
        self.borrowed_end = 0
        self.exhausted = False
        self._previous: Block | None = None
        self._blocks: Iterator[Block] = iter(())

    def chunks(self, borrowed: list[Block], headings: int, blocks: Iterator[Block]) -> Iterator[ChunkDraft]:
        self._blocks = blocks
        for block in borrowed:
            self._append(block)
        self.borrowed_end = self.text.end
        for _ in range(headings):
            self._fill(self.text.end + 1)
        lead_end = self.text.end
        position: int | None = 0
        # The text after the headings must have room beside them (two characters separate them).
        if 0 < lead_end <= self.chunk_size // LEAD_SHARE and lead_end + 2 < self.chunk_size:
            position = yield from self._lead(lead_end)
        if position is not None:
            yield from self._windows(position)

    def _append(self, block: Block) -> None:
        if self._previous is not None:
            self.text.append(_separator(self._previous, block), None, strip=False)
        long = block.kind is not BlockKind.TABLE and len(block.text) > self.chunk_size
        self.text.append(block.text, block.page, long=long)
        self._previous = block

    def _fill(self, until: int) -> None:
        while not self.exhausted and self.text.end < until:
            block = next(self._blocks, None)
            if block is None:
                self.exhausted = True
            else:
                self._append(block)

    def _draft(self, start: int, text: str) -> ChunkDraft:
        path = self.borrowed_path if start < self.borrowed_end else self.path
        return ChunkDraft(text, self.text.pages(start, start + len(text)), _section_name(path))

    def _lead(self, lead_end: int) -> Generator[ChunkDraft, None, int | None]:
        """The first chunk: the headings (and borrowed sections) with as much of the text after them as fits.

        Split on its own, the splitter would make the headings a chunk by themselves.
        Returns where the next chunk starts, or None if the section is done.
        """
        self._fill(lead_end + 1)
        if self.text.end == lead_end:
            return 0
        body_start = self.text.starts[bisect.bisect_right(self.text.starts, lead_end)]
        window_end = body_start + 2 * self.chunk_size
        self._fill(window_end + 1)
        final = self.exhausted and self.text.end <= window_end
        window, shown = self.text.window(body_start, window_end)
        if not final:
            shown = shown[: _word_boundary(window, self.chunk_size)]
        capacity = self.chunk_size - body_start
        splitter = TextSplitter(capacity, overlap=min(self.chunk_overlap, capacity - 1), trim=True)
        found = splitter.chunk_indices(shown)
        offset, first = found[0]
        stop = body_start + offset + len(first)
        yield self._draft(0, self.text.slice(0, stop))
        if len(found) > 1:
            return body_start + found[1][0]
        return None if final else stop

    def _windows(self, position: int) -> Iterator[ChunkDraft]:
        """The chunks from `position` on. Of each window, only the chunks its end cannot have shaped are kept
        (those starting a chunk size or more before it); the next window starts where the first one left out did.
        """
        splitter = TextSplitter(self.chunk_size, overlap=self.chunk_overlap, trim=True)
        size = WINDOW_CHUNKS * self.chunk_size
        while True:
            self.text.forget_before(position)
            self._fill(position + size + 1)
            final = self.exhausted and self.text.end <= position + size
            window, shown = self.text.window(position, position + size)
            if not final:
                shown = shown[: _word_boundary(window, self.chunk_size)]
            found = splitter.chunk_indices(shown)
            if final:
                for offset, chunk in found:
                    yield self._draft(position + offset, window[offset : offset + len(chunk)])
                return
            settled = len(shown) - self.chunk_size
            kept = [found_chunk for found_chunk in found[:-1] if found_chunk[0] <= settled] or found[:1]
            for offset, chunk in kept:
                yield self._draft(position + offset, window[offset : offset + len(chunk)])
            if len(found) > len(kept):
                position += found[len(kept)][0]
            elif kept:
                position += kept[-1][0] + len(kept[-1][1])
            else:
                position += len(shown)
