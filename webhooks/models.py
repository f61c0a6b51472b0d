"""A user's webhook endpoint, and the record of what was sent to it."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from extensions import db
from timestamps import iso_utc, utcnow


class Webhook(db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "webhooks"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), unique=True, nullable=False)
    url: Mapped[str] = mapped_column(String(2048), nullable=False)
    # Kept as is: signing needs the secret itself, not a digest of it.
    secret: Mapped[str] = mapped_column(String(100), nullable=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, nullable=False)
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, onupdate=utcnow, nullable=False
    )

    def to_json(self) -> dict[str, object]:
        return {"url": self.url, "createdAt": iso_utc(self.created_at), "updatedAt": iso_utc(self.updated_at)}


class DeliveryStatus:
    DELIVERED = "delivered"  # the receiver answered 2xx
    FAILED = "failed"  # no answer, or not 2xx: Inngest tries again, up to the run's retries
    REFUSED = "refused"  # the host resolved to an address webhooks may not reach: not tried again


class WebhookDelivery(db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "webhook_deliveries"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True, nullable=False)
    message_id: Mapped[str] = mapped_column(String(100), nullable=False)
    event_type: Mapped[str] = mapped_column(String(40), nullable=False)
    document_name: Mapped[str] = mapped_column(String(1024), nullable=False)
    attempt: Mapped[int] = mapped_column(Integer, nullable=False)
    status: Mapped[str] = mapped_column(String(20), nullable=False)
    status_code: Mapped[int | None] = mapped_column(Integer)
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, nullable=False)

    def to_json(self) -> dict[str, object]:
        return {
            "id": self.message_id,
            "type": self.event_type,
            "documentName": self.document_name,
            "attempt": self.attempt,
            "status": self.status,
            "statusCode": self.status_code,
            "error": self.error,
            "at": iso_utc(self.created_at),
        }
