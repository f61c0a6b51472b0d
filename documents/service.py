"""Accepting a document for processing: the document row, the typed event, the send."""

from __future__ import annotations

import json
import logging
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

import httpx
import inngest
from inngest._internal.errors import Error as InngestError

from api_errors import ApiError
from auth.models import User
from documents.models import Document, DocumentStatus
from documents.names import object_key_for
from extensions import db
from inngest_functions.events import DocumentUploaded
from settings import AppSettings

logger = logging.getLogger(__name__)

SEND_RETRY_AFTER_SECONDS = 30
DELIVERY_FAILED = "could not hand the document to the processing service; nothing was started, try again shortly"


@dataclass(frozen=True)
class Accepted:
    document: Document
    event_ids: list[str]


class DeliveryFailedError(ApiError):
    def __init__(self) -> None:
        super().__init__(503, DELIVERY_FAILED, headers={"Retry-After": str(SEND_RETRY_AFTER_SECONDS)})


def accept_document(user: User, name: str, settings: AppSettings, client: inngest.Inngest) -> Accepted:
    """Record the request, send the event, and return what was sent; DeliveryFailedError when the send fails."""
    assert settings.aws_s3_bucket, "checked by the route"
    assert settings.aws_s3_region, "checked by the route"
    document = _queue_document(
        user, name, settings.aws_s3_bucket, object_key_for(settings.s3_key_prefix, user.id, name)
    )
    event = DocumentUploaded(
        document_id=document.id,
        document_name=name,
        s3_bucket=settings.aws_s3_bucket,
        s3_region=settings.aws_s3_region,
        s3_key=document.s3_key,
        user_id=user.id,
        user_email=user.email,
        requested_at=datetime.now(UTC),
        max_document_bytes=settings.max_document_bytes,
        chunk_size=settings.chunk_size,
        chunk_overlap=settings.chunk_overlap,
    )
    event_ids = _send(client, event.to_event(event_id=str(uuid.uuid4())))
    if not event_ids:
        _record_delivery_failure(document)
        raise DeliveryFailedError()
    document.event_ids = [*document.event_ids, *event_ids]
    db.session.commit()
    return Accepted(document=document, event_ids=event_ids)


def _queue_document(user: User, name: str, bucket: str, key: str) -> Document:
    document: Document | None = db.session.scalar(
        db.select(Document).where(Document.user_id == user.id, Document.name == name)
    )
    if document is None:
        document = Document(user_id=user.id, name=name, event_ids=[])
        db.session.add(document)
    document.s3_bucket = bucket
    document.s3_key = key
    document.status = DocumentStatus.QUEUED.value
    document.error = None
    # Committed before the send so that the run, which may start at once, finds the row.
    db.session.commit()
    return document


def _send(client: inngest.Inngest, event: inngest.Event) -> list[str]:
    """The ids Inngest assigned, or [] for every way the SDK's send can fail."""
    try:
        return client.send_sync(event)
    # The SDK raises its own errors (SendEventsError, EventKeyUnspecifiedError),
    # a raw JSONDecodeError when the Event API answers with a non-JSON body, and
    # lets httpx errors through; on some error responses it returns [] instead.
    except (InngestError, json.JSONDecodeError, httpx.HTTPError) as error:
        logger.warning("sending %s for document %s failed: %s", event.name, event.data.get("documentId"), error)
        return []


def _record_delivery_failure(document: Document) -> None:
    logger.warning("document %s: event not delivered", document.id)
    document.status = DocumentStatus.FAILED.value
    document.error = DELIVERY_FAILED
    db.session.commit()
