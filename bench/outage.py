"""The broker down mid-run: Redis for the peers, the Inngest server for us, killed (SIGKILL) and restarted under load.

What each loses: requests refused while it is down (the document row stays `queued`
with nothing to process it), and jobs it had accepted that are gone after the restart.
"""

from __future__ import annotations

import signal
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import redis
import rq

from bench.accept import OK_CODES, ROUTES, outbox_drained
from bench.load import Step, attack, post_targets
from bench.stack import Gunicorn, Redis
from documents.events import DocumentUploaded
from extensions import db
from outbox.models import OutboxEvent
from tests.support.inngest_server import InngestServer
from tests.support.polling import wait_until
from timestamps import utcnow


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def broker_down(
    system: str,
    app: Gunicorn,
    cookie: str,
    broker: Redis | InngestServer,
    database_app: Any,
    rate: float,
    duration: float,
    work: Path,
) -> dict[str, Any]:
    """Load at `rate` for `duration` s; kill the broker a third of the way in, start it again at two thirds."""
    prefix = f"outage-{system}"
    if isinstance(broker, Redis):
        # Start from an empty broker whose snapshot is empty too, so a restart brings back only this run's jobs.
        connection = redis.Redis.from_url(broker.url)
        connection.flushdb()
        connection.save()
    targets = post_targets(f"{app.url}{ROUTES[system]}", cookie, int(rate * duration) + 1, prefix)
    outcome: list[Step] = []
    load = threading.Thread(
        target=lambda: outcome.append(attack(f"outage-{system}", targets, rate, duration, work, OK_CODES[system]))
    )
    load.start()
    time.sleep(duration / 3)
    if isinstance(broker, Redis):
        assert broker.process is not None
        broker.process.send_signal(signal.SIGKILL)
        broker.process.wait(10)
    else:
        broker.stop(signal.SIGKILL)
    time.sleep(duration / 3)
    restarted = utcnow()
    broker.start()
    load.join()
    step = outcome[0]
    row: dict[str, Any] = {
        "system": system,
        "sent": step.sent,
        "accepted (2xx)": step.ok,
        "refused (5xx, timeouts)": step.errors,
    }
    if isinstance(broker, Redis):
        connection = redis.Redis.from_url(broker.url)
        wait_until(connection.ping, "Redis to answer after the restart", timeout=30)
        present = int(
            connection.llen("documents")  # type: ignore[arg-type]  # a sync client: an int, not an Awaitable
            if system == "celery"
            else rq.Queue("documents", connection=connection).count
        )
        row["jobs in the broker after restart"] = present
        row["accepted, then lost"] = step.ok - present
    else:
        wait_until(
            lambda: outbox_drained(database_app), "the outbox to drain after the restart", timeout=300, interval=1
        )
        received = {event.get("id") for event in broker.events(DocumentUploaded.NAME)}
        with database_app.app_context():
            ours = [
                event
                for event in db.session.scalars(db.select(OutboxEvent))
                if str(event.data.get("documentName", "")).startswith(f"{prefix}/")
            ]
        # What the killed server had received is gone with it (the dev server keeps no state);
        # what was accepted while it was down waited in the outbox for the new one.
        after = {event.event_id for event in ours if event.delivered_at and _aware(event.delivered_at) >= restarted}
        deadline = time.monotonic() + 60  # the server stores an event a moment after answering
        while after - received and time.monotonic() < deadline:
            time.sleep(1)
            received = {event.get("id") for event in broker.events(DocumentUploaded.NAME)}
        row["jobs in the broker after restart"] = len(received)
        row["delivered by the relay after the restart"] = len(after & received)
        undelivered = [event for event in ours if not event.delivered_at]
        row["accepted, then lost"] = len(after - received) + len(undelivered)
        row["undelivered"] = [(event.status, event.attempts, event.last_error) for event in undelivered][:3]
    return row
