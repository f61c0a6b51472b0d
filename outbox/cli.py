"""`flask outbox ...`: see and drive the delivery of events to Inngest by hand."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

from extensions import db
from outbox.models import DeliveryStatus, OutboxEvent
from outbox.relay import flush
from settings import get_app_settings
from timestamps import iso_utc

outbox_cli = AppGroup("outbox", help="Events owed to Inngest: status and delivery.")


@outbox_cli.command("flush")
def flush_command() -> None:
    """Deliver every pending event that is due now."""
    settings = get_app_settings()
    delivered, failed = flush(
        current_app.extensions["inngest"], limit=10_000, claim_seconds=settings.outbox_claim_seconds
    )
    click.echo(f"delivered {delivered}, failed {failed} (will be retried)")
    if failed:
        raise SystemExit(1)


@outbox_cli.command("status")
def status_command() -> None:
    """Count pending and delivered events; list the pending ones with their last error."""
    counts = dict(
        db.session.execute(db.select(OutboxEvent.status, db.func.count()).group_by(OutboxEvent.status)).tuples().all()
    )
    pending_count = counts.get(DeliveryStatus.PENDING.value, 0)
    click.echo(f"pending {pending_count}, delivered {counts.get(DeliveryStatus.DELIVERED.value, 0)}")
    pending = db.session.scalars(
        db.select(OutboxEvent).where(OutboxEvent.status == DeliveryStatus.PENDING.value).order_by(OutboxEvent.id)
    )
    for event in pending:
        click.echo(
            f"{event.event_id}\t{event.name}\tattempts {event.attempts}\tnext {iso_utc(event.next_attempt_at)}"
            f"\t{event.last_error or ''}"
        )
