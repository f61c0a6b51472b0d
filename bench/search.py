"""Search at scale: query latency over 10 k and 100 k chunks, the cost the index adds to storing chunks,
and the index's size, on SQLite and on PostgreSQL (a throwaway server from Debian's binaries).

.venv/bin/python -m bench.search            # 10 k and 100 k chunks on both databases (a few minutes)
.venv/bin/python -m bench.search --quick    # a tiny run that proves it works
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from flask_migrate import upgrade
from sqlalchemy import column, table, text

from app import create_app
from auth.models import User
from documents.models import Chunk
from documents.search import search_chunks
from extensions import db
from processing.chunking import chunk_blocks
from processing.readers import read_blocks
from tests.conftest import create_user
from tests.support.postgres import create_database, running_postgres

RESULTS = Path(__file__).resolve().parent / "results"
WORDS = [f"w{number}" for number in range(5000)]  # a Zipf-ish vocabulary: w0 common, w4999 rare
CHUNK_WORDS = 120  # about 1000 characters, the default CHUNK_SIZE
STOP_WORDS = 20
USERS = 4  # the chunks are spread over several users, as the index is; queries are one user's


def chunk_text(generator: random.Random) -> str:
    return " ".join(corpus_word(generator) for _ in range(CHUNK_WORDS))


# The columns every revision measured has: the models have later ones, which an older schema lacks.
BASE_DOCUMENTS = table(
    "documents",
    *(column(name) for name in ("id", "user_id", "name", "s3_bucket", "s3_key", "status", "chunk_count")),
    *(column(name) for name in ("created_at", "updated_at")),
)
BASE_CHUNKS = table("chunks", column("document_id"), column("position"), column("text"))


def add_document(user_id: int, name: str, key: str, status: str, chunk_count: int) -> int:
    """A document row of BASE_DOCUMENTS' columns; its id."""
    now = datetime.now(UTC)
    row = {"user_id": user_id, "name": name, "s3_bucket": "b", "s3_key": key, "status": status}
    row |= {"chunk_count": chunk_count, "created_at": now, "updated_at": now}
    return int(db.session.execute(db.insert(BASE_DOCUMENTS).values(row).returning(BASE_DOCUMENTS.c.id)).scalar_one())


