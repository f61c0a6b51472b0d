"""Full-text search over the chunks a user's documents were split into: ranked, highlighted, paged.

SQLite ranks with FTS5's BM25, PostgreSQL with ts_rank_cd; both read the index that
migration 0004 keeps in step with the chunks. What the user typed never reaches either
query language as syntax: on SQLite every word becomes a quoted FTS5 string, on
PostgreSQL the whole query is a bound parameter to plainto_tsquery. Both mean the same:
chunks that contain every word.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from dataclasses import dataclass
from typing import Any

from markupsafe import escape
from sqlalchemy import text

from extensions import db
from http_plumbing.errors import ApiError

MAX_QUERY_CHARS = 200
DEFAULT_LIMIT = 10
MAX_LIMIT = 50
# Where the database marks a match, before escaping; private-use characters, never typed.
_MATCH_START, _MATCH_END = "\ue000", "\ue001"
_WORD = re.compile(r"\w", re.UNICODE)


@dataclass(frozen=True)
class SearchHit:
    chunk_id: int
    document_name: str
    position: int
    snippet: str
    score: float

    def to_json(self) -> dict[str, object]:
        return {
            "documentName": self.document_name,
            "position": self.position,
            "snippet": self.snippet,
            "score": round(self.score, 6),
        }


@dataclass(frozen=True)
class SearchPage:
    hits: list[SearchHit]
    next_cursor: str | None

    def to_json(self) -> dict[str, object]:
        return {"results": [hit.to_json() for hit in self.hits], "nextCursor": self.next_cursor}


def search_chunks(user_id: int, query: object, *, limit: object = None, cursor: object = None) -> SearchPage:
    """The user's chunks containing every word of `query`, best first; an ApiError (400) saying what is wrong."""
    words = _words(query)
    page_size = _page_size(limit)
    after = _decode_cursor(cursor)
    if db.engine.dialect.name == "postgresql":
        rows = _postgresql(user_id, " ".join(words), page_size + 1, after)
    else:
        rows = _sqlite(user_id, words, page_size + 1, after)
    hits = [
        SearchHit(row.id, row.name, row.position, highlighted(row.snippet), float(row.score))
        for row in rows[:page_size]
    ]
    more = len(rows) > page_size
    return SearchPage(hits, _encode_cursor(hits[-1]) if more and hits else None)


def highlighted(snippet: str) -> str:
    """The snippet as HTML: its text escaped, the matches in <mark>, the only markup ours."""
    return str(escape(snippet)).replace(_MATCH_START, "<mark>").replace(_MATCH_END, "</mark>")


def _words(query: object) -> list[str]:
    if not isinstance(query, str) or not query.strip():
        raise ApiError(400, "q is missing or empty: say what to search for, as in ?q=quarterly results")
    if len(query) > MAX_QUERY_CHARS:
        raise ApiError(400, f"q is too long: at most {MAX_QUERY_CHARS} characters")
    words = [word for word in query.replace(_MATCH_START, " ").replace(_MATCH_END, " ").split() if _WORD.search(word)]
    if not words:
        raise ApiError(400, "q has no words to search for, only punctuation")
    return words


def _page_size(limit: object) -> int:
    if limit is None:
        return DEFAULT_LIMIT
    if not isinstance(limit, str) or not limit.isdigit() or not 1 <= int(limit) <= MAX_LIMIT:
        raise ApiError(400, f"limit must be a whole number from 1 to {MAX_LIMIT}")
    return int(limit)


def _encode_cursor(hit: SearchHit) -> str:
    position = json.dumps({"score": hit.score, "chunk": hit.chunk_id}, separators=(",", ":"))
    return base64.urlsafe_b64encode(position.encode()).decode().rstrip("=")


def _decode_cursor(cursor: object) -> tuple[float, int] | None:
    """(score, chunk id) of the last hit already shown; pages go on strictly after it."""
    if cursor is None:
        return None
    refused = ApiError(400, "cursor is not one this API gave out; start again without it")
    if not isinstance(cursor, str):
        raise refused
    try:
        decoded = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (ValueError, binascii.Error):
        raise refused from None
    score = decoded.get("score") if isinstance(decoded, dict) else None
    chunk = decoded.get("chunk") if isinstance(decoded, dict) else None
    if isinstance(score, bool) or not isinstance(score, float | int) or type(chunk) is not int:
        raise refused
    return float(score), chunk


def _fts5_query(words: list[str]) -> str:
    # Each word a string literal ("" escapes a quote): NEAR(, *, -, OR, AND, column filters
    # and the like are searched for as text, never read as FTS5 syntax.
    return " ".join('"' + word.replace('"', '""') + '"' for word in words)


_SQLITE = """
SELECT id, name, position, snippet, score FROM (
    SELECT chunks.id AS id, documents.name AS name, chunks.position AS position,
           snippet(chunks_search, 0, :start, :end, '…', 16) AS snippet,
           -bm25(chunks_search) AS score
    FROM chunks_search
    JOIN chunks ON chunks.id = chunks_search.rowid
    JOIN documents ON documents.id = chunks.document_id
    WHERE chunks_search MATCH :query AND documents.user_id = :user_id
)
WHERE :after_score IS NULL OR score < :after_score OR (score = :after_score AND id > :after_chunk)
ORDER BY score DESC, id
LIMIT :limit
"""

_POSTGRESQL = """
WITH matched AS (
    SELECT chunks.id AS id, documents.name AS name, chunks.position AS position, chunks.text AS text,
           ts_rank_cd(chunks.search_vector, query)::float8 AS score, query
    FROM chunks
    JOIN documents ON documents.id = chunks.document_id,
         plainto_tsquery('simple', :query) AS query
    WHERE chunks.search_vector @@ query AND documents.user_id = :user_id
), page AS (
    SELECT * FROM matched
    WHERE CAST(:after_score AS float8) IS NULL OR score < :after_score OR (score = :after_score AND id > :after_chunk)
    ORDER BY score DESC, id
    LIMIT :limit
)
-- The headline, the costly part, only for the page's rows.
SELECT id, name, position, score,
       ts_headline('simple', text, query,
                   'StartSel=' || :start || ', StopSel=' || :end || ', MaxWords=30, MinWords=12') AS snippet
FROM page
ORDER BY score DESC, id
"""


def _parameters(user_id: int, limit: int, after: tuple[float, int] | None) -> dict[str, Any]:
    after_score, after_chunk = after if after else (None, None)
    return {
        "user_id": user_id,
        "limit": limit,
        "after_score": after_score,
        "after_chunk": after_chunk,
        "start": _MATCH_START,
        "end": _MATCH_END,
    }


def _sqlite(user_id: int, words: list[str], limit: int, after: tuple[float, int] | None) -> list[Any]:
    parameters = {**_parameters(user_id, limit, after), "query": _fts5_query(words)}
    return list(db.session.execute(text(_SQLITE), parameters))


def _postgresql(user_id: int, query: str, limit: int, after: tuple[float, int] | None) -> list[Any]:
    parameters = {**_parameters(user_id, limit, after), "query": query}
    return list(db.session.execute(text(_POSTGRESQL), parameters))
