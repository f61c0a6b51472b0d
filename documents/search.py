"""Full-text search over the chunks a user's documents were split into: ranked, highlighted, paged.

What a user's search returns (which chunks, their order, their scores, the cursor) and what it
costs depend on that user's documents alone:
- The index is partitioned by owner (documents/search_index.py, migration 0006): every term is
  `<owner id>_<word>`, so a lookup reads only the searching user's postings. A word only other
  users have costs what a word nobody has costs.
- The score is computed from the chunk alone, no corpus statistics: on SQLite BM25's term
  frequency part (each word's occurrences, saturated, against the chunk's length in characters
  over a fixed 1,000), on PostgreSQL ts_rank_cd, which reads only the chunk's own vector.
- The cursor holds the last hit's score, document name and position: all the user's own.
- Snippets are cut and highlighted here, by word offsets in the chunk's text: the text is
  escaped, and the only markup is our <mark>, so nothing in a document can forge one.

What the user typed never reaches a query language as syntax: on SQLite the words are found in
Python and each becomes a quoted term, on PostgreSQL the text is a bound parameter to
to_tsvector. Both mean the same: chunks that contain every word. The words are deduplicated and
capped (SEARCH_MAX_WORDS), and each query has a time budget (SEARCH_TIME_BUDGET_MS): one that
matches too much is stopped and answered 400, not left to run on.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from markupsafe import Markup, escape
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from documents.search_index import MAX_COUNTED, Word, count_terms, query_terms, words
from extensions import db
from http_plumbing.errors import ApiError
from settings import get_app_settings

MAX_QUERY_CHARS = 200
DEFAULT_LIMIT = 10
MAX_LIMIT = 50
# How many words a snippet shows, around the matches.
SNIPPET_WORDS = 20
TOO_MUCH = "the query matches too much; add a rarer word"
# BM25's term-frequency part, with a fixed length in place of the corpus's average.
_K1, _B, _REFERENCE_CHARS = 1.2, 0.75, 1000.0
# The largest a score can be: each word's part is below K1 + 1 on SQLite; ts_rank_cd is smaller.
_MAX_SCORE = 1e6
_MAX_CURSOR_CHARS = 4096
_MAX_NAME_CHARS = 1024
_MAX_POSITION = 2**31 - 1
# Characters PostgreSQL cannot take in text (NUL) or that cannot be encoded (lone surrogates),
# and other controls: spaces, to the database as to the words.
_NOT_TEXT = re.compile("[\x00-\x1f\x7f\ud800-\udfff]")
# SQLite calls the time budget's check every this many virtual-machine steps.
_PROGRESS_STEPS = 1000


@dataclass(frozen=True)
class SearchHit:
    document_name: str
    position: int
    snippet: str
    score: float
    # Where in the document the chunk came from: [first, last] page (1-based) and the heading path.
    pages: tuple[int, int] | None = None
    section: str | None = None

    def to_json(self) -> dict[str, object]:
        return {
            "documentName": self.document_name,
            "position": self.position,
            "pages": list(self.pages) if self.pages else None,
            "section": self.section,
            "snippet": self.snippet,
            "score": round(self.score, 6),
        }


@dataclass(frozen=True)
class SearchPage:
    hits: list[SearchHit]
    next_cursor: str | None

    def to_json(self) -> dict[str, object]:
        return {"results": [hit.to_json() for hit in self.hits], "nextCursor": self.next_cursor}


@dataclass(frozen=True)
class _After:
    """Where the previous page ended: its last hit's score, document name and position."""

    score: float
    name: str
    position: int


