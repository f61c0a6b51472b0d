"""The transactional outbox: every event we owe Inngest, written in the same transaction as the data it describes."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from extensions import db
from timestamps import utcnow


class DeliveryStatus(str, enum.Enum):
    PENDING = "pending"
    DELIVERED = "delivered"


class OutboxEvent(db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "outbox_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # Chosen by us and sent as the event's id on every attempt: Inngest drops
    # repeats of an id it has seen in the last 24 hours.
    event_id: Mapped[str] = mapped_column(String(64), unique=True, nullable=False)
    name: Mapped[str] = mapped_column(String(255), nullable=False)
    data: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False)
    document_id: Mapped[int | None] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(20), nullable=False, default=DeliveryStatus.PENDING.value, index=True)
    attempts: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    next_attempt_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False, default=utcnow)
    # A claim is a lease: whoever holds it may send; a crashed holder's lease runs out.
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    claimed_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    inngest_ids: Mapped[list[str]] = mapped_column(JSON, nullable=False, default=list)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, nullable=False)
    delivered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # When the server's API showed a run started by this event (outbox/confirmation.py).
    confirmed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


def deliveries_for(document_ids: list[int]) -> dict[int, list[OutboxEvent]]:
    """Each document's outbox events, oldest first."""
    found: dict[int, list[OutboxEvent]] = {document_id: [] for document_id in document_ids}
    rows = db.session.scalars(
        db.select(OutboxEvent).where(OutboxEvent.document_id.in_(document_ids)).order_by(OutboxEvent.id)
    )
    for row in rows:
        found[row.document_id or 0].append(row)
    return found
