"""Handing documents back to processing after the extractor or the chunk settings change: which ones, and how.

The CLI calls it for a batch; an API route can call `reprocess` for one document.
"""

from __future__ import annotations

import enum
from collections import Counter
from dataclasses import dataclass

import inngest

from auth.models import User
from documents.models import Document, DocumentStatus
from documents.service import requeue_document
from extensions import db
from outbox import OutboxEvent
from processing.chunking import chunking_fingerprint
from settings import AppSettings

IN_FLIGHT_STATUSES = frozenset({DocumentStatus.QUEUED.value, DocumentStatus.PROCESSING.value})


class SkipReason(str, enum.Enum):
    """Why a batch leaves a document alone."""

    IN_FLIGHT = "in flight"
    CURRENT = "current"
    FAILED = "failed"


class DocumentInFlightError(Exception):
    """The document is queued or processing: the run in flight decides what its chunks become."""

    def __init__(self, document: Document) -> None:
        super().__init__(document.name)
        self.name = document.name
        self.status = document.status


@dataclass(frozen=True)
class OwnedDocument:
    document: Document
    owner: User


@dataclass(frozen=True)
class ReprocessingPlan:
    """The documents a batch sends, oldest first, and how many it leaves alone, by reason."""

    to_send: list[OwnedDocument]
    skipped: Counter[SkipReason]


def ensure_not_in_flight(document: Document) -> None:
    """DocumentInFlightError when `document` is queued or processing."""
    if document.status in IN_FLIGHT_STATUSES:
        raise DocumentInFlightError(document)


def current_chunking(settings: AppSettings) -> str:
    """The fingerprint chunks made with `settings` carry: stored chunks with another one are stale."""
    return chunking_fingerprint(settings.chunk_size, settings.chunk_overlap)


def skip_reason(document: Document, current: str, *, include_failed: bool) -> SkipReason | None:
    """Why a batch leaves `document` alone, or None when it is to be sent: its chunks are not `current`
    (or it failed, and failed documents were asked for)."""
    if document.status in IN_FLIGHT_STATUSES:
        return SkipReason.IN_FLIGHT
    if document.status == DocumentStatus.FAILED.value:
        return None if include_failed else SkipReason.FAILED
    return SkipReason.CURRENT if document.chunking == current else None


def plan_reprocessing(
    settings: AppSettings, *, user_id: int | None = None, include_failed: bool = False
) -> ReprocessingPlan:
    """Every document (or only `user_id`'s) sorted into those to send and those to leave alone."""
    query = (
        db.select(Document, User)
        .join(User, User.id == Document.user_id)
        .where(Document.trashed_at.is_(None))
        .order_by(Document.id)
    )
    if user_id is not None:
        query = query.where(Document.user_id == user_id)
    current = current_chunking(settings)
    to_send: list[OwnedDocument] = []
    skipped: Counter[SkipReason] = Counter()
    for document, owner in db.session.execute(query).tuples():
        reason = skip_reason(document, current, include_failed=include_failed)
        if reason is None:
            to_send.append(OwnedDocument(document, owner))
        else:
            skipped[reason] += 1
    return ReprocessingPlan(to_send, skipped)


def reprocess(document: Document, owner: User, settings: AppSettings, client: inngest.Inngest) -> OutboxEvent:
    """Send `document` to processing again, however current its chunks: marked queued and its event written
    in one transaction, then sent, or left in the outbox for the relay.

    DocumentInFlightError while it is queued or processing. A run for a document whose object and
    chunk settings have not changed since its chunks were made only marks it unchanged.
    """
    ensure_not_in_flight(document)
    # A POST between this check and the commit adds a second run, which waits for this one
    # (one run per document at a time) and then finds the chunks current.
    return requeue_document(document, owner, settings, client)
