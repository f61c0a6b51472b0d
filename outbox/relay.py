"""Delivering outbox events to Inngest: now, from the request, and later, from the relay.

Any number of app processes may run the relay: a row is sent only by whoever
won its claim (a compare-and-set UPDATE, which SQLite and PostgreSQL both do
atomically), and a crashed sender's claim expires. Every attempt resends the
same event id, so a send that reached Inngest before a crash is not run twice.
"""

from __future__ import annotations

import json
import logging
import random
import threading
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

import httpx
import inngest
from flask import Flask
from inngest._internal.errors import Error as InngestError
from sqlalchemy import or_

from extensions import db
from outbox.confirmation import DEFAULT_CONFIRM_AFTER_SECONDS, confirm_deliveries
from outbox.models import DeliveryStatus, OutboxEvent
from timestamps import utcnow

logger = logging.getLogger(__name__)

DEFAULT_CLAIM_SECONDS = 120.0
FIRST_RETRY_SECONDS = 2.0
MAX_RETRY_SECONDS = 300.0


@dataclass(frozen=True)
class Delivery:
    delivered: bool
    inngest_ids: list[str]
    error: str | None


def enqueue(
    event: inngest.Event,
    *,
    document_id: int | None,
    claimed_by: str | None,
    claim_seconds: float = DEFAULT_CLAIM_SECONDS,
) -> OutboxEvent:
    """Add `event` to the caller's transaction; with `claimed_by`, the caller will try to send it itself."""
    now = utcnow()
    row = OutboxEvent(
        event_id=event.id or str(uuid.uuid4()),
        name=event.name,
        data=event.data,
        document_id=document_id,
        next_attempt_at=now,
        claimed_by=claimed_by,
        claimed_until=now + timedelta(seconds=claim_seconds) if claimed_by else None,
        inngest_ids=[],
    )
    db.session.add(row)
    return row


def send(client: inngest.Inngest, event: OutboxEvent) -> Delivery:
    """One delivery attempt through the SDK, with every failure mode of send_sync folded into a Delivery."""
    try:
        ids = client.send_sync(inngest.Event(name=event.name, data=event.data, id=event.event_id))
    # The SDK raises its own errors (SendEventsError, EventKeyUnspecifiedError),
    # a raw JSONDecodeError when the Event API answers with a non-JSON body, and
    # lets httpx errors through; on some error responses it returns [] instead.
    except (InngestError, json.JSONDecodeError, httpx.HTTPError) as error:
        return Delivery(delivered=False, inngest_ids=[], error=f"{type(error).__name__}: {error}"[:500])
    if not ids:
        return Delivery(delivered=False, inngest_ids=[], error="the Event API accepted nothing (empty id list)")
    return Delivery(delivered=True, inngest_ids=ids, error=None)


def record(event: OutboxEvent, delivery: Delivery) -> None:
    """Store the outcome of an attempt and release the claim; the caller commits."""
    event.attempts += 1
    event.claimed_by = None
    event.claimed_until = None
    if delivery.delivered:
        event.status = DeliveryStatus.DELIVERED.value
        event.inngest_ids = delivery.inngest_ids
        event.delivered_at = utcnow()
        event.last_error = None
    else:
        event.last_error = delivery.error
        event.next_attempt_at = utcnow() + timedelta(seconds=retry_delay(event.attempts))
        logger.warning(
            "event %s (%s) not delivered, attempt %d: %s", event.event_id, event.name, event.attempts, delivery.error
        )


def retry_delay(attempts: int) -> float:
    """Seconds before attempt `attempts + 1`: doubling from 2 s, capped at 5 min, jittered over its upper half."""
    ceiling: float = min(MAX_RETRY_SECONDS, FIRST_RETRY_SECONDS * 2.0 ** (attempts - 1))
    return ceiling / 2 + random.random() * ceiling / 2  # noqa: S311 - jitter, not security


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
        delivery = send(client, event)
        record(event, delivery)
        db.session.commit()
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
