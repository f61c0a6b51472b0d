"""A document's chunks in order, a page at a time: what a client pulls to use the text elsewhere."""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass

from documents.models import Chunk, Document
from extensions import db
from http_plumbing.errors import ApiError

DEFAULT_LIMIT = 50
MAX_LIMIT = 200
# Positions are stored as 32-bit integers: a cursor past them names no chunk, and
# PostgreSQL would refuse to compare with it rather than answer "none".
MAX_POSITION = 2**31 - 1


@dataclass(frozen=True)
class ChunkPage:
    chunks: list[Chunk]
    next_cursor: str | None

    def to_json(self) -> dict[str, object]:
        return {"chunks": [chunk.to_json() for chunk in self.chunks], "nextCursor": self.next_cursor}


def document_chunks(document: Document, *, limit: object = None, cursor: object = None) -> ChunkPage:
    """Up to `limit` of the document's chunks after the cursor's, by position; an ApiError (400) says what is wrong."""
    page_size = _page_size(limit)
    after = _decode_cursor(cursor)
    chunks = list(
        db.session.scalars(
            db.select(Chunk)
            .where(Chunk.document_id == document.id, Chunk.position > after)
            .order_by(Chunk.position)
            .limit(page_size + 1)
        )
    )
    shown = chunks[:page_size]
    more = len(chunks) > page_size
    return ChunkPage(shown, _encode_cursor(shown[-1].position) if more else None)


def _page_size(limit: object) -> int:
    if limit is None:
        return DEFAULT_LIMIT
    # isdecimal, never isdigit: "²" is a digit int() cannot read. The length bound keeps int() cheap.
    if not isinstance(limit, str) or not limit.isascii() or not limit.isdecimal() or len(limit) > 4:
        raise ApiError(400, f"limit must be a whole number from 1 to {MAX_LIMIT}")
    if not 1 <= int(limit) <= MAX_LIMIT:
        raise ApiError(400, f"limit must be a whole number from 1 to {MAX_LIMIT}")
    return int(limit)


def _encode_cursor(position: int) -> str:
    return base64.urlsafe_b64encode(json.dumps({"position": position}).encode()).decode().rstrip("=")


def _decode_cursor(cursor: object) -> int:
    """The position of the last chunk already shown (-1 before the first page); pages go on strictly after it."""
    if cursor is None:
        return -1
    refused = ApiError(400, "cursor is not one this API gave out; start again without it")
    if not isinstance(cursor, str) or len(cursor) > 100:
        raise refused
    try:
        decoded = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (ValueError, binascii.Error):
        raise refused from None
    position = decoded.get("position") if isinstance(decoded, dict) else None
    if type(position) is not int or not 0 <= position <= MAX_POSITION:
        raise refused
    return position
