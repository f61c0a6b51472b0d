"""Documents written straight into the database: a list of thousands in a fraction of a second."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from flask import Flask

from documents.models import Document
from extensions import db
from timestamps import utcnow


def add_documents(
    app: Flask,
    user_id: int,
    names: Sequence[str],
    *,
    statuses: Sequence[str] = ("processed",),
    newest: datetime | None = None,
) -> None:
    """One row per name, the first the oldest, a second apart and an hour before `newest` (now by default),
    so a change made now is the only one after them; statuses taken in turn from `statuses`."""
    last = (newest or utcnow()) - timedelta(hours=1)
    rows = []
    for number, name in enumerate(names):
        moment = last - timedelta(seconds=len(names) - 1 - number)
        rows.append({
            "user_id": user_id, "name": name, "s3_bucket": "bucket", "s3_key": f"users/{user_id}/{name}",
            "status": statuses[number % len(statuses)], "chunk_count": 0,
            "created_at": moment, "updated_at": moment,
        })  # fmt: skip
    with app.app_context():
        db.session.execute(db.insert(Document), rows)
        db.session.commit()


def touch(app: Flask, user_id: int, names: Sequence[str], status: str) -> None:
    """Give the named documents a new status, as a run does: their updatedAt becomes now."""
    with app.app_context():
        for document in db.session.scalars(
            db.select(Document).where(Document.user_id == user_id, Document.name.in_(names))
        ):
            document.status = status
        db.session.commit()
