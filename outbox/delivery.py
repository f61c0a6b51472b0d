"""Delivering one outbox event: `publish` from the request that wrote it, `deliver` by whoever holds its claim.

Both end the same way: one attempt through the SDK, its outcome recorded on the row, the claim released,
committed without waiting for the disk (a write lost in a power cut leaves the row claimed, and the
relay sends it again with the same id once the claim expires, which Inngest drops as a repeat).
"""

from __future__ import annotations

import json
import logging
import random
import uuid
from dataclasses import dataclass
from datetime import timedelta

import httpx
import inngest
from inngest._internal.errors import Error as InngestError

from extensions import commit_relaxed, db
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
    starts_run: bool = True,
) -> OutboxEvent:
    """Add `event` to the caller's transaction; with `claimed_by`, the caller will try to send it itself.

    An event that starts no run (one that only cancels runs) has no run to confirm (outbox/confirmation.py):
    without `starts_run` it counts as confirmed from the start, so it is never sent again for want of one.
    """
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
        confirmed_at=None if starts_run else now,
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


def publish(
    client: inngest.Inngest,
    event: inngest.Event,
    *,
    document_id: int | None,
    claim_seconds: float,
    starts_run: bool = True,
) -> OutboxEvent:
    """Commit `event` with the caller's pending writes, in one transaction, then try to deliver it at once.

    Once this returns the event is never lost: delivered now, or left pending, claimed by this
    request until `claim_seconds` pass, for the relay, which resends it with the same id.
    """
    row = enqueue(
        event,
        document_id=document_id,
        claimed_by=f"request-{uuid.uuid4().hex[:12]}",
        claim_seconds=claim_seconds,
        starts_run=starts_run,
    )
    db.session.commit()
    deliver(client, row)
    return row


def deliver(client: inngest.Inngest, event: OutboxEvent) -> Delivery:
    """One attempt at a row the caller has claimed: send, record the outcome, release the claim, commit."""
    delivery = send(client, event)
    record(event, delivery)
    commit_relaxed()
    return delivery