def search_chunks(user_id: int, query: object, *, limit: object = None, cursor: object = None) -> SearchPage:
    """The user's chunks containing every word of `query`, best first; an ApiError (400) saying what is wrong."""
    settings = get_app_settings()
    terms = _terms(query, settings.search_max_words)
    page_size = _page_size(limit)
    after = _decode_cursor(cursor)
    with _one_search_at_a_time(user_id), _time_budget(settings.search_time_budget_ms):
        if db.engine.dialect.name == "postgresql":
            rows = _postgresql(user_id, _NOT_TEXT.sub(" ", str(query)), page_size + 1, after)
        else:
            rows = _sqlite(user_id, terms, page_size + 1, after)
    wanted = set(terms)
    hits = [
        SearchHit(
            row.name,
            row.position,
            snippet(row.text, wanted),
            float(row.score),
            (row.page_first, row.page_last) if row.page_first is not None else None,
            row.section,
        )
        for row in rows[:page_size]
    ]
    more = len(rows) > page_size
    return SearchPage(hits, _encode_cursor(hits[-1]) if more and hits else None)


# Searches running now in this process, per user. One account sending costly searches at once could
# otherwise hold every thread of a worker (make run's have 4), and /healthz and everyone else would wait.
_running: set[int] = set()
_running_lock = threading.Lock()
STILL_RUNNING = "a search of yours is still running; wait for its answer before sending another"


@contextmanager
def _one_search_at_a_time(user_id: int) -> Iterator[None]:
    """Hold the user's one search slot in this process, or refuse with 429 while another holds it."""
    with _running_lock:
        if user_id in _running:
            raise ApiError(429, STILL_RUNNING, headers={"Retry-After": "1"})
        _running.add(user_id)
    try:
        yield
    finally:
        with _running_lock:
            _running.discard(user_id)


def snippet(chunk_text: str, wanted: set[str], size: int = SNIPPET_WORDS) -> str:
    """Up to `size` words of the chunk as HTML, where the most of the wanted words are, those in <mark>.

    Cut by word offsets in the text itself: everything from the text is escaped, so the only
    markup is ours, whatever the document holds.
    """
    found = list(words(chunk_text))
    if not found:
        return str(escape(chunk_text[:200]))
    first = _best_window(found, wanted, size)
    last = min(len(found), first + size) - 1
    start = 0 if first == 0 else found[first].start
    end = len(chunk_text) if last == len(found) - 1 else found[last].end
    html = Markup("…") if first > 0 else Markup()
    at = start
    for word in found[first : last + 1]:
        if word.term in wanted:
            html += (
                chunk_text[at : word.start] + Markup("<mark>") + chunk_text[word.start : word.end] + Markup("</mark>")
            )
            at = word.end
    html += chunk_text[at:end]
    if last < len(found) - 1:
        html += Markup("…")
    return str(html)


