"""The OpenAPI 3.1 description of the JSON API, assembled from the routes' own `@documented` records and
pydantic models (http_plumbing/api_operations.py), served at /api/openapi.json with a docs page at /api/docs."""

from __future__ import annotations

from api_description.builder import build_description
from api_description.routes import blueprint

__all__ = ["blueprint", "build_description"]
