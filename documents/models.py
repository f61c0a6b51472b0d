"""What we know about each document a user handed in, and the chunks of text we extracted."""

from __future__ import annotations

import enum
import json
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Boolean, DateTime, ForeignKey, Index, Integer, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from extensions import db
from timestamps import iso_utc, utcnow


class DocumentStatus(str, enum.Enum):
    QUEUED = "queued"
    PROCESSING = "processing"
    PROCESSED = "processed"
    UNCHANGED = "unchanged"
    FAILED = "failed"
    # Only ever shown while the document is in the trash: purge-document has begun and restoring is over.
    PURGING = "purging"


# What the API shows as a document's status while it is in the trash.
TRASHED = "trashed"
# What a webhook tells as the status of a document whose purge is done.
PURGED = "purged"
# A trashed document gives its name up, so that a new document can take it at once (the unique
# constraint is on (user_id, name)); this placeholder is never a name a user can give, since
# names cannot hold a backslash. The name stays in `trashed_name`, and comes back on restore.
_TRASHED_NAME = "\\trashed\\{id}"


class Document(db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "documents"
    __table_args__ = (
        UniqueConstraint("user_id", "name", name="uq_documents_user_name"),
        # The paged list's orders and its counts per status (migration 0008).
        Index("ix_documents_user_created", "user_id", "created_at", "id"),
        Index("ix_documents_user_updated", "user_id", "updated_at", "id"),
        Index("ix_documents_user_status_created", "user_id", "status", "created_at", "id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True, nullable=False)
    name: Mapped[str] = mapped_column(String(1024), nullable=False)
    s3_bucket: Mapped[str] = mapped_column(String(255), nullable=False)
    s3_key: Mapped[str] = mapped_column(String(1024), nullable=False)
    status: Mapped[str] = mapped_column(String(20), nullable=False, default=DocumentStatus.QUEUED.value)
    error: Mapped[str | None] = mapped_column(Text)
    size_bytes: Mapped[int | None] = mapped_column(Integer)
    etag: Mapped[str | None] = mapped_column(String(255))
    content_hash: Mapped[str | None] = mapped_column(String(64))
    # Chunking settings the stored chunks were made with: a change means "re-chunk".
    chunking: Mapped[str | None] = mapped_column(String(64))
    text_chars: Mapped[int | None] = mapped_column(Integer)
    chunk_count: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    run_id: Mapped[str | None] = mapped_column(String(64))
    # While OCR runs: how many pages it reads (those done are its rows in document_pages).
    ocr_pages_total: Mapped[int | None] = mapped_column(Integer)
    # Pages OCR could not read, as a JSON list of {"page", "reason"}; the rest of the document was kept.
    failed_pages: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, nullable=False)
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, onupdate=utcnow, nullable=False
    )
    processed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # In the trash since `trashed_at`; purged for good at `purge_at` unless restored before.
    trashed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    purge_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    trashed_name: Mapped[str | None] = mapped_column(String(1024))

    chunks: Mapped[list[Chunk]] = relationship(
        back_populates="document", cascade="all, delete-orphan", order_by="Chunk.position"
    )

    @property
    def is_trashed(self) -> bool:
        return self.trashed_at is not None

    @property
    def display_name(self) -> str:
        """The name the user gave it, in the trash or not."""
        return self.trashed_name if self.trashed_name is not None else self.name

    @staticmethod
    def trashed_placeholder(document_id: int) -> str:
        """The name a trashed document holds in place of its own, which it gives up."""
        return _TRASHED_NAME.format(id=document_id)

    def to_json(
        self,
        event_ids: Sequence[str] = (),
        delivery: dict[str, object] | None = None,
        pages_done: int | None = None,
    ) -> dict[str, object]:
        """The document as the API shows it, with the ids Inngest gave its events, its latest delivery and,
        while OCR reads it, how many of its pages are done."""
        progress = None
        if self.status == DocumentStatus.PROCESSING.value and self.ocr_pages_total and pages_done is not None:
            progress = {"pagesDone": pages_done, "pagesTotal": self.ocr_pages_total}
        return {
            "name": self.display_name,
            "status": TRASHED if self.is_trashed else self.status,
            "error": self.error,
            "s3Bucket": self.s3_bucket,
            "s3Key": self.s3_key,
            "sizeBytes": self.size_bytes,
            "etag": self.etag,
            "contentHash": self.content_hash,
            "textChars": self.text_chars,
            "chunkCount": self.chunk_count,
            "eventIds": list(event_ids),
            "delivery": delivery,
            "runId": self.run_id,
            "progress": progress,
            "failedPages": json.loads(self.failed_pages) if self.failed_pages else [],
            "createdAt": iso_utc(self.created_at),
            "updatedAt": iso_utc(self.updated_at),
            "processedAt": iso_utc(self.processed_at),
            "trashedAt": iso_utc(self.trashed_at),
            "purgeAt": iso_utc(self.purge_at),
        }


class Chunk(db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "chunks"
    __table_args__ = (UniqueConstraint("document_id", "position", name="uq_chunks_document_position"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"), nullable=False)
    position: Mapped[int] = mapped_column(Integer, nullable=False)
    text: Mapped[str] = mapped_column(Text, nullable=False)
    # Where the text came from: the 1-based pages it spans and the heading path above it
    # (joined with a right-pointing angle quotation mark). Null where the format has no pages or headings, and on chunks
    # stored before chunks knew where they came from.
    page_first: Mapped[int | None] = mapped_column(Integer)
    page_last: Mapped[int | None] = mapped_column(Integer)
    section: Mapped[str | None] = mapped_column(Text)
    # Its text, or some of it, was read from a page's image by OCR.
    # Only the server default, so an insert that names no `ocr` (one written for an older schema too) works.
    ocr: Mapped[bool] = mapped_column(Boolean, nullable=False, server_default=false())

    document: Mapped[Document] = relationship(back_populates="chunks")

    @property
    def pages(self) -> list[int] | None:
        """[first, last], or None when the pages are not known."""
        if self.page_first is None or self.page_last is None:
            return None
        return [self.page_first, self.page_last]

    def to_json(self) -> dict[str, object]:
        """The chunk as the API shows it: where it stands in its document, its text and where that came from."""
        return {
            "position": self.position,
            "text": self.text,
            "pages": self.pages,
            "section": self.section,
            "ocr": self.ocr,
        }


class DocumentPage(db.Model):  # type: ignore[name-defined,misc]
    """The text OCR read on one page of a document's content (`content_hash`), kept until its chunks are stored."""

    __tablename__ = "document_pages"
    __table_args__ = (UniqueConstraint("document_id", "page", name="uq_document_pages_document_page"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"), nullable=False)
    page: Mapped[int] = mapped_column(Integer, nullable=False)
    content_hash: Mapped[str] = mapped_column(String(64), nullable=False)
    text: Mapped[str] = mapped_column(Text, nullable=False)
    # Why OCR has no text for the page (it timed out), or None.
    failure: Mapped[str | None] = mapped_column(Text)


class PurgedDocument(db.Model):  # type: ignore[name-defined,misc]
    """What is left of a purged document: enough to refuse a late event for it, and nothing of its content."""

    __tablename__ = "purged_documents"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # No foreign keys: the document is gone, and its owner may be too.
    document_id: Mapped[int] = mapped_column(Integer, index=True, nullable=False)
    user_id: Mapped[int] = mapped_column(Integer, nullable=False)
    name: Mapped[str] = mapped_column(String(1024), nullable=False)
    purged_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, nullable=False)

    def to_json(self, *, purge_at: datetime | None = None) -> dict[str, object]:
        """The purged document in the shape Document.to_json has: its name, status `purged` and times; what
        went with it (its object, text and chunks) empty. `purge_at`: when its purge was due, which the
        tombstone does not keep."""
        return {
            "name": self.name,
            "status": PURGED,
            "error": None,
            "s3Bucket": None,
            "s3Key": None,
            "sizeBytes": None,
            "etag": None,
            "contentHash": None,
            "textChars": None,
            "chunkCount": 0,
            "eventIds": [],
            "delivery": None,
            "runId": None,
            "progress": None,
            "failedPages": [],
            "createdAt": None,
            "updatedAt": iso_utc(self.purged_at),
            "processedAt": None,
            "trashedAt": None,
            "purgeAt": iso_utc(purge_at),
        }
