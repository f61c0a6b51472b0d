"""The transactional outbox: events owed to Inngest, delivered from the request and, failing that, by the relay."""

from outbox.cli import outbox_cli
from outbox.models import DeliveryStatus, OutboxEvent, deliveries_for
from outbox.relay import Relay, enqueue, flush, record, send

__all__ = [
    "DeliveryStatus",
    "OutboxEvent",
    "Relay",
    "deliveries_for",
    "enqueue",
    "flush",
    "outbox_cli",
    "record",
    "send",
]
