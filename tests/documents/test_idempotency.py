"""Idempotency-Key on POST /api/route: replay, conflict, mismatch, per-user scope, expiry."""

from __future__ import annotations

import hashlib
import json
from datetime import timedelta

import pytest

from extensions import db
from http_plumbing.idempotency import IdempotencyKey
from tests.conftest import AuthActions
from tests.support.database_faults import refused_inserts
from tests.support.postgres import on_both_databases
from timestamps import utcnow

pytestmark = on_both_databases


def post(client, name="report.pdf", key="key-1"):
    return client.post("/api/route", json={"documentName": name}, headers={"Idempotency-Key": key})


def post_while_in_flight(app, client, user_id, began_seconds_ago):
    """POST with key-1 while a request with the same key and body began `began_seconds_ago` and has not finished."""
    body = json.dumps({"documentName": "report.pdf"}).encode()
    with app.app_context():
        db.session.add(
            IdempotencyKey(
                user_id=user_id,
                key="key-1",
                request_hash=hashlib.sha256(body).hexdigest(),
                created_at=utcnow() - timedelta(seconds=began_seconds_ago),
            )
        )
        db.session.commit()
    return client.post("/api/route", data=body, content_type="application/json", headers={"Idempotency-Key": "key-1"})


def test_same_key_and_body_replays_the_first_response_without_sending_again(auth, client, event_api):
    auth.login()
    first = post(client)
    second = post(client)
    assert first.status_code == second.status_code == 200
    assert second.get_json() == first.get_json()
    assert second.headers["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first.headers
    assert len(event_api.received) == 1


def test_same_key_with_a_different_body_is_422(auth, client, event_api):
    auth.login()
    post(client, "first.pdf")
    response = post(client, "second.pdf")
    assert response.status_code == 422
    assert "different request body" in response.get_json()["error"]
    assert len(event_api.received) == 1


def test_same_key_while_the_first_request_is_in_flight_is_409(app, auth, client, event_api):
    auth.login()
    response = post_while_in_flight(app, client, auth.user_id, began_seconds_ago=0)
    assert response.status_code == 409
    assert event_api.requests == 0


@pytest.mark.parametrize(("began_seconds_ago", "status"), [(25, 200), (15, 409)])
def test_an_in_flight_key_is_taken_over_once_idempotency_abandoned_after_seconds_pass(
    app_with, began_seconds_ago, status
):
    app = app_with(IDEMPOTENCY_ABANDONED_AFTER_SECONDS=20)
    client = app.test_client()
    auth = AuthActions(app, client)
    auth.login()
    response = post_while_in_flight(app, client, auth.user_id, began_seconds_ago)
    assert response.status_code == status


def test_keys_are_scoped_per_user(app, event_api):
    for email in ["alice@example.com", "bob@example.com"]:
        client = app.test_client()
        AuthActions(app, client).login(email)
        response = post(client, key="shared-key")
        assert response.status_code == 200
        assert "Idempotent-Replayed" not in response.headers
    assert len(event_api.received) == 2


def test_a_key_older_than_24_hours_is_forgotten(app, auth, client, event_api):
    auth.login()
    post(client)
    with app.app_context():
        db.session.execute(db.update(IdempotencyKey).values(created_at=utcnow() - timedelta(hours=25)))
        db.session.commit()
    response = post(client, "another.pdf")
    assert response.status_code == 200
    assert len(event_api.received) == 2


def test_a_validation_error_is_replayed_too(auth, client, event_api):
    auth.login()
    first = post(client, "../escape.pdf")
    second = post(client, "../escape.pdf")
    assert first.status_code == second.status_code == 400
    assert second.headers["Idempotent-Replayed"] == "true"


def test_a_server_error_is_not_kept_so_a_retry_runs(app, auth, client, event_api):
    auth.login()
    app.config["PROPAGATE_EXCEPTIONS"] = False
    # The database refuses the document's event mid-request: the session is left needing a rollback.
    with refused_inserts(app, "outbox_events", "refused for the test"):
        assert post(client).status_code == 500
    response = post(client)
    assert response.status_code == 200
    assert "Idempotent-Replayed" not in response.headers


@pytest.mark.parametrize("key", ["", "x" * 256, "has space", "naïve"])
def test_malformed_key_is_400(auth, client, key):
    auth.login()
    response = post(client, key=key)
    assert response.status_code == 400
    assert "Idempotency-Key" in response.get_json()["error"]


def test_without_a_key_every_post_is_sent(auth, client, event_api):
    auth.login()
    client.post("/api/route", json={"documentName": "report.pdf"})
    client.post("/api/route", json={"documentName": "report.pdf"})
    assert len(event_api.received) == 2
