"""Splitting extracted text into overlapping chunks with semantic-text-splitter."""

from __future__ import annotations

from semantic_text_splitter import MarkdownSplitter, TextSplitter


def chunking_fingerprint(chunk_size: int, chunk_overlap: int) -> str:
    """Identifies the settings chunks were made with, so a change of settings re-chunks."""
    return f"chars:{chunk_size}:{chunk_overlap}"


def split_text(text: str, kind: str, *, chunk_size: int, chunk_overlap: int) -> list[str]:
    """Chunks of at most `chunk_size` characters, Markdown split along its structure."""
    splitter = MarkdownSplitter if kind in {".md", ".markdown"} else TextSplitter
    return splitter(chunk_size, overlap=chunk_overlap, trim=True).chunks(text)
