"""Reading `Authorization: Bearer <token>`: for the API, which accepts tokens, and the browser defences that skip it."""

from __future__ import annotations

from flask import request


def bearer_token() -> str | None:
    """The token of an `Authorization: Bearer` header (the scheme is case-insensitive), else None."""
    scheme, _, credentials = request.headers.get("Authorization", "").strip().partition(" ")
    if scheme.lower() != "bearer":
        return None
    return credentials.strip()


def carries_bearer_token() -> bool:
    # A browser adds no Authorization header of its own to a cross-site request, and a page
    # cannot add one without a CORS preflight this app never grants: such a request is not ambient.
    return bearer_token() is not None
