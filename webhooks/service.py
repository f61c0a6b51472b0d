"""What the API, the page and the runs do with webhooks: set, roll, remove, list deliveries, notify of an outcome,
of a move to the trash and of a purge."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import datetime

from documents.models import Document, DocumentStatus
from documents.purging import purged
from documents.service import describe_document
from extensions import db
from settings import AppSettings, get_app_settings
from timestamps import as_utc, utcnow
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
    document = db.session.get(Document, document_id)
    if document is None or document.status not in OUTCOMES:
        return {"sent": False, "reason": "the document has no outcome to tell"}
    notice = Notice(document.user_id, document.name, f"document.{document.status}", describe_document(document))
    return _deliver(notice, message_id, attempt, last_attempt=last_attempt)


def notify_trashed(document_id: int, user_id: int, attempt: int, *, last_attempt: bool) -> dict[str, object]:
    """Post `document.trashed` while the document is in the trash, as notify_outcome posts an outcome.

    Its message id is the document's and its time in the trash, so that a purge brought forward
    (a second run for the same trashing) posts the same id again and the receiver can tell.
    """
    document = db.session.get(Document, document_id)
    if document is None or document.user_id != user_id or not document.is_trashed or document.trashed_at is None:
        return {"sent": False, "reason": "the document is not in the trash"}
    message_id = f"msg_trashed_{document.id}_{int(as_utc(document.trashed_at).timestamp() * 1000)}"
    notice = Notice(user_id, document.display_name, "document.trashed", describe_document(document))
    return _deliver(notice, message_id, attempt, last_attempt=last_attempt)


def notify_purged(
    document_id: int, user_id: int, purge_at: str, attempt: int, *, last_attempt: bool
) -> dict[str, object]:
    """Post `document.purged` once its row is gone: the document as its tombstone and the run know it."""
    tombstone = purged(document_id, user_id=user_id)
    if tombstone is None:
        return {"sent": False, "reason": "the document was not purged"}
    shown = tombstone.to_json(purge_at=datetime.fromisoformat(purge_at))
    notice = Notice(user_id, tombstone.name, "document.purged", shown)
    return _deliver(notice, f"msg_purged_{tombstone.id}", attempt, last_attempt=last_attempt)


@dataclass(frozen=True)
class Notice:
    """One message for a user's webhook: whose, about which document, its type and the document as shown."""

    user_id: int
    document_name: str
    event_type: str
    document: dict[str, object]


def _deliver(notice: Notice, message_id: str, attempt: int, *, last_attempt: bool) -> dict[str, object]:
    """Sign and post `notice`, record the delivery; raise for a retry unless this is the last attempt."""
    settings = get_app_settings()
    webhook = find_webhook(notice.user_id)
    if webhook is None:
        return {"sent": False, "reason": "no webhook"}
    body = json.dumps({"type": notice.event_type, "document": notice.document}, separators=(",", ":"))
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
    _record(notice, message_id, attempt, status, outcome.status_code, outcome.error)
    if status == DeliveryStatus.FAILED and not last_attempt:
        raise WebhookDeliveryFailedError(outcome.error or "the receiver did not take the webhook")
    if status != DeliveryStatus.DELIVERED:
        logger.warning("webhook %s about %r not delivered: %s", message_id, notice.document_name, outcome.error)
    return {"sent": outcome.delivered, "status": status, "statusCode": outcome.status_code}


def _record(
    notice: Notice,
    message_id: str,
    attempt: int,
    status: str,
    status_code: int | None,
    error: str | None,
) -> None:
    user_id = notice.user_id
    db.session.add(
        WebhookDelivery(
            user_id=user_id,
            message_id=message_id,
            event_type=notice.event_type,
            document_name=notice.document_name,
            attempt=attempt,
            status=status,
            status_code=status_code,
            error=error,
        )
    )
    db.session.flush()
    kept = db.select(WebhookDelivery.id).where(WebhookDelivery.user_id == user_id)
    newest = kept.order_by(WebhookDelivery.id.desc()).limit(KEPT_DELIVERIES).scalar_subquery()
    db.session.execute(
        db.delete(WebhookDelivery).where(WebhookDelivery.user_id == user_id, WebhookDelivery.id.not_in(newest))
    )
    db.session.commit()
