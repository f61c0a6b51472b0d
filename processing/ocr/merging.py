"""OCR's text put in its place: each read page's blocks where the page stands among the file's own blocks."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping

from processing.blocks import Block, BlockKind
from processing.readers.long_text import cut_at_whitespace


def with_ocr_pages(blocks: Iterable[Block], ocr_text: Mapping[int, str]) -> Iterator[Block]:
    """`blocks` (in page order) with every page in `ocr_text` replaced by the text OCR read on it, marked `ocr`,
    under the section the page's own blocks had (or the one before)."""
    pending = sorted(ocr_text)
    section: tuple[str, ...] = ()
    for block in blocks:
        page = block.page
        while pending and page is not None and pending[0] < page:
            yield from _page_blocks(pending.pop(0), ocr_text, section)
        if page is not None and page in ocr_text:
            if pending and pending[0] == page:
                yield from _page_blocks(pending.pop(0), ocr_text, block.section)
            section = block.section
            continue
        section = block.section
        yield block
    for page in pending:
        yield from _page_blocks(page, ocr_text, section)


def _page_blocks(page: int, ocr_text: Mapping[int, str], section: tuple[str, ...]) -> Iterator[Block]:
    for piece in cut_at_whitespace(ocr_text[page]):
        yield Block(piece, BlockKind.PARAGRAPH, page, section, ocr=True)
