"""Many POSTs at once against the app under gunicorn: no `database is locked`, no duplicates, nothing lost."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from documents.models import Document
from extensions import db
from outbox import OutboxEvent
from tests.conftest import PASSWORD, create_user
from tests.support.app_server import app_server
from tests.support.postgres import on_both_databases


def post_all(server, names):
    with server.signed_in_client("alice@example.com", PASSWORD) as client, ThreadPoolExecutor(max_workers=16) as pool:
        return list(pool.map(lambda name: client.post("/api/route", json={"documentName": name}), names))


def counts(app):
    with app.app_context():
        documents = db.session.scalar(db.select(db.func.count(Document.id)))
        delivered = db.session.scalar(db.select(db.func.count(OutboxEvent.id)).where(OutboxEvent.status == "delivered"))
        return documents, delivered


@on_both_databases
def test_fifty_concurrent_posts_for_one_document(app_with, settings_overrides, event_api):
    app = app_with()
    create_user(app, "alice@example.com")
    with app_server(settings_overrides) as server:
        responses = post_all(server, ["same.pdf"] * 50)
    assert sorted({response.status_code for response in responses}) == [200]
    assert counts(app) == (1, 50)
    assert len({event["id"] for event in event_api.received}) == 50


@on_both_databases
def test_fifty_concurrent_posts_for_fifty_documents(app_with, settings_overrides, event_api):
    app = app_with()
    create_user(app, "alice@example.com")
    names = [f"document-{number}.pdf" for number in range(50)]
    with app_server(settings_overrides) as server:
        responses = post_all(server, names)
    assert sorted({response.status_code for response in responses}) == [200]
    assert counts(app) == (50, 50)
    assert sorted(event["data"]["documentName"] for event in event_api.received) == sorted(names)
