"""Confirming that each delivered event started a run, and sending it again as a new event when it did not.

The Event API can accept an event (an id back, status 200) and still start no run: the
self-hosted server does so while its Redis is down or still loading after a restart
("error creating run state", tests/cluster/). So a delivery is final only once the server's
API lists a run for the event; one still without a run `older_than` seconds after its
delivery is sent again under a new id (the old id may be in the server's de-duplication
window, which would drop a resend), and the per-document concurrency key and the unchanged
check make a run that did start after all harmless.
"""

from __future__ import annotations

import logging
import uuid
from datetime import datetime, timedelta
from urllib.parse import urljoin

import inngest

from extensions import db
from outbox.models import DeliveryStatus, OutboxEvent
from timestamps import utcnow

logger = logging.getLogger(__name__)

DEFAULT_CONFIRM_AFTER_SECONDS = 60.0


def confirm_deliveries(
    client: inngest.Inngest,
    *,
    older_than: float = DEFAULT_CONFIRM_AFTER_SECONDS,
    limit: int = 50,
    now: datetime | None = None,
) -> tuple[int, int]:
    """Check deliveries at least `older_than` seconds old: (confirmed, sent again). Safe in many processes."""
    now = now or utcnow()
    due = db.session.scalars(
        db.select(OutboxEvent)
        .where(
            OutboxEvent.status == DeliveryStatus.DELIVERED.value,
            OutboxEvent.confirmed_at.is_(None),
            OutboxEvent.delivered_at <= now - timedelta(seconds=older_than),
        )
        .order_by(OutboxEvent.id)
        .limit(limit)
    ).all()
    confirmed = resent = 0
    for event in due:
        runs = runs_started(client, event.inngest_ids)
        if runs is None:  # the server did not answer: ask again on the next pass
            continue
        if runs > 0:
            event.confirmed_at = now
            db.session.commit()
            confirmed += 1
        elif _send_again(event, now):
            resent += 1
    return confirmed, resent


def runs_started(client: inngest.Inngest, inngest_ids: list[str]) -> int | None:
    """How many runs the server lists for the events it stored under `inngest_ids`; None if it cannot say."""
    total = 0
    for internal_id in inngest_ids:
        url = urljoin(client.api_origin, f"/v1/events/{internal_id}/runs")
        # The SDK's own HTTP client signs the request with the signing key (and its fallback).
        response = client._http_client.get_sync(url, auth=True)
        if isinstance(response, Exception) or response.status_code != 200:
            logger.warning("could not list the runs of event %s: %s", internal_id, response)
            return None
        runs = response.json().get("data")
        total += len(runs) if isinstance(runs, list) else 0
    return total


def _send_again(event: OutboxEvent, now: datetime) -> bool:
    """Make the row pending again under a new id; False if another relay did so first."""
    old_id = event.event_id
    won = db.session.execute(
        db.update(OutboxEvent)
        .where(
            OutboxEvent.id == event.id,
            OutboxEvent.status == DeliveryStatus.DELIVERED.value,
            OutboxEvent.confirmed_at.is_(None),
        )
        .values(
            status=DeliveryStatus.PENDING.value,
            event_id=str(uuid.uuid4()),
            inngest_ids=[],
            delivered_at=None,
            next_attempt_at=now,
            last_error=f"event {old_id} was accepted but started no run; sent again as a new event",
        )
    )
    db.session.commit()
    if won.rowcount != 1:  # type: ignore[attr-defined]
        return False
    logger.warning("event %s was accepted by the server but started no run; sending it again", old_id)
    return True
