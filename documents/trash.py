"""The trash: delete moves a document there (out of search at once), restore takes it back, purge-document empties it.

Each move writes the row and its event (DocumentDeleted or DocumentRestored) in one transaction, through the
outbox, so a delete accepted while Inngest is down still cancels the document's run and schedules its purge.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import timedelta

import inngest
from sqlalchemy import update
from sqlalchemy.exc import IntegrityError, InvalidRequestError

from auth.models import User
from documents.events import DocumentDeleted, DocumentEvent, DocumentRestored
from documents.models import Document, DocumentStatus
from documents.names import parse_document_name
from documents.reprocessing import IN_FLIGHT_STATUSES
from documents.service import DocumentNotFoundError, find_document, requeue_document
from extensions import changed_rows, db
from http_plumbing.errors import ApiError
from outbox import publish
from settings import AppSettings
from timestamps import as_utc, utcnow


def find_trashed(user_id: int, name: str) -> Document | None:
    """The user's document called `name` (already parsed) in the trash; the latest put there if there are several."""
    document: Document | None = db.session.scalar(
        db.select(Document)
        .where(Document.user_id == user_id, Document.trashed_name == name, Document.trashed_at.is_not(None))
        .order_by(Document.trashed_at.desc(), Document.id.desc())
        .limit(1)
    )
    return document


def document_or_trashed(user_id: int, raw_name: object, *, key_prefix: str) -> Document:
    """The user's document called `raw_name`: the one in use, else the one in the trash; DocumentNotFoundError."""
    name = parse_document_name(raw_name, key_prefix=key_prefix, user_id=user_id)
    document = find_document(user_id, name) or find_trashed(user_id, name)
    if document is None:
        raise DocumentNotFoundError(name)
    return document


def trashed_document(user_id: int, raw_name: object, *, key_prefix: str) -> Document:
    """The user's document called `raw_name` in the trash; DocumentNotFoundError when the trash holds none."""
    name = parse_document_name(raw_name, key_prefix=key_prefix, user_id=user_id)
    document = find_trashed(user_id, name)
    if document is None:
        raise DocumentNotFoundError(name)
    return document


def document_to_restore(user_id: int, raw_name: object, *, key_prefix: str) -> Document:
    """The user's document called `raw_name` in the trash, else the one in use (restoring it changes nothing);
    DocumentNotFoundError when there is neither."""
    name = parse_document_name(raw_name, key_prefix=key_prefix, user_id=user_id)
    document = find_trashed(user_id, name) or find_document(user_id, name)
    if document is None:
        raise DocumentNotFoundError(name)
    return document


def list_trash(user_id: int) -> Sequence[Document]:
    """The user's documents in the trash, the latest put there first."""
    return db.session.scalars(
        db.select(Document)
        .where(Document.user_id == user_id, Document.trashed_at.is_not(None))
        .order_by(Document.trashed_at.desc(), Document.id.desc())
    ).all()


def trash_document(
    document: Document, settings: AppSettings, client: inngest.Inngest, *, purge_now: bool = False
) -> Document:
    """Move `document` to the trash, purged after TRASH_RETENTION_DAYS (or at once with `purge_now`).

    Idempotent: a document already in the trash stays as it is, unless `purge_now` brings its purge forward.
    Two deletes at once trash it once: the row is moved by a conditional UPDATE, and only the
    request whose UPDATE moved it sends the event.
    """
    name = document.display_name
    now = utcnow()
    purge_at = now if purge_now else now + timedelta(days=settings.trash_retention_days)
    moved = changed_rows(
        update(Document)
        .where(Document.id == document.id, Document.trashed_at.is_(None))
        .values(
            trashed_at=now,
            purge_at=purge_at,
            trashed_name=Document.name,
            name=Document.trashed_placeholder(document.id),
        )
        .execution_options(synchronize_session=False)
    )
    if not moved:
        db.session.rollback()
        _reload(document, name)
        if not (purge_now and document.purge_at is not None and as_utc(document.purge_at) > now):
            return document
        # Already in the trash, purged later: bring the purge forward. The sleeping purge finds nothing left.
        moved = changed_rows(
            update(Document)
            .where(Document.id == document.id, Document.trashed_at.is_not(None), Document.purge_at > now)
            .values(purge_at=now)
            .execution_options(synchronize_session=False)
        )
        if not moved:
            db.session.rollback()
            _reload(document, name)
            return document
    _publish(document, DocumentDeleted, settings, client, purge_at=purge_at)
    _reload(document, name)
    return document


