"""The outbox relay: claims that exclude each other, leases that expire, backoff, the thread and the CLI."""

from __future__ import annotations

import threading
from datetime import timedelta

import inngest
import pytest

from extensions import db
from outbox import OutboxEvent, Relay, enqueue, flush
from outbox.delivery import MAX_RETRY_SECONDS, retry_delay
from outbox.relay import claim_due
from tests.support.polling import wait_until
from tests.support.postgres import on_both_databases
from timestamps import utcnow


def add_events(app, count, *, claimed_by=None, claim_seconds=120.0):
    with app.app_context():
        rows = [
            enqueue(
                inngest.Event(name="test/event", data={"number": number}, id=f"event-{number}"),
                document_id=None,
                claimed_by=claimed_by,
                claim_seconds=claim_seconds,
            )
            for number in range(count)
        ]
        db.session.commit()
        return [row.event_id for row in rows]


def statuses(app):
    with app.app_context():
        return dict(db.session.execute(db.select(OutboxEvent.event_id, OutboxEvent.status)).tuples().all())


@on_both_databases
def test_flush_delivers_pending_events_with_their_own_ids(app, event_api):
    ids = add_events(app, 3)
    with app.app_context():
        assert flush(app.extensions["inngest"]) == (3, 0)
    assert [event["id"] for event in event_api.received] == ids
    assert set(statuses(app).values()) == {"delivered"}


@on_both_databases
def test_a_failed_attempt_is_retried_later_not_now(app, event_api):
    event_api.answer(status=400, body=b'{"error": "nope", "status": 400}')
    add_events(app, 1)
    with app.app_context():
        assert flush(app.extensions["inngest"]) == (0, 1)
        assert flush(app.extensions["inngest"]) == (0, 0)  # not due yet
        row = db.session.scalar(db.select(OutboxEvent))
        assert row.attempts == 1
        assert "nope" in row.last_error
        event_api.answer()
        assert flush(app.extensions["inngest"], now=utcnow() + timedelta(minutes=10)) == (1, 0)


@on_both_databases
def test_an_event_claimed_by_a_live_sender_is_left_alone(app, event_api):
    add_events(app, 1, claimed_by="request-alive")
    with app.app_context():
        assert flush(app.extensions["inngest"]) == (0, 0)
    assert event_api.requests == 0


@on_both_databases
def test_an_event_whose_sender_died_is_delivered_once_its_claim_expires(app, event_api):
    # The request committed, claimed the event, and was killed before sending.
    [event_id] = add_events(app, 1, claimed_by="request-killed", claim_seconds=30)
    with app.app_context():
        assert flush(app.extensions["inngest"], now=utcnow() + timedelta(seconds=31)) == (1, 0)
    assert [event["id"] for event in event_api.received] == [event_id]


@on_both_databases
def test_two_claimers_never_get_the_same_event(app):
    add_events(app, 10)
    with app.app_context():
        first = {row.id for row in claim_due("first", limit=6)}
        second = {row.id for row in claim_due("second", limit=10)}
    assert len(first) == 6
    assert len(second) == 4
    assert not first & second


@on_both_databases
def test_concurrent_flushes_deliver_every_event_exactly_once(app, event_api):
    ids = add_events(app, 40)
    results = []

    def relay_pass():
        with app.app_context():
            results.append(flush(app.extensions["inngest"], limit=40))

    threads = [threading.Thread(target=relay_pass) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sum(delivered for delivered, _ in results) == 40
    assert sorted(event["id"] for event in event_api.received) == sorted(ids)


def test_retry_delay_doubles_with_jitter_and_is_capped():
    for attempts, ceiling in [(1, 2.0), (2, 4.0), (5, 32.0), (30, MAX_RETRY_SECONDS)]:
        delays = [retry_delay(attempts) for _ in range(50)]
        assert all(ceiling / 2 <= delay <= ceiling for delay in delays)
        assert len(set(delays)) > 1


@on_both_databases
def test_relay_thread_delivers_once_the_event_api_is_back(app, event_api):
    event_api.answer(status=503, body=b"down", content_type="text/plain")
    add_events(app, 2)
    relay = Relay(app, interval=0.05)
    relay.start()
    try:
        wait_until(lambda: event_api.requests >= 5, "five sends to the failing Event API", timeout=20, interval=0.05)
        event_api.answer()
        with app.app_context():
            db.session.execute(db.update(OutboxEvent).values(next_attempt_at=utcnow()))
            db.session.commit()
        wait_until(lambda: set(statuses(app).values()) == {"delivered"}, "every event delivered", 20, interval=0.05)
    finally:
        relay.stop()
    assert set(statuses(app).values()) == {"delivered"}
    assert not relay.running


@on_both_databases
@pytest.mark.parametrize("healthy", [True, False])
def test_flush_command_reports_and_fails_while_events_stay_pending(app, runner, event_api, healthy):
    if not healthy:
        event_api.answer(status=400, body=b'{"error": "bad key", "status": 400}')
    add_events(app, 2)
    result = runner.invoke(args=["outbox", "flush"])
    assert result.exit_code == (0 if healthy else 1)
    assert ("delivered 2, failed 0" if healthy else "delivered 0, failed 2") in result.output


@on_both_databases
def test_status_command_lists_pending_events_with_their_last_error(app, runner, event_api):
    event_api.answer(status=400, body=b'{"error": "bad key", "status": 400}')
    add_events(app, 1)
    runner.invoke(args=["outbox", "flush"])
    result = runner.invoke(args=["outbox", "status"])
    assert result.exit_code == 0
    assert "pending 1, delivered 0" in result.output
    assert "event-0\ttest/event\tattempts 1" in result.output
    assert "bad key" in result.output


@on_both_databases
def test_the_app_starts_its_relay_with_the_first_request_when_enabled(app_with, event_api):
    app = app_with(OUTBOX_RELAY_ENABLED=True, OUTBOX_RELAY_INTERVAL_SECONDS=0.05)
    add_events(app, 1)
    assert "outbox_relay" not in app.extensions  # CLI commands never start it
    app.test_client().get("/healthz")
    relay = app.extensions["outbox_relay"]
    try:
        wait_until(lambda: event_api.requests > 0, "the relay's first send", timeout=20, interval=0.05)
        assert [event["id"] for event in event_api.received] == ["event-0"]
    finally:
        relay.stop()
