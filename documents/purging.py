"""What purge-document does to a trashed document once its time is up, step by step, free of Inngest.

Each step may run again (a retry, or a second purge of the same document) and finds its work done:
the object's versions, the chunks (their index entries go with them, by the index's triggers), the
outbox rows and Idempotency-Keys that name it, then the row, which leaves a tombstone in one transaction.
Once the purge has begun the document can no longer be restored, so it is never shown half-deleted:
until its row goes it is in the trash, marked purging.
"""

from __future__ import annotations

import enum
from datetime import timedelta

from sqlalchemy import delete, update

from documents.models import Chunk, Document, DocumentStatus, PurgedDocument
from documents.storage import delete_object_versions, get_s3_client
from extensions import changed_rows, db
from http_plumbing.idempotency import IdempotencyKey
from outbox import OutboxEvent
from timestamps import iso_utc, utcnow


class PurgeStart(str, enum.Enum):
    PURGING = "purging"
    ALREADY_PURGED = "already-purged"
    RESTORED = "restored"
    NOT_DUE = "not-due"


# How early a purge may start before the row's purgeAt. The run wakes from its sleep a moment before it: the
# SDK sends the time to the millisecond, and the Inngest server's queue takes work due within its next tick.
# Without the slack such a run found the document "not-due", ended, and left it in the trash for good.
DUE_SLACK = timedelta(seconds=5)


def start_purge(document_id: int, user_id: int) -> PurgeStart:
    """Mark the trashed document purging, from which point it cannot be restored; or say why not to purge."""
    document = db.session.get(Document, document_id)
    if document is None or document.user_id != user_id:
        return PurgeStart.ALREADY_PURGED
    started = changed_rows(
        update(Document)
        .where(
            Document.id == document_id,
            Document.trashed_at.is_not(None),
            Document.purge_at <= utcnow() + DUE_SLACK,
        )
        .values(status=DocumentStatus.PURGING.value)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    if started:
        return PurgeStart.PURGING
    db.session.refresh(document)
    return PurgeStart.NOT_DUE if document.is_trashed else PurgeStart.RESTORED


def _purging(document_id: int) -> Document | None:
    document = db.session.get(Document, document_id)
    if document is None or document.status != DocumentStatus.PURGING.value:
        return None
    return document


def delete_stored_object(document_id: int) -> int:
    """Delete the document's object and every version the bucket keeps of it; how many versions went.

    When a new document has taken the same name (and so the same key) since, its object stays:
    only earlier versions with this document's ETag go.
    """
    document = _purging(document_id)
    if document is None:
        return 0
    key_taken = db.session.scalar(
        db.select(Document.id).where(
            Document.s3_bucket == document.s3_bucket,
            Document.s3_key == document.s3_key,
            Document.id != document.id,
            Document.trashed_at.is_(None),
        )
    )
    only_etag = None
    if key_taken is not None:
        if document.etag is None:
            return 0
        only_etag = document.etag
    return delete_object_versions(get_s3_client(), document.s3_bucket, document.s3_key, only_etag=only_etag)


def delete_chunks(document_id: int) -> int:
    """Delete the document's chunks, and with them their search index entries; how many went."""
    document = _purging(document_id)
    if document is None:
        return 0
    count = changed_rows(delete(Chunk).where(Chunk.document_id == document_id))
    document.chunk_count = 0
    db.session.commit()
    return count


def delete_records(document_id: int) -> int:
    """Delete the outbox rows about the document and the Idempotency-Keys whose kept answer shows it."""
    document = _purging(document_id)
    if document is None:
        return 0
    count = changed_rows(delete(OutboxEvent).where(OutboxEvent.document_id == document_id))
    # A kept answer names the document and its creation time: a new document of the same name is not this one.
    name, created = document.display_name, iso_utc(document.created_at)
    for key in db.session.scalars(db.select(IdempotencyKey).where(IdempotencyKey.user_id == document.user_id)):
        body = key.response_body
        shown = body.get("document") if isinstance(body, dict) else None
        if isinstance(shown, dict) and shown.get("name") == name and shown.get("createdAt") == created:
            db.session.delete(key)
            count += 1
    db.session.commit()
    return count


def delete_document_row(document_id: int) -> bool:
    """Delete the row, leaving a tombstone (id, owner, name, when) in the same transaction; False if gone already."""
    document = _purging(document_id)
    if document is None:
        return False
    tombstone = PurgedDocument(
        document_id=document.id, user_id=document.user_id, name=document.display_name, purged_at=utcnow()
    )
    db.session.add(tombstone)
    db.session.delete(document)
    db.session.commit()
    return True


def purged(document_id: int, *, user_id: int | None = None) -> PurgedDocument | None:
    """The tombstone of a purged document, if it was purged (and, given `user_id`, was theirs).

    SQLite may give a purged document's id to a later one: the owner tells their tombstones apart.
    """
    query = db.select(PurgedDocument).where(PurgedDocument.document_id == document_id)
    if user_id is not None:
        query = query.where(PurgedDocument.user_id == user_id)
    tombstone: PurgedDocument | None = db.session.scalar(query.order_by(PurgedDocument.id.desc()).limit(1))
    return tombstone