def _best_window(found: list[Word], wanted: set[str], size: int) -> int:
    """Index of the first word of the `size` words holding the most different wanted words (the earliest such)."""
    matches = [index for index, word in enumerate(found) if word.term in wanted]
    if not matches:
        return 0
    best, best_count = matches[0], 0
    for index in matches:
        count = len({found[other].term for other in matches if index <= other < index + size})
        if count > best_count:
            best, best_count = index, count
    # A few words before the first match, for context, and more when the chunk ends sooner: as long
    # as the window still reaches all it covered.
    covered = [other for other in matches if best <= other < best + size]
    room = size - (covered[-1] - best + 1)
    return max(0, min(best - min(room, size // 4), len(found) - size))


def _terms(query: object, max_words: int) -> list[str]:
    """The distinct words of the query, normalised as the index holds them, in the order typed."""
    if not isinstance(query, str) or not query.strip():
        raise ApiError(400, "q is missing or empty: say what to search for, as in ?q=quarterly results")
    if len(query) > MAX_QUERY_CHARS:
        raise ApiError(400, f"q is too long: at most {MAX_QUERY_CHARS} characters")
    terms = list(dict.fromkeys(word.term for word in words(query)))
    if not terms:
        raise ApiError(400, "q has no words to search for, only punctuation")
    if len(terms) > max_words:
        raise ApiError(
            400, f"q has {len(terms)} different words; at most {max_words} are searched for: leave out the common ones"
        )
    return terms


def _page_size(limit: object) -> int:
    if limit is None:
        return DEFAULT_LIMIT
    if not isinstance(limit, str) or not limit.isdigit() or not 1 <= int(limit) <= MAX_LIMIT:
        raise ApiError(400, f"limit must be a whole number from 1 to {MAX_LIMIT}")
    return int(limit)


def _encode_cursor(hit: SearchHit) -> str:
    after = json.dumps(
        {"score": hit.score, "document": hit.document_name, "position": hit.position},
        separators=(",", ":"),
        ensure_ascii=False,
    )
    return base64.urlsafe_b64encode(after.encode()).decode().rstrip("=")


def _decode_cursor(cursor: object) -> _After | None:
    """The last hit already shown; pages go on strictly after it. Anything else is a 400 saying what is wrong."""
    if cursor is None:
        return None
    if not isinstance(cursor, str) or len(cursor) > _MAX_CURSOR_CHARS:
        raise _bad_cursor(f"longer than {_MAX_CURSOR_CHARS} characters")
    try:
        decoded = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except RecursionError:
        raise _bad_cursor("nested too deep") from None
    except (ValueError, binascii.Error):  # not base64, not UTF-8, not JSON, or a number of over 4,300 digits
        raise _bad_cursor("not the encoding this API uses") from None
    if not isinstance(decoded, dict) or set(decoded) != {"score", "document", "position"}:
        raise _bad_cursor("not the fields this API puts in one")
    score, name, position = decoded["score"], decoded["document"], decoded["position"]
    if isinstance(score, bool) or not isinstance(score, float | int):
        raise _bad_cursor("its score is not a number")
    if not 0 <= score <= _MAX_SCORE:  # compared as given: a 2,001-digit int is never made a float; NaN fails
        raise _bad_cursor(f"its score is not from 0 to {_MAX_SCORE:g}")
    if not isinstance(name, str) or not 0 < len(name) <= _MAX_NAME_CHARS or _NOT_TEXT.search(name):
        raise _bad_cursor("its document name is not one a document can have")
    if type(position) is not int or not 0 <= position <= _MAX_POSITION:
        raise _bad_cursor(f"its position is not a whole number from 0 to {_MAX_POSITION}")
    return _After(float(score), name, position)


def _bad_cursor(reason: str) -> ApiError:
    return ApiError(400, f"cursor is not one this API gave out ({reason}); start again without it")


@contextmanager
def _time_budget(milliseconds: int) -> Iterator[None]:
    """Stop the search's statement once it has run `milliseconds`, and answer 400 rather than run on."""
    connection = db.session.connection()
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql(f"SET LOCAL statement_timeout = {int(milliseconds)}")
        try:
            yield
        except DBAPIError as error:
            if getattr(error.orig, "sqlstate", None) == "57014":  # query_canceled: the timeout
                db.session.rollback()
                raise ApiError(400, TOO_MUCH) from None
            raise
        connection.exec_driver_sql("SET LOCAL statement_timeout TO DEFAULT")
        return
    raw = connection.connection.dbapi_connection
    assert isinstance(raw, sqlite3.Connection)
    deadline = time.monotonic() + milliseconds / 1000
    # A true answer interrupts the statement (SQLITE_INTERRUPT).
    raw.set_progress_handler(lambda: time.monotonic() > deadline, _PROGRESS_STEPS)
    try:
        yield
    except DBAPIError as error:
        if getattr(error.orig, "sqlite_errorcode", None) == sqlite3.SQLITE_INTERRUPT:
            db.session.rollback()
            raise ApiError(400, TOO_MUCH) from None
        raise
    finally:
        raw.set_progress_handler(None, _PROGRESS_STEPS)


def _sqlite_query(word_count: int) -> str:
    # How often each word is in each chunk that holds them all: one MATCH per word and count, each
    # also asking for the other words, so FTS5 returns only chunks with every word. Only the user's
    # terms are looked up, so only the user's postings are read.
    frequencies = "\n    UNION ALL ".join(
        f"SELECT rowid AS id, {count} AS frequency FROM chunks_search WHERE chunks_search MATCH :match{word}_{count}"  # noqa: S608 (numbers only)
        for word in range(word_count)
        for count in range(1, MAX_COUNTED + 1)
    )
    part = (
        f"frequency * ({_K1} + 1) / (frequency + {_K1} * (1 - {_B} + {_B} * length(chunks.text) / {_REFERENCE_CHARS}))"
    )
    # One word: a row per chunk already, nothing to add up.
    score, grouped = (
        (part, "") if word_count == 1 else (f"sum({part})", f"GROUP BY chunks.id HAVING count(*) = {word_count}")
    )
    # Numbers and the constants above only: what the user typed is in the bound :match parameters.
    return f"""
WITH frequencies AS (
    {frequencies}
), scored AS (
    SELECT chunks.id AS id, documents.name AS name, chunks.position AS position, {score} AS score
    FROM frequencies
    JOIN chunks ON chunks.id = frequencies.id
    JOIN documents ON documents.id = chunks.document_id
    WHERE documents.user_id = :user_id AND documents.trashed_at IS NULL
    {grouped}
), page AS (
    SELECT * FROM scored
    WHERE :after_score IS NULL OR (-score, name, position) > (-:after_score, :after_name, :after_position)
    ORDER BY score DESC, name, position
    LIMIT :limit
)
SELECT page.name, page.position, page.score, chunks.text, chunks.page_first, chunks.page_last, chunks.section
FROM page JOIN chunks ON chunks.id = page.id
ORDER BY page.score DESC, page.name, page.position
"""  # noqa: S608


def _fts5_string(term: str) -> str:
    # A string literal ("" escapes a quote): never FTS5 syntax. Terms hold only letters, digits,
    # marks and "_" anyway.
    return '"' + term.replace('"', '""') + '"'


_POSTGRESQL = """
WITH query AS (
    SELECT chunk_search_query(:user_id, :words) AS query
), matched AS (
    SELECT chunks.id AS id, documents.name AS name, chunks.position AS position,
           ts_rank_cd(chunks.search_vector, query.query)::float8 AS score
    FROM query, chunks JOIN documents ON documents.id = chunks.document_id
    WHERE chunks.search_vector @@ query.query AND documents.user_id = :user_id AND documents.trashed_at IS NULL
), page AS (
    SELECT * FROM matched
    WHERE CAST(:after_score AS float8) IS NULL
       OR (-score, name, position)
          > (-CAST(:after_score AS float8), CAST(:after_name AS varchar), CAST(:after_position AS integer))
    ORDER BY score DESC, name, position
    LIMIT :limit
)
SELECT page.name, page.position, page.score, chunks.text, chunks.page_first, chunks.page_last, chunks.section
FROM page JOIN chunks ON chunks.id = page.id
ORDER BY page.score DESC, page.name, page.position
"""


def _parameters(user_id: int, limit: int, after: _After | None) -> dict[str, Any]:
    return {
        "user_id": user_id,
        "limit": limit,
        "after_score": after.score if after else None,
        "after_name": after.name if after else None,
        "after_position": after.position if after else None,
    }


def _sqlite(user_id: int, terms: list[str], limit: int, after: _After | None) -> list[Any]:
    holding = query_terms(user_id, terms)
    matches = {}
    for number, word in enumerate(terms):
        others = " ".join(_fts5_string(term) for index, term in enumerate(holding) if index != number)
        for count, counted in enumerate(count_terms(user_id, word), start=1):
            matches[f"match{number}_{count}"] = f"{_fts5_string(counted)} {others}".strip()
    query = text(_sqlite_query(len(terms)))
    return list(db.session.execute(query, {**_parameters(user_id, limit, after), **matches}))


def _postgresql(user_id: int, query: str, limit: int, after: _After | None) -> list[Any]:
    return list(db.session.execute(text(_POSTGRESQL), {**_parameters(user_id, limit, after), "words": query}))
