"""The webhook routes' contract, and the payload posted to a user's endpoint, as pydantic models."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, WithJsonSchema

from documents.api_models import DocumentJson
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


class WebhookPayload(BaseModel):
    """What is posted to the user's endpoint when a document's state changes, signed per Standard Webhooks."""

    type: Literal["document.processed", "document.unchanged", "document.failed", "document.trashed", "document.purged"]
    document: DocumentJson
