"""What the search index holds: each word of a chunk, normalised and marked with its owner's id.

One index serves every user, but no user's query ever reads another's part of it: every term
is `<owner id>_<word>` ("42_zebra"), in the index and in the query alike, so a lookup walks the
postings of that user's word and of nobody else's. Ranking, counts and timing are therefore
functions of the user's own chunks (documents/search.py).

On SQLite the words are found here, in Python: the FTS5 table is fed by triggers (migration
0006) that call `chunk_search_terms(owner, text)`, a function `register_sqlite_functions`
adds to every connection. Highlighting (documents/search.py) reads words with the same
`words()`, so a highlighted word is exactly a word that was matched. On PostgreSQL the
database's own parser finds the words ('simple' configuration) and SQL functions defined by
migration 0006 add the same `<owner>_` mark to each lexeme.
"""

from __future__ import annotations

import functools
import re
import sqlite3
import unicodedata
from collections import Counter
from collections.abc import Iterator
from typing import NamedTuple

# The SQL function the SQLite triggers call; a connection without it cannot write chunks.
SQLITE_TERMS_FUNCTION = "chunk_search_terms"
# How often a word is in a chunk, as SQLite's index records it: 1 to 8, 8 meaning 8 or more.
MAX_COUNTED = 8

# Accents as NFKD splits them off ("café" is "cafe" and U+0301): removed, so "cafe" finds "café"
# as it did with FTS5's remove_diacritics 2. Other marks (Indic vowel signs, say) are part of the word.
_DIACRITICS = re.compile("[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")


class Word(NamedTuple):
    start: int
    end: int
    term: str  # normalised: what the index holds, less the owner's mark


@functools.cache
def _word_pattern() -> re.Pattern[str]:
    """A word: letters and digits, with the combining marks written on them; anything else separates.

    Built on first use (about a tenth of a second), not at import.
    """
    ranges: list[str] = []
    start = None
    for code in range(0x300, 0x20001):
        is_mark = code < 0x20000 and unicodedata.category(chr(code)).startswith("M")
        if is_mark and start is None:
            start = code
        elif not is_mark and start is not None:
            ranges.append(f"\\U{start:08x}-\\U{code - 1:08x}")
            start = None
    return re.compile(f"(?:[^\\W_]|[{''.join(ranges)}])+")


@functools.lru_cache(maxsize=65536)
def normalised(word: str) -> str:
    """The word as the index holds it: compatibility forms unfolded, accents removed, case folded.

    What is left is letters, digits and marks only, so a term never holds a separator: "42_" + term
    is always one token to FTS5, and the owner's mark cannot be split off.
    """
    folded = unicodedata.normalize("NFC", _DIACRITICS.sub("", unicodedata.normalize("NFKD", word)).casefold())
    return "".join(_word_pattern().findall(folded))


def words(text: str) -> Iterator[Word]:
    """The words of `text`, in order, with where each is in it."""
    for found in _word_pattern().finditer(text):
        term = normalised(found.group())
        if term:
            yield Word(found.start(), found.end(), term)


def owner_mark(owner: int) -> str:
    # Digits, then "_": no id's mark begins another's, and a normalised word holds no "_"
    # (so "42_zebra_3", the count, is never the term of a word either).
    return f"{int(owner)}_"


def chunk_search_terms(owner: int | None, text: str | None) -> str:
    """What SQLite's index stores for a chunk: two terms for each word it holds, both marked with the owner's id.

    `42_zebra` says the chunk holds "zebra" (what queries match); `42_zebra_3` says how often, 1 to
    MAX_COUNTED ("8" is 8 or more), which the rank reads by matching each count (documents/search.py).
    The index stores no positions: a query only asks which chunks hold every word, and how often.
    """
    if owner is None or text is None:
        # Indexing a chunk under no owner would put words in the index no query could find or delete.
        raise ValueError("a chunk is indexed under its document's owner, and this one has none")
    mark = owner_mark(owner)
    counts = Counter(word.term for word in words(text))
    return " ".join(f"{mark}{term} {mark}{term}_{min(count, MAX_COUNTED)}" for term, count in counts.items())


def query_terms(owner: int, query_words: list[str]) -> list[str]:
    """The terms that find chunks holding each word."""
    mark = owner_mark(owner)
    return [mark + word for word in query_words]


def count_terms(owner: int, word: str) -> list[str]:
    """The terms that find chunks holding `word` once, twice, ... MAX_COUNTED or more times, in that order."""
    return [f"{owner_mark(owner)}{word}_{count}" for count in range(1, MAX_COUNTED + 1)]


def register_sqlite_functions(connection: sqlite3.Connection) -> None:
    """Give a SQLite connection the function the index's triggers call (extensions.py does, on connect)."""
    connection.create_function(SQLITE_TERMS_FUNCTION, 2, chunk_search_terms, deterministic=True)
