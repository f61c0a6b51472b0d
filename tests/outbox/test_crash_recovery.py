"""kill -9 of the app between the commit and the send loses nothing: after a restart the relay delivers."""

from __future__ import annotations

import contextlib
import threading

import httpx

from extensions import db
from outbox import OutboxEvent
from tests.conftest import PASSWORD, create_user
from tests.support.app_server import app_server
from tests.support.polling import wait_until
from tests.support.postgres import on_both_databases


@on_both_databases
def test_event_committed_but_not_sent_is_delivered_after_a_kill_and_restart(app_with, settings_overrides, event_api):
    settings_overrides.update(
        OUTBOX_CLAIM_SECONDS=2, INNGEST_SEND_TIMEOUT_SECONDS=30, IDEMPOTENCY_ABANDONED_AFTER_SECONDS=300
    )
    app = app_with()
    create_user(app, "alice@example.com")

    def outbox_rows():
        with app.app_context():
            return db.session.scalars(db.select(OutboxEvent)).all()

    event_api.answer(delay=60)  # the send hangs: the request sits between commit and delivery
    with app_server(settings_overrides) as server, server.signed_in_client("alice@example.com", PASSWORD) as client:
        request = threading.Thread(
            target=lambda: _ignore_disconnect(client, {"documentName": "report.pdf"}), daemon=True
        )
        request.start()
        assert wait_until(
            lambda: len(outbox_rows()) == 1 and event_api.requests == 1, "the row and the hanging send", 30, 0.1
        )
        server.kill()
    [row] = outbox_rows()
    assert row.status == "pending"
    assert row.claimed_by.startswith("request-")

    event_api.answer()
    settings_overrides.update(OUTBOX_RELAY_ENABLED=True, OUTBOX_RELAY_INTERVAL_SECONDS=0.2)
    with app_server(settings_overrides):
        assert wait_until(lambda: outbox_rows()[0].status == "delivered", "the relay to deliver it", 30, 0.1)
    assert [event["id"] for event in event_api.received] == [row.event_id]
    assert event_api.received[0]["data"]["documentName"] == "report.pdf"


def _ignore_disconnect(client: httpx.Client, body: dict[str, str]) -> None:
    with contextlib.suppress(httpx.HTTPError):  # the server is killed mid-request, as intended
        client.post("/api/route", json=body)
