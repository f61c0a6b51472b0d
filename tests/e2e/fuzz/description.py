"""A stand-in for the app's own description while /api/openapi.json is being written: a few operations."""

from __future__ import annotations

from typing import Any

ERROR = {
    "description": "an error",
    "content": {
        "application/json": {
            "schema": {
                "type": "object",
                "required": ["error", "requestId"],
                "properties": {"error": {"type": "string"}, "requestId": {"type": "string"}},
            }
        }
    },
}
TOKEN = {
    "type": "object",
    "required": ["id", "name", "createdAt", "expiresAt", "lastUsedAt"],
    "properties": {
        "id": {"type": "integer"},
        "name": {"type": "string"},
        "createdAt": {"type": "string"},
        "expiresAt": {"type": "string"},
        "lastUsedAt": {"type": ["string", "null"]},
    },
}
WEBHOOK = {
    "type": "object",
    "required": ["webhook"],
    "properties": {"webhook": {"type": "object", "required": ["url"], "properties": {"url": {"type": "string"}}}},
}


def _json(schema: dict[str, Any], description: str = "ok") -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def interim_description() -> dict[str, Any]:
    return {
        "openapi": "3.1.0",
        "info": {"title": "documents", "version": "0"},
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        },
        "security": [{"bearer": []}],
        "paths": {
            "/api/tokens": {
                "get": {
                    "operationId": "listTokens",
                    "responses": {
                        "200": _json({"type": "object", "properties": {"tokens": {"type": "array", "items": TOKEN}}}),
                        "401": ERROR,
                        "429": ERROR,
                    },
                }
            },
            "/api/tokens/{token_id}": {
                "delete": {
                    "operationId": "revokeToken",
                    "parameters": [{"name": "token_id", "in": "path", "required": True, "schema": {"type": "integer"}}],
                    "responses": {"200": _json({"type": "object"}), "401": ERROR, "404": ERROR, "429": ERROR},
                }
            },
            "/api/documents/{document_name}": {
                "get": {
                    "operationId": "getDocument",
                    "parameters": [
                        {"name": "document_name", "in": "path", "required": True, "schema": {"type": "string"}}
                    ],
                    "responses": {
                        "200": _json({"type": "object", "required": ["document"]}),
                        "400": ERROR,
                        "401": ERROR,
                        "404": ERROR,
                        "429": ERROR,
                    },
                }
            },
            "/api/webhook": {
                "put": {
                    "operationId": "setWebhook",
                    "requestBody": {
                        "required": True,
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "object",
                                    "required": ["url"],
                                    "properties": {"url": {"type": "string", "format": "uri"}},
                                }
                            }
                        },
                    },
                    "responses": {
                        "200": _json(WEBHOOK),
                        "201": {
                            **_json(WEBHOOK),
                            "links": {
                                "GetWebhook": {"operationId": "getWebhook"},
                                "DeleteWebhook": {"operationId": "deleteWebhook"},
                            },
                        },
                        "400": ERROR,
                        "401": ERROR,
                        "415": ERROR,
                        "429": ERROR,
                    },
                },
                "get": {
                    "operationId": "getWebhook",
                    "responses": {"200": _json(WEBHOOK), "401": ERROR, "404": ERROR, "429": ERROR},
                },
                "delete": {
                    "operationId": "deleteWebhook",
                    "responses": {"200": _json({"type": "object"}), "401": ERROR, "404": ERROR, "429": ERROR},
                },
            },
        },
    }
