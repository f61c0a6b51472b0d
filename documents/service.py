"""What the API, the pages and the CLI do with documents: accept one for processing, list them, show one.

Accepting writes the document row and its event in one transaction, then sends.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass

import inngest
from sqlalchemy.exc import IntegrityError

from auth.models import User
from documents.events import DocumentUploaded
from documents.models import Chunk, Document, DocumentPage, DocumentStatus
from documents.names import DocumentName, parse_document_name
from extensions import db
from outbox import DeliveryStatus, OutboxEvent, deliveries_for, publish
from settings import AppSettings
from timestamps import iso_utc


class DocumentNotFoundError(Exception):
    """The user has no document of that name: nobody's, or another user's (the same answer either way)."""

    def __init__(self, name: str) -> None:
        super().__init__(name)
        self.name = name


@dataclass(frozen=True)
class Accepted:
    document: Document
    event: OutboxEvent
    described: dict[str, object]

    @property
    def delivered(self) -> bool:
        return bool(self.event.inngest_ids)


def accept_document(user: User, name: DocumentName, settings: AppSettings, client: inngest.Inngest) -> Accepted:
    """Record the request durably, then try to deliver its event at once.

    Once this returns, the event is never lost: delivered now, or left in the
    outbox for the relay, which resends it with the same id until Inngest has it.
    """
    session = db.session()
    # What this request holds after each commit is what it just wrote, so reading both rows
    # back (SQLAlchemy's default after a commit) would cost two SELECTs for nothing.
    session.expire_on_commit = False
    try:
        return _accept(user, name, settings, client)
    finally:
        session.expire_on_commit = True


def _accept(user: User, name: DocumentName, settings: AppSettings, client: inngest.Inngest) -> Accepted:
    document = _queue_document(user, name.name, settings.require_s3().bucket, name.key)
    row = _publish_uploaded(document, user, settings, client)
    return Accepted(document=document, event=row, described=describe_document(document))


def requeue_document(
    document: Document, user: User, settings: AppSettings, client: inngest.Inngest, *, reprocess: bool = False
) -> OutboxEvent:
    """Hand `user`'s existing `document` to processing again, as accepting it does: marked queued in the
    transaction that writes its event, then one attempt to send; the relay delivers what this could not.

    With `reprocess`, the run reads and stores it again even when its content and settings are unchanged.
    """
    if document.user_id != user.id:
        # The run would refuse an event whose owner disagrees with the row, and mark the document failed.
        raise ValueError(f"document {document.id} is not user {user.id}'s")
    _mark_queued(document)
    return _publish_uploaded(document, user, settings, client, reprocess=reprocess)


def _publish_uploaded(
    document: Document, user: User, settings: AppSettings, client: inngest.Inngest, *, reprocess: bool = False
) -> OutboxEvent:
    event = document_uploaded(document, user, settings, reprocess=reprocess)
    # Committed with the document row, then sent; claimed by this caller, so the relay leaves it alone
    # unless we die before sending.
    return publish(
        client,
        event.to_event(event_id=str(uuid.uuid4())),
        document_id=document.id,
        claim_seconds=settings.outbox_claim_seconds,
    )


def document_uploaded(
    document: Document, user: User, settings: AppSettings, *, reprocess: bool = False
) -> DocumentUploaded:
    """The event that hands `document` to processing, with the settings it is to be processed with."""
    return DocumentUploaded(
        document_id=document.id,
        document_name=document.name,
        s3_bucket=document.s3_bucket,
        s3_key=document.s3_key,
        user_id=user.id,
        max_document_bytes=settings.max_document_bytes,
        chunk_size=settings.chunk_size,
        chunk_overlap=settings.chunk_overlap,
        reprocess=reprocess,
    )


def _queue_document(user: User, name: str, bucket: str, key: str) -> Document:
    """The user's row for `name`, reset to queued, flushed but not committed."""
    for _ in range(2):
        document = find_document(user.id, name)
        if document is None:
            document = Document(user_id=user.id, name=name, s3_bucket=bucket, s3_key=key)
            db.session.add(document)
        document.s3_bucket = bucket
        document.s3_key = key
        _mark_queued(document)
        try:
            db.session.flush()
        except IntegrityError:
            # A concurrent POST created the row first: use that one.
            db.session.rollback()
            continue
        return document
    raise RuntimeError(f"could not create or find the document row for {name!r}")


def _mark_queued(document: Document) -> None:
    document.status = DocumentStatus.QUEUED.value
    document.error = None


def find_document(user_id: int, name: str) -> Document | None:
    """The user's document called `name` (already parsed), or None: nobody sees another user's documents."""
    document: Document | None = db.session.scalar(
        db.select(Document).where(Document.user_id == user_id, Document.name == name)
    )
    return document


def list_documents(user_id: int) -> list[dict[str, object]]:
    """All the user's documents as the API shows them, newest first, each with its delivery to Inngest.

    What `flask documents list` prints; GET /api/documents gives them a page at a time (documents.listing).
    """
    documents = db.session.scalars(
        db.select(Document).where(Document.user_id == user_id).order_by(Document.created_at.desc(), Document.id.desc())
    ).all()
    return describe_documents(documents)


def describe_documents(documents: Sequence[Document]) -> list[dict[str, object]]:
    """Each document as describe_document shows it, their deliveries read in one query."""
    deliveries = deliveries_for([document.id for document in documents])
    return [_document_json(document, deliveries[document.id]) for document in documents]


def named_document(user_id: int, raw_name: object, *, key_prefix: str) -> Document:
    """The user's document called `raw_name` (as typed); DocumentNotFoundError when they have none of that name."""
    name = parse_document_name(raw_name, key_prefix=key_prefix, user_id=user_id)
    document = find_document(user_id, name)
    if document is None:
        raise DocumentNotFoundError(name)
    return document


def chunks_around(document: Document, wanted: int | None, *, count: int) -> Sequence[Chunk]:
    """Up to `count` of the document's chunks centred on position `wanted` (a search result), or its first ones."""
    first = max(0, wanted - count // 2) if wanted is not None and wanted >= 0 else 0
    return db.session.scalars(
        db.select(Chunk)
        .where(Chunk.document_id == document.id, Chunk.position >= first)
        .order_by(Chunk.position)
        .limit(count)
    ).all()


def describe_document(document: Document) -> dict[str, object]:
    """The document as the API, the pages and the CLI show it, with its delivery to Inngest."""
    return _document_json(document, deliveries_for([document.id])[document.id])


def _document_json(document: Document, deliveries: Sequence[OutboxEvent]) -> dict[str, object]:
    # `deliveries`: the document's outbox events, oldest first; the latest says how delivery is going.
    event_ids = [event_id for delivery in deliveries for event_id in delivery.inngest_ids]
    return document.to_json(
        event_ids, _delivery_json(deliveries[-1]) if deliveries else None, pages_done=_ocr_pages_done(document)
    )


def _ocr_pages_done(document: Document) -> int | None:
    """How many pages OCR has read of the document it is reading now; None when it is reading none."""
    if document.status != DocumentStatus.PROCESSING.value or not document.ocr_pages_total:
        return None
    done = db.session.scalar(
        db.select(db.func.count()).select_from(DocumentPage).where(DocumentPage.document_id == document.id)
    )
    return int(done or 0)


def _delivery_json(event: OutboxEvent) -> dict[str, object]:
    pending = event.status == DeliveryStatus.PENDING.value
    return {
        "status": event.status,
        "attempts": event.attempts,
        "lastError": event.last_error,
        "nextAttemptAt": iso_utc(event.next_attempt_at) if pending else None,
    }
