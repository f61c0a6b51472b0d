"""The webhook routes' contract, and the payload posted to a user's endpoint, as pydantic models."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, WithJsonSchema

from documents.api_models import DocumentJson, FailedPage
from webhooks.signing import SECRET_PREFIX


class WebhookRequest(BaseModel):
    """Read as sent: webhooks.addresses checks the URL and words the refusal."""

    model_config = ConfigDict(json_schema_extra={"required": ["url"]})

    url: Annotated[Any, WithJsonSchema({"type": "string", "description": "https:// in production"})] = None


class WebhookJson(BaseModel):
    model_config = ConfigDict(title="Webhook")

    url: str
    createdAt: str  # noqa: N815
    updatedAt: str  # noqa: N815
    secret: str | None = Field(
        default=None,
        pattern=f"^{SECRET_PREFIX}",
        description="The signing secret: only when the webhook is created or its secret rolled.",
    )


class WebhookAnswer(BaseModel):
    webhook: WebhookJson


class DeliveryJson(BaseModel):
    model_config = ConfigDict(title="WebhookDelivery")

    id: str = Field(description="The message id, as sent in the webhook-id header.")
    type: str
    documentName: str  # noqa: N815
    attempt: int
    status: Literal["delivered", "failed", "refused"]
    statusCode: int | None  # noqa: N815
    error: str | None
    at: str


class DeliveryList(BaseModel):
    deliveries: list[DeliveryJson]


EVENT_TYPES = ("document.processed", "document.unchanged", "document.failed", "document.trashed", "document.purged")


class PurgedDocumentJson(BaseModel):
    """A purged document as document.purged shows it: a Document's shape, with what went with it (its object,
    text and chunks) empty, and `updatedAt` when it was purged."""

    model_config = ConfigDict(title="PurgedDocument")

    name: str
    status: Literal["purged"]
    error: None
    s3Bucket: None  # noqa: N815
    s3Key: None  # noqa: N815
    sizeBytes: None  # noqa: N815
    etag: None
    contentHash: None  # noqa: N815
    textChars: None  # noqa: N815
    chunkCount: int  # noqa: N815
    eventIds: list[str]  # noqa: N815
    delivery: None
    runId: None  # noqa: N815
    progress: None
    failedPages: list[FailedPage]  # noqa: N815
    createdAt: None  # noqa: N815
    updatedAt: str  # noqa: N815
    processedAt: None  # noqa: N815
    trashedAt: None  # noqa: N815
    purgeAt: str | None  # noqa: N815


class WebhookPayload(BaseModel):
    """What is posted to the user's endpoint when a document's state changes, signed per Standard Webhooks."""

    type: Literal["document.processed", "document.unchanged", "document.failed", "document.trashed", "document.purged"]
    document: DocumentJson | PurgedDocumentJson
