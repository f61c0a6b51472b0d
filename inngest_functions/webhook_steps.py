"""The steps that tell a user's webhook how their document ended: in the run, and in its failure handler."""

from __future__ import annotations

import functools
from datetime import timedelta

import inngest

from documents.events import DocumentUploaded
from webhooks.models import DeliveryStatus
from webhooks.service import has_webhook, notify_outcome


def notify_webhook(
    ctx: inngest.ContextSync, uploaded: DocumentUploaded, run_id: str, *, webhook: bool, last_attempt: bool
) -> None:
    """Tell the owner's webhook how the document ended, in a step of its own: Inngest retries a failed
    delivery with its backoff and never re-runs the extraction for it. Users without a webhook (as an
    earlier step of the run found, so that no replay asks the database again) get no step, and their
    runs no extra trip through the server's queue."""
    if not webhook:
        return
    # One message id per run: a receiver sees the same id on every retry of the delivery.
    ctx.step.run(
        "notify-webhook",
        functools.partial(notify_outcome, last_attempt=last_attempt),
        uploaded.document_id,
        f"msg_{run_id}",
        ctx.attempt,
    )


def notify_webhook_of_failure(
    ctx: inngest.ContextSync, uploaded: DocumentUploaded, failed_run_id: str, *, retries: int
) -> None:
    """The failure handler's delivery of `document.failed`. The SDK never retries a failure handler, so
    its retries are steps of their own, each after a durable sleep: the same backoff, spelt out."""
    if not has_webhook(uploaded.user_id):
        return
    for attempt in range(retries + 1):
        step_id = "notify-webhook" if attempt == 0 else f"notify-webhook-retry-{attempt}"
        # last_attempt=True: a failed delivery is answered, not raised, since raising would end the handler.
        delivered = ctx.step.run(
            step_id,
            functools.partial(notify_outcome, last_attempt=True),
            uploaded.document_id,
            f"msg_{failed_run_id}",
            attempt,
        )
        if delivered["status"] != DeliveryStatus.FAILED or attempt == retries:
            return
        ctx.step.sleep(f"webhook-backoff-{attempt + 1}", failure_webhook_backoff(attempt))


def failure_webhook_backoff(attempt: int) -> timedelta:
    """Wait before retry `attempt + 1`: 15 s, then 1, 4, 16 minutes..., at most an hour."""
    return min(timedelta(seconds=15 << (2 * min(attempt, 8))), timedelta(hours=1))
