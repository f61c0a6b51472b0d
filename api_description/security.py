"""The two ways to sign in, as OpenAPI security schemes, and which an operation accepts."""

from __future__ import annotations

from typing import Any

from flask import Flask

from http_plumbing.api_operations import Access

SECURITY_REQUIREMENTS: dict[Access, list[dict[str, list[str]]]] = {
    Access.ANYONE: [],
    Access.SESSION: [{"session": []}],
    Access.SESSION_OR_TOKEN: [{"session": []}, {"token": []}],
    Access.PASSWORD_SESSION: [{"session": []}],
}


def security_schemes(app: Flask) -> dict[str, Any]:
    return {
        "session": {
            "type": "apiKey",
            "in": "cookie",
            "name": app.config["SESSION_COOKIE_NAME"],
            "description": (
                "The session cookie POST /auth/login sets (HttpOnly, SameSite=Lax, Secure in production). A request"
                " that changes something (POST, PUT, PATCH, DELETE) with it must come from this app's own origin: one"
                " whose Origin header names another origin, or whose Sec-Fetch-Site is cross-site, gets 403."
            ),
        },
        "token": {
            "type": "http",
            "scheme": "bearer",
            "bearerFormat": "dsk_...",
            "description": (
                "A personal API token (POST /api/tokens, or the Tokens page): `Authorization: Bearer dsk_...`."
                " Accepted on /api/ routes only; creating tokens, changing the password and deleting the account"
                " need the password session instead. Wrong tokens count toward the per-address limit (429)."
            ),
        },
    }
