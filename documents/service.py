"""Accepting a document for processing: the document row and its event in one transaction, then the send."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import inngest
from sqlalchemy.exc import IntegrityError

from auth.models import User
from documents.models import Document, DocumentStatus
from documents.names import object_key_for
from extensions import commit_relaxed, db
from inngest_functions.events import DocumentUploaded
from outbox import OutboxEvent, deliveries_for, enqueue, record, send
from settings import AppSettings
from timestamps import utcnow


@dataclass(frozen=True)
class Accepted:
    document: Document
    event: OutboxEvent

    @property
    def delivered(self) -> bool:
        return bool(self.event.inngest_ids)


def accept_document(user: User, name: str, settings: AppSettings, client: inngest.Inngest) -> Accepted:
    """Record the request durably, then try to deliver its event at once.

    Once this returns, the event is never lost: delivered now, or left in the
    outbox for the relay, which resends it with the same id until Inngest has it.
    """
    assert settings.aws_s3_bucket, "checked by the route"
    assert settings.aws_s3_region, "checked by the route"
    session = db.session()
    # What this request holds after each commit is what it just wrote, so reading both rows
    # back (SQLAlchemy's default after a commit) would cost two SELECTs for nothing.
    session.expire_on_commit = False
    try:
        return _accept(user, name, settings, client)
    finally:
        session.expire_on_commit = True


def _accept(user: User, name: str, settings: AppSettings, client: inngest.Inngest) -> Accepted:
    assert settings.aws_s3_bucket
    assert settings.aws_s3_region
    document = _queue_document(
        user, name, settings.aws_s3_bucket, object_key_for(settings.s3_key_prefix, user.id, name)
    )
    event = document_uploaded(document, user, settings)
    # Claimed by this request, so the relay leaves it alone unless we die before sending.
    row = enqueue(
        event.to_event(event_id=str(uuid.uuid4())),
        document_id=document.id,
        claimed_by=f"request-{uuid.uuid4().hex[:12]}",
        claim_seconds=settings.outbox_claim_seconds,
    )
    db.session.commit()  # the document row and the outbox row, together
    record(row, send(client, row))
    # Lost in a power cut, this write leaves the event claimed: the relay resends it once the
    # claim expires, with the same id, which Inngest drops as a repeat. So no waiting for the disk.
    commit_relaxed()
    return Accepted(document=document, event=row)


def document_uploaded(document: Document, user: User, settings: AppSettings) -> DocumentUploaded:
    """The event that hands `document` to processing, with the settings it is to be processed with."""
    assert settings.aws_s3_bucket, "checked by the caller"
    assert settings.aws_s3_region, "checked by the caller"
    return DocumentUploaded(
        document_id=document.id,
        document_name=document.name,
        s3_bucket=settings.aws_s3_bucket,
        s3_region=settings.aws_s3_region,
        s3_key=document.s3_key,
        user_id=user.id,
        user_email=user.email,
        requested_at=utcnow(),
        max_document_bytes=settings.max_document_bytes,
        chunk_size=settings.chunk_size,
        chunk_overlap=settings.chunk_overlap,
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
        document.status = DocumentStatus.QUEUED.value
        document.error = None
        try:
            db.session.flush()
        except IntegrityError:
            # A concurrent POST created the row first: use that one.
            db.session.rollback()
            continue
        return document
    raise RuntimeError(f"could not create or find the document row for {name!r}")


def find_document(user_id: int, name: str) -> Document | None:
    """The user's document called `name` (already parsed), or None: nobody sees another user's documents."""
    document: Document | None = db.session.scalar(
        db.select(Document).where(Document.user_id == user_id, Document.name == name)
    )
    return document


def describe_document(document: Document) -> dict[str, object]:
    """The document as the API and the pages show it, with its delivery to Inngest."""
    return document.to_json(deliveries_for([document.id])[document.id])
