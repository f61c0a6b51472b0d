"""OpenAPI 3.1 `webhooks`: what this service POSTs to a user's webhook endpoint, signed per Standard Webhooks."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from documents.api_models import DocumentJson
from webhooks.api_models import EVENT_TYPES, PurgedDocumentJson, WebhookPayload

WEBHOOK_MODELS: tuple[type[BaseModel], ...] = (WebhookPayload,)

_MEANINGS = {
    "document.processed": "The document was read and its chunks stored.",
    "document.unchanged": "Processed again, its content and settings were unchanged: the chunks stand.",
    "document.failed": "Processing failed; `document.error` says why.",
    "document.trashed": "The document was moved to the trash; `document.purgeAt` says when it is purged.",
    "document.purged": "The document and its chunks were deleted for good.",
}

# What a message's `document` is: the document as the API shows it, or, once purged, what is left of it.
_DOCUMENT_SHOWN = {event_type: DocumentJson.__name__ for event_type in EVENT_TYPES} | {
    "document.purged": PurgedDocumentJson.__name__
}

_SIGNATURE_HEADERS = [
    ("webhook-id", "The message id: the same on every retry of one message, so a receiver can drop repeats."),
    ("webhook-timestamp", "Seconds since the epoch when it was sent; refuse old ones to stop replays."),
    ("webhook-signature", "`v1,<base64 HMAC-SHA256>` of `<webhook-id>.<webhook-timestamp>.<body>` with the secret."),
]


def webhooks() -> dict[str, Any]:
    return {event_type: {"post": _delivery(event_type)} for event_type in EVENT_TYPES}


def _delivery(event_type: str) -> dict[str, Any]:
    return {
        "operationId": f"webhook.{event_type}",
        "summary": _MEANINGS[event_type],
        "description": (
            "Posted to your webhook's URL (PUT /api/webhook). Verify the signature with any Standard Webhooks library"
            " and the secret (whsec_...) you were shown. Anything but 2xx is retried."
        ),
        "parameters": [
            {"name": name, "in": "header", "required": True, "description": meaning, "schema": {"type": "string"}}
            for name, meaning in _SIGNATURE_HEADERS
        ],
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {
                    "schema": {
                        "allOf": [
                            {"$ref": f"#/components/schemas/{WebhookPayload.__name__}"},
                            {
                                "properties": {
                                    "type": {"const": event_type},
                                    "document": {"$ref": f"#/components/schemas/{_DOCUMENT_SHOWN[event_type]}"},
                                }
                            },
                        ]
                    }
                }
            },
        },
        "responses": {"2XX": {"description": "Taken. Any other answer, or none in time, is retried."}},
    }
