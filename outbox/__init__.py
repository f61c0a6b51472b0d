"""The transactional outbox: events owed to Inngest, delivered from the request and, failing that, by the relay."""

from outbox.cli import outbox_cli
from outbox.delivery import deliver, enqueue, publish, record, send
from outbox.models import DeliveryStatus, OutboxEvent, deliveries_for
from outbox.relay import Relay, flush

__all__ = [
    "DeliveryStatus",
    "OutboxEvent",
    "Relay",
    "deliver",
    "deliveries_for",
    "enqueue",
    "flush",
    "outbox_cli",
    "publish",
    "record",
    "send",
]
