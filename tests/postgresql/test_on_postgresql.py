"""What must hold on PostgreSQL as on SQLite: the migrations, the accept path, the outbox claims, idempotency."""

from __future__ import annotations

import threading

import inngest

from documents.models import Document
from extensions import db
from outbox import OutboxEvent, enqueue, flush
from outbox.relay import claim_due
from tests.conftest import PASSWORD


def test_migrations_build_the_schema(app):
    with app.app_context():
        tables = set(db.inspect(db.engine).get_table_names())
    assert {"users", "documents", "chunks", "outbox_events", "idempotency_keys", "alembic_version"} <= tables


def test_a_document_is_accepted_and_its_event_sent(auth, client, event_api):
    auth.login()
    response = client.post("/api/route", json={"documentName": "report.pdf"})
    assert response.status_code == 200
    assert response.get_json()["document"]["delivery"]["status"] == "delivered"
    assert len(event_api.received) == 1


def test_an_idempotent_post_is_replayed(auth, client, event_api):
    auth.login()
    headers = {"Idempotency-Key": "pg-key"}
    first = client.post("/api/route", json={"documentName": "a.pdf"}, headers=headers)
    second = client.post("/api/route", json={"documentName": "a.pdf"}, headers=headers)
    assert second.get_json() == first.get_json()
    assert len(event_api.received) == 1


def add_events(app, count):
    with app.app_context():
        for number in range(count):
            enqueue(inngest.Event(name="test/event", data={"n": number}), document_id=None, claimed_by=None)
        db.session.commit()


def test_two_claimers_never_get_the_same_event(app):
    add_events(app, 10)
    with app.app_context():
        first = {row.id for row in claim_due("first", limit=6)}
        second = {row.id for row in claim_due("second", limit=10)}
    assert (len(first), len(second)) == (6, 4)
    assert not first & second


def test_concurrent_flushes_deliver_every_event_exactly_once(app, event_api):
    add_events(app, 40)

    def relay_pass():
        with app.app_context():
            flush(app.extensions["inngest"], limit=40)

    threads = [threading.Thread(target=relay_pass) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert len(event_api.received) == len({event["id"] for event in event_api.received}) == 40
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).where(OutboxEvent.status == "pending")) == 0


def test_concurrent_posts_for_one_document_share_one_row(app, auth, event_api):
    auth.login()  # creates the user
    clients = [app.test_client() for _ in range(8)]
    for client in clients:
        client.post("/auth/login", json={"email": "alice@example.com", "password": PASSWORD})
    results = []

    def post(client):
        results.append(client.post("/api/route", json={"documentName": "same.pdf"}).status_code)

    threads = [threading.Thread(target=post, args=(client,)) for client in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert results == [200] * 8
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(Document.id))) == 1
