"""Confirming deliveries: an event the server accepted but started no run for is sent again, under a new id."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import inngest

from extensions import db
from outbox import OutboxEvent, enqueue, flush
from outbox.confirmation import confirm_deliveries
from tests.support.postgres import on_both_databases
from timestamps import utcnow

LATER = timedelta(minutes=2)


def delivered_event(app) -> OutboxEvent:
    with app.app_context():
        enqueue(inngest.Event(name="test/event", data={"n": 1}, id="event-1"), document_id=None, claimed_by=None)
        db.session.commit()
        assert flush(app.extensions["inngest"]) == (1, 0)
        row: OutboxEvent = db.session.scalars(db.select(OutboxEvent)).one()
        db.session.expunge(row)
        return row


@on_both_databases
def test_a_delivery_with_a_run_is_confirmed_and_not_asked_about_again(app, event_api):
    row = delivered_event(app)
    event_api.runs[row.inngest_ids[0]] = [{"run_id": "run-1", "status": "Running"}]
    with app.app_context():
        client = app.extensions["inngest"]
        assert confirm_deliveries(client, older_than=60, now=utcnow() + LATER) == (1, 0)
        assert confirm_deliveries(client, older_than=60, now=utcnow() + LATER) == (0, 0)
        confirmed = db.session.scalar(db.select(OutboxEvent))
        assert confirmed.confirmed_at is not None
        assert confirmed.event_id == "event-1"
    assert [internal_id for internal_id, _ in event_api.run_queries] == row.inngest_ids


@on_both_databases
def test_a_delivery_that_started_no_run_is_sent_again_under_a_new_id(app, event_api):
    row = delivered_event(app)
    with app.app_context():
        client = app.extensions["inngest"]
        assert confirm_deliveries(client, older_than=60, now=utcnow() + LATER) == (0, 1)
        again = db.session.scalar(db.select(OutboxEvent))
        assert again.status == "pending"
        assert again.event_id != "event-1"
        assert "started no run" in again.last_error
        new_id = again.event_id
        assert flush(client, now=utcnow() + LATER) == (1, 0)
    assert [event["id"] for event in event_api.received] == ["event-1", new_id]
    assert event_api.received[1]["data"] == event_api.received[0]["data"]
    assert row.inngest_ids  # the first delivery's id was the one asked about


def test_a_recent_delivery_is_left_alone(app, event_api):
    delivered_event(app)
    with app.app_context():
        assert confirm_deliveries(app.extensions["inngest"], older_than=60) == (0, 0)
    assert event_api.run_queries == []


def test_a_server_that_cannot_say_leaves_the_delivery_for_the_next_pass(app, event_api):
    delivered_event(app)
    event_api.runs_status = 500
    with app.app_context():
        assert confirm_deliveries(app.extensions["inngest"], older_than=60, now=utcnow() + LATER) == (0, 0)
        assert db.session.scalar(db.select(OutboxEvent.status)) == "delivered"


def test_in_production_the_runs_are_asked_for_with_the_signing_key(app_with, event_api):
    app = app_with(INNGEST_DEV=False, INNGEST_SIGNING_KEY="signkey-prod-" + "ab" * 32, INNGEST_EVENT_KEY="key")
    delivered_event(app)
    with app.app_context():
        confirm_deliveries(app.extensions["inngest"], older_than=60, now=utcnow() + LATER)
    [(_, authorization)] = event_api.run_queries
    # The key's hash, as the SDK sends it to Inngest's API, never the key itself.
    assert authorization == "Bearer " + hashlib.sha256(bytes.fromhex("ab" * 32)).hexdigest()


def test_an_event_that_starts_no_run_is_never_asked_about_or_sent_again(app, event_api):
    with app.app_context():
        enqueue(
            inngest.Event(name="test/cancels", data={"n": 1}, id="event-2"),
            document_id=None,
            claimed_by=None,
            starts_run=False,
        )
        db.session.commit()
        client = app.extensions["inngest"]
        assert flush(client) == (1, 0)
        assert confirm_deliveries(client, older_than=60, now=utcnow() + LATER) == (0, 0)
        assert db.session.scalar(db.select(OutboxEvent.event_id)) == "event-2"
    assert event_api.run_queries == []
