"""GET /api/openapi.json, the description, and GET /api/docs, a page rendering it with Swagger UI's own files
(from the swagger-ui-bundle-v2 package, served here: no CDN)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, current_app, jsonify, render_template
from pydantic import BaseModel, ConfigDict
from swagger_ui_bundle import swagger_ui_path  # type: ignore[import-untyped]  # ships no py.typed

from api_description.builder import build_description
from http_plumbing.api_operations import Access, Answer, Operation, documented
from http_plumbing.browser_security import docs_page_security_headers

blueprint = Blueprint(
    "api_description",
    __name__,
    url_prefix="/api",
    static_folder=str(swagger_ui_path),
    static_url_path="/docs/assets",
)

_CACHE_KEY = "api_description"


class OpenApiDocument(BaseModel):
    """An OpenAPI 3.1 description: this very document."""

    model_config = ConfigDict(extra="allow")

    openapi: str
    info: dict[str, Any]
    paths: dict[str, Any]


def description() -> dict[str, Any]:
    """This app's description, built once: routes do not change while it runs."""
    built: dict[str, Any] | None = current_app.extensions.get(_CACHE_KEY)
    if built is None:
        built = current_app.extensions[_CACHE_KEY] = build_description(current_app)
    return built


@blueprint.get("/openapi.json")
@documented(
    Operation(
        "This API's OpenAPI 3.1 description",
        access=Access.ANYONE,
        answers={200: Answer("The description (docs/openapi.json holds the same).", OpenApiDocument)},
    )
)
def openapi() -> Response:
    return jsonify(description())


@blueprint.get("/docs")
@documented(
    Operation(
        "The description rendered by Swagger UI",
        access=Access.ANYONE,
        answers={200: Answer("An HTML page.", None, media_type="text/html")},
    )
)
def docs() -> Response:
    response = Response(render_template("api_docs.html"))
    response.headers.update(docs_page_security_headers())
    return response
