"""The documents API's contract: the bodies and query parameters its routes read, and the JSON they answer with."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, WithJsonSchema

from documents import chunks, listing, search

DocumentStatusName = Literal["queued", "processing", "processed", "unchanged", "failed", "trashed"]


# Read as sent: the domain function checks each value and words the refusal; the schema says what it accepts.
Name = Annotated[Any, WithJsonSchema({"type": "string", "minLength": 1, "maxLength": 1024})]
Cursor = Annotated[Any, WithJsonSchema({"type": "string", "description": "nextCursor of the previous page."})]
ContentType = Annotated[Any, WithJsonSchema({"type": "string", "description": "A media type that fits the extension."})]
Size = Annotated[Any, WithJsonSchema({"type": "integer", "minimum": 1, "description": "The file's size in bytes."})]
ListLimit = Annotated[Any, WithJsonSchema({"type": "integer", "minimum": 1, "maximum": listing.MAX_LIMIT})]
Statuses = Annotated[Any, WithJsonSchema({"type": "string", "description": "Statuses to show, comma-separated."})]
Prefix = Annotated[Any, WithJsonSchema({"type": "string", "maxLength": listing.MAX_PREFIX_CHARS})]
Sort = Annotated[Any, WithJsonSchema({"type": "string", "enum": list(listing.SORTS)})]
UpdatedSince = Annotated[
    Any, WithJsonSchema({"type": "string", "description": "nextUpdatedSince of an earlier answer."})
]
ChunkLimit = Annotated[Any, WithJsonSchema({"type": "integer", "minimum": 1, "maximum": chunks.MAX_LIMIT})]
SearchLimit = Annotated[Any, WithJsonSchema({"type": "integer", "minimum": 1, "maximum": search.MAX_LIMIT})]
Words = Annotated[Any, WithJsonSchema({"type": "string", "minLength": 1, "description": "Words every result holds."})]
Purge = Annotated[Any, WithJsonSchema({"type": "string", "description": '"1" or "true": purge at once.'})]


class SubmitRequest(BaseModel):
    model_config = ConfigDict(json_schema_extra={"required": ["documentName"]})

    documentName: Name = None  # noqa: N815


class UploadRequest(BaseModel):
    model_config = ConfigDict(json_schema_extra={"required": ["documentName", "contentType", "size"]})

    documentName: Name = None  # noqa: N815
    contentType: ContentType = None  # noqa: N815
    size: Size = None


class ListParameters(BaseModel):
    """GET /api/documents's parameters; documents.listing.ListQuery checks them, and refuses any other."""

    limit: ListLimit = None
    cursor: Cursor = None
    status: Statuses = None
    prefix: Prefix = None
    sort: Sort = None
    updatedSince: UpdatedSince = None  # noqa: N815


class ChunkParameters(BaseModel):
    limit: ChunkLimit = None
    cursor: Cursor = None


class SearchParameters(BaseModel):
    model_config = ConfigDict(json_schema_extra={"required": ["q"]})

    q: Words = None
    limit: SearchLimit = None
    cursor: Cursor = None


class DeleteParameters(BaseModel):
    purge: Purge = None

    @property
    def purge_now(self) -> bool:
        return self.purge in {"1", "true"}


class Delivery(BaseModel):
    model_config = ConfigDict(title="EventDelivery")

    status: Literal["pending", "delivered"]
    attempts: int
    lastError: str | None  # noqa: N815
    nextAttemptAt: str | None  # noqa: N815


class Progress(BaseModel):
    pagesDone: int  # noqa: N815
    pagesTotal: int  # noqa: N815


class FailedPage(BaseModel):
    """A page OCR could not read in time: the document is processed with the rest of its text."""

    page: int
    reason: str


class DocumentJson(BaseModel):
    model_config = ConfigDict(title="Document")

    name: str
    status: DocumentStatusName
    error: str | None
    s3Bucket: str  # noqa: N815
    s3Key: str  # noqa: N815
    sizeBytes: int | None  # noqa: N815
    etag: str | None
    contentHash: str | None  # noqa: N815
    textChars: int | None  # noqa: N815
    chunkCount: int  # noqa: N815
    eventIds: list[str]  # noqa: N815
    delivery: Delivery | None
    runId: str | None  # noqa: N815
    progress: Progress | None
    failedPages: list[FailedPage]  # noqa: N815
    createdAt: str  # noqa: N815
    updatedAt: str  # noqa: N815
    processedAt: str | None  # noqa: N815
    trashedAt: str | None  # noqa: N815
    purgeAt: str | None  # noqa: N815


class DocumentAnswer(BaseModel):
    document: DocumentJson


class DocumentsAnswer(BaseModel):
    documents: list[DocumentJson]


class Accepted(BaseModel):
    status: Literal["ok", "queued"]
    eventIds: list[str]  # noqa: N815
    document: DocumentJson


class DocumentPageJson(BaseModel):
    model_config = ConfigDict(title="DocumentPage")

    documents: list[DocumentJson]
    nextCursor: str | None  # noqa: N815
    previousCursor: str | None  # noqa: N815
    counts: dict[str, int]
    total: int
    nextUpdatedSince: str  # noqa: N815


class ChunkJson(BaseModel):
    model_config = ConfigDict(title="Chunk")

    position: int
    text: str
    pages: list[int] | None
    section: str | None
    ocr: bool


class ChunkPageJson(BaseModel):
    model_config = ConfigDict(title="ChunkPage")

    chunks: list[ChunkJson]
    nextCursor: str | None  # noqa: N815


class SearchHitJson(BaseModel):
    model_config = ConfigDict(title="SearchHit")

    documentName: str  # noqa: N815
    position: int
    pages: list[int] | None
    section: str | None
    snippet: str
    score: float


class SearchPageJson(BaseModel):
    model_config = ConfigDict(title="SearchPage")

    results: list[SearchHitJson]
    nextCursor: str | None  # noqa: N815


class UploadJson(BaseModel):
    model_config = ConfigDict(title="Upload")

    documentName: str  # noqa: N815
    s3Key: str  # noqa: N815
    url: str
    fields: dict[str, str]
    maxBytes: int  # noqa: N815
    expiresAt: str  # noqa: N815


class UploadAnswer(BaseModel):
    upload: UploadJson


class DownloadJson(BaseModel):
    url: str
