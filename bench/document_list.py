"""The document list at scale: GET /api/documents's pages against the whole list it used to answer, at 10,000
documents for one user (and as many for others), on SQLite and on PostgreSQL (a throwaway server).

.venv/bin/python -m bench.document_list            # 10,000 documents on both databases (a few minutes)
.venv/bin/python -m bench.document_list --quick    # a tiny run that proves it works

Each figure is the service call and its JSON, as the route answers it: the first page (the API's default
50), a page from the middle by cursor, a status filter, a poll with ?updatedSince= when nothing changed,
and the baseline, the unpaged list of every document (what `flask documents list` prints).
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

from flask_migrate import upgrade

from app import create_app
from documents.listing import ListQuery, list_page
from documents.models import Document
from documents.service import list_documents
from extensions import db
from outbox import OutboxEvent
from tests.conftest import create_user
from tests.support.postgres import create_database, running_postgres
from timestamps import utcnow

RESULTS = Path(__file__).resolve().parent / "results"
STATUSES = ["processed"] * 16 + ["unchanged", "failed", "queued", "processing"]
OTHER_USERS = 4


def build(database_url: str) -> Any:
    app = create_app({"DATABASE_URL": database_url, "INNGEST_DEV": True, "OUTBOX_RELAY_ENABLED": False}, env_file=None)
    with app.app_context():
        upgrade()
    return app


def fill(app: Any, documents: int, generator: random.Random) -> int:
    """`documents` documents, each with its delivered event, for the measured user and as many spread over
    OTHER_USERS others; returns the measured user's id."""
    with app.app_context():
        measured = create_user(app, "measured@example.com", "x" * 12)
        others = [create_user(app, f"other{number}@example.com", "x" * 12) for number in range(OTHER_USERS)]
        start = utcnow() - timedelta(days=30)
        for owner_number, owner in enumerate([measured, *others]):
            count = documents if owner == measured else documents // OTHER_USERS
            for first in range(0, count, 1000):
                rows = []
                for number in range(first, min(count, first + 1000)):
                    moment = start + timedelta(seconds=number * 60 + owner_number)
                    name = f"folder{number % 20}/document-{number:05}.pdf"
                    rows.append({
                        "user_id": owner, "name": name, "s3_bucket": "bench", "s3_key": f"users/{owner}/{name}",
                        "status": generator.choice(STATUSES), "size_bytes": generator.randrange(10_000, 5_000_000),
                        "chunk_count": generator.randrange(0, 400), "created_at": moment, "updated_at": moment,
                    })  # fmt: skip
                db.session.execute(db.insert(Document), rows)
                db.session.flush()
            ids = db.session.scalars(db.select(Document.id).where(Document.user_id == owner)).all()
            db.session.execute(
                db.insert(OutboxEvent),
                [{"event_id": str(uuid.uuid4()), "name": "documents/document.uploaded", "data": {"documentId": i},
                  "document_id": i, "status": "delivered", "attempts": 1, "inngest_ids": [f"01J{i:020}"]}
                 for i in ids],
            )  # fmt: skip
            db.session.commit()
        return measured


def timed(app: Any, calls: dict[str, tuple[Callable[[], object], int]]) -> dict[str, dict[str, float]]:
    """p50/p99 in ms of each call with its JSON encoded, and its body's size. The calls take turns, round after
    round (one asked for fewer repeats sits out the later rounds), so the machine's other load falls on all alike."""
    timings: dict[str, list[float]] = {label: [] for label in calls}
    bodies: dict[str, int] = {}
    rounds = max(repeats for _, repeats in calls.values())
    with app.app_context():
        for round_number in range(rounds):
            for label, (call, repeats) in calls.items():
                if (round_number + 1) * repeats // rounds == round_number * repeats // rounds:
                    continue  # spread evenly over the rounds
                started = time.perf_counter()
                bodies[label] = len(json.dumps(call()).encode())
                timings[label].append((time.perf_counter() - started) * 1000)
                db.session.rollback()
    figures = {}
    for label, measured in timings.items():
        measured.sort()
        figures[label] = {
            "p50_ms": statistics.median(measured),
            "p99_ms": measured[max(0, int(len(measured) * 0.99) - 1)],
            "body_kb": bodies[label] / 1000,
            "samples": len(measured),
        }
    return figures


def measure(database: str, url: str, documents: int, repeats: int, baseline_repeats: int) -> dict[str, Any]:
    app = build(url)
    user_id = fill(app, documents, random.Random(documents))  # noqa: S311 - a reproducible list, not a secret
    with app.app_context():
        first = list_page(user_id, ListQuery())
        for _ in range(documents // 2 // 200):  # walk to the middle of the list
            middle = ListQuery.parse({"limit": "200", "cursor": first.next_cursor or ""})
            first = list_page(user_id, middle)
        middle_cursor = first.next_cursor or ""
        since = (utcnow() - timedelta(seconds=10)).isoformat()
        db.session.rollback()

    def page(**arguments: str) -> Callable[[], object]:
        return lambda: list_page(user_id, ListQuery.parse(arguments)).to_json()

    row: dict[str, Any] = {"database": database, "documents": documents}
    row.update(timed(app, {
        "first_page": (page(), repeats),
        "middle_page": (page(cursor=middle_cursor), repeats),
        "failed_filter": (page(status="failed"), repeats),
        "folder": (page(prefix="folder7/"), repeats),
        "poll_no_change": (page(updatedSince=since, limit="200"), repeats),
        "whole_list": (lambda: {"documents": list_documents(user_id)}, baseline_repeats),
    }))  # fmt: skip
    row["whole_list_over_first_page_p50"] = row["whole_list"]["p50_ms"] / row["first_page"]["p50_ms"]
    with app.app_context():
        db.engine.dispose()
    print(json.dumps(row), flush=True)
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--results", type=Path, default=RESULTS)
    arguments = parser.parse_args()
    documents, repeats, baseline_repeats = (500, 20, 5) if arguments.quick else (10_000, 300, 30)
    rows = []
    with running_postgres() as template:
        with tempfile.TemporaryDirectory() as directory:
            rows.append(measure("sqlite", f"sqlite:///{Path(directory) / 'list.db'}", documents, repeats,
                                baseline_repeats))  # fmt: skip
        rows.append(measure("postgresql", create_database(template), documents, repeats, baseline_repeats))
    arguments.results.mkdir(parents=True, exist_ok=True)
    name = "document-list-quick.json" if arguments.quick else "document-list.json"
    (arguments.results / name).write_text(json.dumps(rows, indent=2) + "\n")
    labels = ["first_page", "middle_page", "failed_filter", "folder", "poll_no_change", "whole_list"]
    print(f"{'database':<11}{'what':<16}{'p50 ms':>9}{'p99 ms':>9}{'body kB':>10}")
    for row in rows:
        for label in labels:
            figures = row[label]
            print(f"{row['database']:<11}{label:<16}{figures['p50_ms']:>9.2f}{figures['p99_ms']:>9.2f}"
                  f"{figures['body_kb']:>10.1f}")  # fmt: skip


if __name__ == "__main__":
    main()
