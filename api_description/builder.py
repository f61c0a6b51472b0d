"""Walks the app's URL map and turns each JSON route's `Operation` into OpenAPI: paths, parameters, bodies,
every answer with its schema, security and links."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from typing import Any

from flask import Flask
from pydantic import BaseModel
from pydantic.json_schema import GenerateJsonSchema, JsonSchemaValue, models_json_schema
from pydantic_core import core_schema
from werkzeug.routing import Rule

from api_description.common_answers import common_answers
from api_description.security import SECURITY_REQUIREMENTS, security_schemes
from api_description.webhook_events import WEBHOOK_MODELS, webhooks
from http_plumbing.api_operations import Answer, ErrorBody, Operation, operation_of

TITLE = "Document processing API"
VERSION = "1"
JSON_PREFIXES = ("/api/", "/auth/")
JSON_PATHS = frozenset({"/healthz"})
# Under /api/ but not this API's JSON routes, by endpoint.
NOT_DESCRIBED = {
    # Inngest's own protocol (sync, introspection, function calls), spoken by the Inngest server and signed
    # with its key; the SDK owns it, and a caller of this API has no business there.
    "inngest_api": "Inngest's SDK endpoint",
    # The docs page's Swagger UI files: static assets, not JSON.
    "api_description.static": "Swagger UI's files",
}
_IGNORED_METHODS = frozenset({"HEAD", "OPTIONS"})
_ARGUMENT = re.compile(r"<(?:(?P<converter>\w+)(?:\([^)]*\))?:)?(?P<name>\w+)>")
_SCHEMA_REF = "#/components/schemas/{model}"


class _Generator(GenerateJsonSchema):
    """pydantic's JSON Schema, less `"default": null`: a body field read as sent defaults to None in Python,
    which says nothing to a caller, and contradicts the type the schema gives it."""

    def default_schema(self, schema: core_schema.WithDefaultSchema) -> JsonSchemaValue:
        json_schema = super().default_schema(schema)
        if "default" in json_schema and json_schema["default"] is None:
            del json_schema["default"]
        return json_schema


def is_json_route(rule: Rule) -> bool:
    """Whether the description must name this route: under /api/ or /auth/, or /healthz, and not set apart."""
    path = rule.rule
    return (path.startswith(JSON_PREFIXES) or path in JSON_PATHS) and rule.endpoint not in NOT_DESCRIBED


def described_routes(app: Flask) -> list[tuple[str, str]]:
    """(OpenAPI path, method) of every JSON route the app serves, described or not."""
    return sorted(
        (openapi_path(rule), method.lower())
        for rule in app.url_map.iter_rules()
        if is_json_route(rule)
        for method in (rule.methods or set()) - _IGNORED_METHODS
    )


def openapi_path(rule: Rule) -> str:
    return _ARGUMENT.sub(lambda match: "{" + match["name"] + "}", rule.rule)


def build_description(app: Flask) -> dict[str, Any]:
    """The OpenAPI 3.1 description of `app`'s JSON routes; a route with no `@documented` is left out (a test
    names it)."""
    operations: list[tuple[Rule, str, Operation]] = []
    for rule in app.url_map.iter_rules():
        operation = operation_of(app.view_functions[rule.endpoint])
        if operation is None or not is_json_route(rule):
            continue
        for method in sorted((rule.methods or set()) - _IGNORED_METHODS):
            operations.append((rule, method, operation))
    schemas = _schemas(_models(operation for _, _, operation in operations))
    paths: dict[str, dict[str, Any]] = {}
    for rule, method, operation in sorted(operations, key=lambda found: (found[0].rule, found[1])):
        paths.setdefault(openapi_path(rule), {})[method.lower()] = _operation(rule, method, operation)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": TITLE,
            "version": VERSION,
            "description": (
                "Hand documents in S3 to processing, follow them, read their chunks, search them, and manage the"
                ' trash, API tokens and a webhook. Every error is JSON: {"error": "...", "requestId": "..."}.'
            ),
        },
        "paths": paths,
        "webhooks": webhooks(),
        "components": {
            "schemas": schemas,
            "securitySchemes": security_schemes(app),
            "headers": {
                "X-Request-Id": {
                    "description": "This request's id (yours, if you sent a plain token); quote it to us.",
                    "schema": {"type": "string"},
                },
                "Retry-After": {
                    "description": "Seconds to wait before trying again.",
                    "schema": {"type": "string", "pattern": "^[0-9]+$"},
                },
            },
        },
    }


def _models(operations: Iterable[Operation]) -> set[type[BaseModel]]:
    found: set[type[BaseModel]] = {ErrorBody, *WEBHOOK_MODELS}
    for operation in operations:
        if operation.body is not None:
            found.add(operation.body)
        found.update(answer.model for answer in operation.answers.values() if answer.model is not None)
    return found


def _schemas(models: set[type[BaseModel]]) -> dict[str, Any]:
    ordered = sorted(models, key=lambda model: (model.__module__, model.__qualname__))
    _, definitions = models_json_schema(
        [(model, "serialization") for model in ordered], ref_template=_SCHEMA_REF, schema_generator=_Generator
    )
    found = definitions.get("$defs", {})
    # Each schema is referred to by its model's class name: two models of one name would need pydantic's
    # longer names instead.
    unnamed = sorted(model.__qualname__ for model in models if model.__name__ not in found)
    if unnamed:
        raise ValueError(f"models named like another model in the description: {unnamed}; rename them")
    return dict(sorted(found.items()))


def schema_ref(model: type[BaseModel]) -> dict[str, str]:
    return {"$ref": _SCHEMA_REF.format(model=model.__name__)}


def _operation(rule: Rule, method: str, operation: Operation) -> dict[str, Any]:
    described: dict[str, Any] = {
        "operationId": rule.endpoint,
        "summary": operation.summary,
        "tags": [_tag(rule.endpoint)],
        "security": SECURITY_REQUIREMENTS[operation.access],
        "parameters": [*_path_parameters(rule), *_query_parameters(operation), *_header_parameters(operation)],
        "responses": _responses(method, operation, takes_path_parameters="<" in rule.rule),
    }
    if operation.description:
        described["description"] = operation.description
    if operation.body is not None:
        described["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": schema_ref(operation.body)}},
        }
    if not described["parameters"]:
        del described["parameters"]
    return described


def _tag(endpoint: str) -> str:
    """The blueprint's name groups operations; the app's own routes (/healthz) are "health"."""
    blueprint, dot, _ = endpoint.partition(".")
    if not dot:
        return "health"
    return "description" if blueprint == "api_description" else blueprint


def _path_parameters(rule: Rule) -> list[dict[str, Any]]:
    parameters = []
    for match in _ARGUMENT.finditer(rule.rule):
        converter = match["converter"] or "default"
        # An id the database's integers can hold: SQLite's driver cannot even send a larger one.
        integer = {"type": "integer", "minimum": 0, "maximum": 2**63 - 1}
        schema: dict[str, Any] = integer if converter == "int" else {"type": "string", "minLength": 1}
        description = "A document's name; may hold slashes (folders)." if converter == "path" else None
        parameter: dict[str, Any] = {"name": match["name"], "in": "path", "required": True, "schema": schema}
        if description:
            parameter["description"] = description
        parameters.append(parameter)
    return parameters


def _query_parameters(operation: Operation) -> list[dict[str, Any]]:
    if operation.query is None:
        return []
    schema = operation.query.model_json_schema(schema_generator=_Generator)
    required = set(schema.get("required", []))
    return [
        {"name": name, "in": "query", "required": name in required, "schema": _without_default(field)}
        for name, field in schema.get("properties", {}).items()
    ]


def _without_default(field: Mapping[str, Any]) -> dict[str, Any]:
    # Fields read as sent default to None in Python, which is no value a query string can hold.
    return {key: value for key, value in field.items() if key not in {"default", "title"}}


def _header_parameters(operation: Operation) -> list[dict[str, Any]]:
    if not operation.idempotency_key:
        return []
    return [
        {
            "name": "Idempotency-Key",
            "in": "header",
            "required": False,
            "description": "Retry safely: the same key and body within 24 hours get the first answer again.",
            "schema": {"type": "string", "pattern": "^[\\x21-\\x7e]{1,255}$"},
        }
    ]


def _responses(method: str, operation: Operation, *, takes_path_parameters: bool) -> dict[str, Any]:
    answers = common_answers(method, operation, takes_path_parameters=takes_path_parameters)
    for status, answer in operation.answers.items():
        shared = answers.get(status)
        if shared is not None and answer.model is shared.model and answer.description != shared.description:
            answer = Answer(
                f"{answer.description} Or: {shared.description}",
                answer.model,
                retry_after=answer.retry_after or shared.retry_after,
                links=answer.links,
                media_type=answer.media_type,
                headers=answer.headers,
            )
        answers[status] = answer
    return {str(status): _response(answers[status]) for status in sorted(answers)}


def _response(answer: Answer) -> dict[str, Any]:
    headers: dict[str, Any] = {"X-Request-Id": {"$ref": "#/components/headers/X-Request-Id"}}
    if answer.retry_after:
        headers["Retry-After"] = {"$ref": "#/components/headers/Retry-After"}
    response: dict[str, Any] = {"description": answer.description, "headers": headers}
    for header, description in answer.headers.items():
        headers[header] = {"description": description, "schema": {"type": "string"}}
    if answer.model is not None:
        response["content"] = {answer.media_type: {"schema": schema_ref(answer.model)}}
    elif answer.media_type != "application/json":
        response["content"] = {answer.media_type: {"schema": {"type": "string"}}}
    if answer.links:
        response["links"] = {name: dict(link) for name, link in answer.links.items()}
    return response


def description_text(app: Flask) -> str:
    """The description as docs/openapi.json holds it: sorted keys, indented, one trailing newline."""
    return json.dumps(build_description(app), sort_keys=True, indent=2, ensure_ascii=False) + "\n"
