"""A document handed in for real (signed in, uploaded, POSTed); a run gets the event the Event API received."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from documents.models import Chunk, Document
from extensions import db
from tests.conftest import AuthActions


@dataclass
class Submission:
    name: str
    key: str
    event: dict[str, Any]


@pytest.fixture
def submit(app, client, s3, bucket, event_api):
    """submit(name, content) -> Submission: the object is in S3 (unless content is None) and the event was sent."""
    auth = AuthActions(app, client)
    auth.login()

    def submit_document(name: str, content: bytes | None) -> Submission:
        key = f"users/{auth.user_id}/{name}"
        if content is not None:
            s3.put_object(Bucket=bucket, Key=key, Body=content)
        response = client.post("/api/route", json={"documentName": name})
        assert response.status_code == 200, response.get_json()
        return Submission(name=name, key=key, event=event_api.received[-1])

    return submit_document


@pytest.fixture
def stored(app):
    """stored(name) -> (Document as JSON, [chunk texts]) straight from the database."""

    def read(name: str) -> tuple[dict[str, Any], list[str]]:
        with app.app_context():
            document = db.session.scalar(db.select(Document).where(Document.name == name))
            chunks = db.session.scalars(
                db.select(Chunk.text).where(Chunk.document_id == document.id).order_by(Chunk.position)
            ).all()
            return document.to_json(), list(chunks)

    return read
