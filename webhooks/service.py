"""What the API, the page and the run do with webhooks: set, roll, remove, list deliveries, notify of an outcome."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass

from documents.models import Document, DocumentStatus
from documents.service import describe_document
from extensions import db
from settings import AppSettings, get_app_settings
from timestamps import utcnow
from webhooks.addresses import WebhookUrlError, is_public, literal_address, parse_webhook_url
from webhooks.delivery import Outcome, post_webhook
from webhooks.models import DeliveryStatus, Webhook, WebhookDelivery
from webhooks.signing import new_secret, signature_headers

logger = logging.getLogger(__name__)

KEPT_DELIVERIES = 20
OUTCOMES = frozenset({DocumentStatus.PROCESSED.value, DocumentStatus.UNCHANGED.value, DocumentStatus.FAILED.value})


@dataclass(frozen=True)
class SavedWebhook:
    webhook: Webhook
    # Only when it was just made: shown once.
    secret: str | None

    def to_json(self) -> dict[str, object]:
        shown = self.webhook.to_json()
        return {**shown, "secret": self.secret} if self.secret else shown


class WebhookDeliveryFailedError(Exception):
    """The receiver did not take the webhook; raised in the step so that Inngest tries again."""


def find_webhook(user_id: int) -> Webhook | None:
    webhook: Webhook | None = db.session.scalar(db.select(Webhook).where(Webhook.user_id == user_id))
    return webhook


def set_webhook(user_id: int, url: object, settings: AppSettings) -> SavedWebhook:
    """Point the user's webhook at `url`; a new webhook gets a secret, a changed URL keeps its secret."""
    target = parse_webhook_url(url, require_https=not settings.inngest_dev)
    address = literal_address(target.host)
    if address is not None and not settings.webhook_allow_private and not is_public(address):
        # A name is checked at each delivery; an address can be refused now.
        raise WebhookUrlError(f"{address} is a private, loopback or link-local address; give a public one")
    webhook = find_webhook(user_id)
    secret = None
    if webhook is None:
        secret = new_secret()
        webhook = Webhook(user_id=user_id, url=target.url, secret=secret)
        db.session.add(webhook)
    else:
        webhook.url = target.url
    db.session.commit()
    return SavedWebhook(webhook=webhook, secret=secret)


def roll_secret(webhook: Webhook) -> SavedWebhook:
    """A new signing secret; the old one stops signing at once."""
    webhook.secret = new_secret()
    db.session.commit()
    return SavedWebhook(webhook=webhook, secret=webhook.secret)


def remove_webhook(webhook: Webhook) -> None:
    db.session.delete(webhook)
    db.session.commit()


def recent_deliveries(user_id: int) -> list[WebhookDelivery]:
    return list(
        db.session.scalars(
            db.select(WebhookDelivery)
            .where(WebhookDelivery.user_id == user_id)
            .order_by(WebhookDelivery.id.desc())
            .limit(KEPT_DELIVERIES)
        )
    )


def has_webhook(user_id: int) -> bool:
    return find_webhook(user_id) is not None


def notify_outcome(document_id: int, message_id: str, attempt: int, *, last_attempt: bool) -> dict[str, object]:
    """Post the document's outcome to its owner's webhook, signed; record the delivery.

    A failed delivery raises WebhookDeliveryFailedError for Inngest to retry, except on the last
    attempt, which is recorded and ends quietly: a dead receiver never fails the document's run.
    """
    settings = get_app_settings()
    document = db.session.get(Document, document_id)
    if document is None or document.status not in OUTCOMES:
        return {"sent": False, "reason": "the document has no outcome to tell"}
    webhook = find_webhook(document.user_id)
    if webhook is None:
        return {"sent": False, "reason": "no webhook"}
    event_type = f"document.{document.status}"
    body = json.dumps({"type": event_type, "document": describe_document(document)}, separators=(",", ":"))
    headers = signature_headers(webhook.secret, message_id, utcnow(), body)
    try:
        # Checked again: production may have been switched on since the URL was set.
        target = parse_webhook_url(webhook.url, require_https=not settings.inngest_dev)
    except WebhookUrlError as error:
        outcome = Outcome(delivered=False, refused=True, error=str(error))
    else:
        outcome = post_webhook(
            target,
            body,
            headers,
            allow_private=settings.webhook_allow_private,
            timeout_seconds=settings.webhook_timeout_seconds,
        )
    status = (
        DeliveryStatus.DELIVERED
        if outcome.delivered
        else DeliveryStatus.REFUSED
        if outcome.refused
        else DeliveryStatus.FAILED
    )
    _record(document, message_id, event_type, attempt, status, outcome.status_code, outcome.error)
    if status == DeliveryStatus.FAILED and not last_attempt:
        raise WebhookDeliveryFailedError(outcome.error or "the receiver did not take the webhook")
    if status != DeliveryStatus.DELIVERED:
        logger.warning("webhook %s for document %s not delivered: %s", message_id, document.id, outcome.error)
    return {"sent": outcome.delivered, "status": status, "statusCode": outcome.status_code}


def _record(
    document: Document,
    message_id: str,
    event_type: str,
    attempt: int,
    status: str,
    status_code: int | None,
    error: str | None,
) -> None:
    db.session.add(
        WebhookDelivery(
            user_id=document.user_id,
            message_id=message_id,
            event_type=event_type,
            document_name=document.name,
            attempt=attempt,
            status=status,
            status_code=status_code,
            error=error,
        )
    )
    db.session.flush()
    kept = db.select(WebhookDelivery.id).where(WebhookDelivery.user_id == document.user_id)
    newest = kept.order_by(WebhookDelivery.id.desc()).limit(KEPT_DELIVERIES).scalar_subquery()
    db.session.execute(
        db.delete(WebhookDelivery).where(WebhookDelivery.user_id == document.user_id, WebhookDelivery.id.not_in(newest))
    )
    db.session.commit()
