"""The relay: delivering, later, what a request could not (outbox/delivery.py does each attempt).

Any number of app processes may run the relay: a row is sent only by whoever
won its claim (a compare-and-set UPDATE, which SQLite and PostgreSQL both do
atomically), and a crashed sender's claim expires. Every attempt resends the
same event id, so a send that reached Inngest before a crash is not run twice.
"""

from __future__ import annotations

import logging
import threading
import uuid
from datetime import datetime, timedelta

import inngest
from flask import Flask
from sqlalchemy import or_

from extensions import db
from outbox.confirmation import DEFAULT_CONFIRM_AFTER_SECONDS, confirm_deliveries
from outbox.delivery import DEFAULT_CLAIM_SECONDS, deliver
from outbox.models import DeliveryStatus, OutboxEvent
from timestamps import utcnow

logger = logging.getLogger(__name__)


def claim_due(
    holder: str, *, limit: int = 50, now: datetime | None = None, claim_seconds: float = DEFAULT_CLAIM_SECONDS
) -> list[OutboxEvent]:
    """Claim up to `limit` pending events that are due and not claimed by anyone alive."""
    now = now or utcnow()
    candidates = db.session.scalars(
        db.select(OutboxEvent.id)
        .where(
            OutboxEvent.status == DeliveryStatus.PENDING.value,
            OutboxEvent.next_attempt_at <= now,
            or_(OutboxEvent.claimed_until.is_(None), OutboxEvent.claimed_until < now),
        )
        .order_by(OutboxEvent.id)
        .limit(limit)
    ).all()
    claimed = []
    for event_id in candidates:
        won = db.session.execute(
            db.update(OutboxEvent)
            .where(
                OutboxEvent.id == event_id,
                OutboxEvent.status == DeliveryStatus.PENDING.value,
                or_(OutboxEvent.claimed_until.is_(None), OutboxEvent.claimed_until < now),
            )
            .values(claimed_by=holder, claimed_until=now + timedelta(seconds=claim_seconds))
        )
        db.session.commit()
        if won.rowcount == 1:  # type: ignore[attr-defined]
            claimed.append(event_id)
    return list(db.session.scalars(db.select(OutboxEvent).where(OutboxEvent.id.in_(claimed)).order_by(OutboxEvent.id)))


def flush(
    client: inngest.Inngest,
    *,
    holder: str | None = None,
    limit: int = 50,
    now: datetime | None = None,
    claim_seconds: float = DEFAULT_CLAIM_SECONDS,
) -> tuple[int, int]:
    """Deliver what is due by `now`: (delivered, failed again). Safe to run in many processes at once."""
    holder = holder or f"relay-{uuid.uuid4().hex[:12]}"
    delivered = failed = 0
    for event in claim_due(holder, limit=limit, now=now, claim_seconds=claim_seconds):
        delivery = deliver(client, event)
        delivered += delivery.delivered
        failed += not delivery.delivered
    return delivered, failed


class Relay:
    """A background thread that flushes the outbox every `interval` seconds, inside the app."""

    def __init__(
        self,
        app: Flask,
        interval: float,
        claim_seconds: float = DEFAULT_CLAIM_SECONDS,
        confirm_after: float = DEFAULT_CONFIRM_AFTER_SECONDS,
    ) -> None:
        self._app = app
        self._interval = interval
        self._claim_seconds = claim_seconds
        self._confirm_after = confirm_after
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="outbox-relay", daemon=True)
        self._holder = f"relay-{uuid.uuid4().hex[:12]}"

    def start(self) -> None:
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        self._thread.join(timeout)

    @property
    def running(self) -> bool:
        return self._thread.is_alive()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                with self._app.app_context():
                    client = self._app.extensions["inngest"]
                    flush(client, holder=self._holder, claim_seconds=self._claim_seconds)
                    confirm_deliveries(client, older_than=self._confirm_after)
            except Exception:
                # The relay must outlive a database hiccup; the next pass retries.
                logger.exception("outbox relay pass failed")
            self._stop.wait(self._interval)