def _reload(document: Document, name: str) -> None:
    """Read the row again; DocumentNotFoundError when a purge deleted it after the request found it."""
    try:
        db.session.refresh(document)
    except InvalidRequestError:
        db.session.rollback()
        raise DocumentNotFoundError(name) from None


def empty_trash(user_id: int, settings: AppSettings, client: inngest.Inngest) -> list[Document]:
    """Purge every document in the user's trash now; what was in it (less any a purge finished meanwhile)."""
    emptied = []
    for document in list(list_trash(user_id)):
        try:
            emptied.append(trash_document(document, settings, client, purge_now=True))
        except DocumentNotFoundError:
            continue
    return emptied


def restore_document(document: Document, user: User, settings: AppSettings, client: inngest.Inngest) -> Document:
    """Take `document` out of the trash as it was: its chunks searchable again, its name its own again.

    Idempotent: a document not in the trash is answered as it is. A document whose purge has begun, or whose
    name a new document has taken since, cannot be restored (409, saying what to do).
    """
    if not document.is_trashed:
        return document
    name = document.display_name
    try:
        moved = changed_rows(
            update(Document)
            .where(
                Document.id == document.id,
                Document.trashed_at.is_not(None),
                Document.status != DocumentStatus.PURGING.value,
            )
            .values(name=Document.trashed_name, trashed_name=None, trashed_at=None, purge_at=None)
            .execution_options(synchronize_session=False)
        )
    except IntegrityError:
        db.session.rollback()
        raise ApiError(409, f"you have a new document named {name!r}: delete it first, then restore this one") from None
    if not moved:
        db.session.rollback()
        db.session.refresh(document)
        if document.is_trashed:
            raise ApiError(409, f"{name!r} is being deleted for good and can no longer be restored")
        return document
    _publish(document, DocumentRestored, settings, client)
    db.session.refresh(document)
    if document.status in IN_FLIGHT_STATUSES:
        # Its run was cancelled when it was trashed: hand it to processing again, so it comes back whole.
        requeue_document(document, user, settings, client)
    return document


def _publish(
    document: Document,
    event_type: type[DocumentEvent],
    settings: AppSettings,
    client: inngest.Inngest,
    **fields: object,
) -> None:
    """Commit the caller's pending move with its event, then try to send it (the relay sends what this cannot)."""
    db.session.refresh(document)
    event = event_type.model_validate(
        {"document_id": document.id, "user_id": document.user_id, "document_name": document.display_name, **fields}
    )
    publish(
        client,
        event.to_event(event_id=str(uuid.uuid4())),
        document_id=document.id,
        claim_seconds=settings.outbox_claim_seconds,
        starts_run=event_type.STARTS_RUN,
    )


def purge_closed_account(user: User, settings: AppSettings, client: inngest.Inngest) -> int:
    """What closing `user`'s account does to their documents: each is purged now, through purge-document like
    any other, and the last purge deletes the user's row. How many documents are purged.

    An account with no documents goes at once. Safe to repeat: documents already due stay as they are.
    """
    documents = db.session.scalars(db.select(Document).where(Document.user_id == user.id).order_by(Document.id)).all()
    for document in documents:
        trash_document(document, settings, client, purge_now=True)
    delete_closed_account_if_empty(user.id)
    return len(documents)


def delete_closed_account_if_empty(user_id: int) -> bool:
    """Delete the user's row if the account was closed and has no documents left; whether it did."""
    user = db.session.get(User, user_id)
    if user is None or user.closed_at is None:
        return False
    if db.session.scalar(db.select(Document.id).where(Document.user_id == user_id).limit(1)) is not None:
        return False
    db.session.delete(user)
    db.session.commit()
    return True