def fill(app: Any, chunks: int, generator: random.Random) -> int:
    """`chunks` chunks in documents of 100, spread over USERS users; returns the first user's id."""
    with app.app_context():
        users = [create_user(app, f"user{number}@example.com", "x" * 12) for number in range(USERS)]
        for start in range(0, chunks, 100):
            document_id = add_document(users[(start // 100) % USERS], f"doc{start}.txt", f"k/{start}", "processed", 100)
            db.session.execute(
                db.insert(BASE_CHUNKS),
                [{"document_id": document_id, "position": i, "text": chunk_text(generator)} for i in range(100)],
            )
            db.session.commit()
        return users[0]


def fill_user(app: Any, email: str, chunks: int, generator: random.Random, *, extra_word: str | None = None) -> None:
    """`chunks` chunks of the corpus in documents of 100 for the user `email`; `extra_word` ends each one."""
    with app.app_context():
        user_id = db.session.scalar(db.select(User.id).where(User.email == email))
        for start in range(0, chunks, 100):
            document_id = add_document(user_id, f"doc{start}.txt", f"k/{user_id}/{start}", "processed", 100)
            texts = [chunk_text(generator) + (f" {extra_word}" if extra_word else "") for _ in range(100)]
            db.session.execute(
                db.insert(BASE_CHUNKS),
                [{"document_id": document_id, "position": i, "text": t} for i, t in enumerate(texts)],
            )
            db.session.commit()


def corpus_word(generator: random.Random) -> str:
    """A word drawn as the corpus draws them: common words often, rare ones seldom."""
    return WORDS[min(int(generator.paretovariate(1.1)) - 1, len(WORDS) - 1)]


def query_words(generator: random.Random) -> str:
    """One or two words a person might look for: drawn from the text itself, but not its 20 most common
    (the "the, of, and" of this corpus, which a search box is not used for)."""
    words: list[str] = []
    while len(words) < generator.choice((1, 2)):
        word = corpus_word(generator)
        if WORDS.index(word) >= STOP_WORDS:
            words.append(word)
    return " ".join(words)


def query_latency(app: Any, user_id: int, queries: int, generator: random.Random) -> dict[str, float]:
    """p50/p99 in ms of `queries` searches for a page of results (the API's default limit)."""
    timings = []
    with app.app_context():
        for _ in range(queries):
            words = query_words(generator)
            started = time.perf_counter()
            search_chunks(user_id, words)
            timings.append((time.perf_counter() - started) * 1000)
            db.session.rollback()
    timings.sort()
    return {"p50_ms": statistics.median(timings), "p99_ms": timings[int(len(timings) * 0.99) - 1]}


def store_time(app: Any, generator: random.Random, chunks: int = 2000) -> float:
    """Seconds to replace one document's chunks the way extract-and-store does (one transaction)."""
    with app.app_context():
        user_id = create_user(app, f"store{generator.random()}@example.com", "x" * 12)
        document_id = add_document(user_id, "stored.txt", "k/stored", "processing", 0)
        db.session.commit()
        texts = [chunk_text(generator) for _ in range(chunks)]
        started = time.perf_counter()
        db.session.execute(db.delete(Chunk).where(Chunk.document_id == document_id))
        # Core executemany as processing/storing.py does, with only the columns every revision measured has.
        rows = [{"document_id": document_id, "position": i, "text": body} for i, body in enumerate(texts)]
        db.session.execute(db.insert(BASE_CHUNKS), rows)
        db.session.commit()
        return time.perf_counter() - started


def extract_and_chunk_time(generator: random.Random, chunks: int = 2000) -> float:
    """Seconds to extract and chunk a text document that makes about `chunks` chunks: the rest of the step."""
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "document.txt"
        path.write_text("\n\n".join(chunk_text(generator) for _ in range(chunks)))
        started = time.perf_counter()
        list(chunk_blocks(read_blocks(path, ".txt"), chunk_size=1000, chunk_overlap=100))
        return time.perf_counter() - started


def index_bytes(app: Any) -> int:
    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            # The FTS5 shadow tables hold the index; page_count of the file before and after is simpler
            # than dbstat (not in every build): measured by the caller as a difference.
            return 0
        return int(db.session.scalar(text(
            "SELECT pg_relation_size('ix_chunks_search_vector')"
            " + (SELECT coalesce(sum(pg_column_size(search_vector)), 0) FROM chunks)"
        )))  # fmt: skip


def build(database_url: str, revision: str = "head") -> Any:
    app = create_app({"DATABASE_URL": database_url, "INNGEST_DEV": True, "OUTBOX_RELAY_ENABLED": False}, env_file=None)
    with app.app_context():
        upgrade(revision=revision)
    return app


def measure(database: str, url_for: Any, sizes: list[int], queries: int) -> list[dict[str, Any]]:
    rows = []
    for size in sizes:
        generator = random.Random(size)  # noqa: S311 - a reproducible corpus, not a secret
        with_index = build(url_for(f"with-{size}"))
        without_index = build(url_for(f"without-{size}"), "0003_outbox")
        user_id = fill(with_index, size, generator)
        fill(without_index, size, random.Random(size))  # noqa: S311 - the same corpus again
        latency = query_latency(with_index, user_id, queries, generator)
        stored_with = statistics.median(store_time(with_index, generator) for _ in range(3))
        stored_without = statistics.median(store_time(without_index, generator) for _ in range(3))
        extracting = extract_and_chunk_time(generator)
        size_bytes = index_bytes(with_index)
        if database == "sqlite":
            for app in (with_index, without_index):  # what is still in the write-ahead log, into the files
                with app.app_context():
                    db.session.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))
                    db.session.commit()
            size_bytes = (
                Path(url_for(f"with-{size}", True)).stat().st_size
                - Path(url_for(f"without-{size}", True)).stat().st_size
            )
        rows.append({
            "database": database, "chunks": size, **latency,
            "store_2000_chunks_s": stored_with, "store_without_index_s": stored_without,
            "store_slowdown": stored_with / stored_without - 1, "extract_and_chunk_s": extracting,
            # What the index adds to the whole extract-and-store step for that document.
            "step_slowdown": (stored_with - stored_without) / (extracting + stored_without),
            "index_mb": size_bytes / 2**20,
        })  # fmt: skip
        print(json.dumps(rows[-1]), flush=True)
        for app in (with_index, without_index):
            with app.app_context():
                db.engine.dispose()
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--results", type=Path, default=RESULTS)
    arguments = parser.parse_args()
    sizes, queries = ([500], 20) if arguments.quick else ([10_000, 100_000], 300)
    rows: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory() as directory:

        def sqlite_url(kind: str, path: bool = False) -> str:
            file = Path(directory) / f"{kind}.db"
            return str(file) if path else f"sqlite:///{file}"

        rows += measure("sqlite", sqlite_url, sizes, queries)
        with running_postgres() as template:
            urls: dict[str, str] = {}

            def postgres_url(kind: str, path: bool = False) -> str:
                if kind not in urls:
                    urls[kind] = create_database(template)
                return urls[kind]

            rows += measure("postgresql", postgres_url, sizes, queries)
    arguments.results.mkdir(parents=True, exist_ok=True)
    (arguments.results / ("search-quick.json" if arguments.quick else "search.json")).write_text(
        json.dumps(rows, indent=2)
    )
    print(f"{'database':<11}{'chunks':>8}{'p50 ms':>9}{'p99 ms':>9}{'store +%':>10}{'step +%':>9}{'index MB':>10}")
    for row in rows:
        print(f"{row['database']:<11}{row['chunks']:>8}{row['p50_ms']:>9.2f}{row['p99_ms']:>9.2f}"
              f"{row['store_slowdown'] * 100:>10.1f}{row['step_slowdown'] * 100:>9.1f}"
              f"{row['index_mb']:>10.1f}")  # fmt: skip


if __name__ == "__main__":
    main()
