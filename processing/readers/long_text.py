"""Cutting text too long for one block into pieces at whitespace, so no block outgrows a fixed bound."""

from __future__ import annotations

from collections.abc import Iterator

# Every block a reader yields is at most this long, whatever the document: a 50 MB line of text
# becomes many blocks, so memory per block and the chunker's work per block stay fixed.
MAX_BLOCK_CHARS = 8_192


def cut_at_whitespace(text: str, limit: int = MAX_BLOCK_CHARS) -> Iterator[str]:
    """`text` in stripped, non-empty pieces of at most `limit` characters, each cut at the last whitespace
    before the limit (mid-word only when a single word is longer than the limit)."""
    rest = text
    while len(rest) > limit:
        head, rest = split_head(rest, limit)
        if head.strip():
            yield head.strip()
    if rest.strip():
        yield rest.strip()


def split_head(text: str, limit: int = MAX_BLOCK_CHARS) -> tuple[str, str]:
    """The longest head of `text` up to `limit` characters that ends before whitespace, and the rest
    after that whitespace, untouched (so text still to come can be appended to it)."""
    if len(text) <= limit:
        return text, ""
    # rfind runs in C: a long run without a newline costs a few scans per piece, never a step per character.
    cut = max(text.rfind(space, 1, limit + 1) for space in " \n\t")
    if cut <= 0:
        return text[:limit], text[limit:]
    return text[:cut], text[cut + 1 :]
