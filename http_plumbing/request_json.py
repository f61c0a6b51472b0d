"""Reading a JSON object from the request body, with errors a caller can act on."""

from __future__ import annotations

from typing import Any, TypeVar

from flask import request
from pydantic import BaseModel, ValidationError

from http_plumbing.errors import ApiError

Model = TypeVar("Model", bound=BaseModel)


def json_body() -> Any:
    """The body parsed as JSON, or None when it is not JSON; 400 when it nests too deeply to parse.

    Python's parser gives up on deep nesting with RecursionError, which Flask does
    not turn into a 400 as it does other bad JSON.
    """
    try:
        return request.get_json(silent=True)
    except RecursionError:
        raise ApiError(400, "the JSON body is nested too deeply; send a flat JSON object") from None


def json_object() -> dict[str, Any]:
    """The request body as a JSON object, or a 415/400 ApiError that says what to send."""
    if not request.is_json:
        raise ApiError(415, "send the body as JSON with Content-Type: application/json")
    body = json_body()
    if body is None:
        raise ApiError(400, "the body is not valid JSON")
    if not isinstance(body, dict):
        raise ApiError(400, "the body must be a JSON object")
    return body


def json_model(
    model: type[Model], *, refusal: str = "the body does not fit this route; see /api/openapi.json"
) -> Model:
    """The body read into `model` (a route's contract, also its API description); 400 with `refusal` when it
    does not fit, or the 415/400 of json_object()."""
    try:
        return model.model_validate(json_object())
    except ValidationError:
        raise ApiError(400, refusal) from None


def query_model(model: type[Model]) -> Model:
    """The query string read into `model`, each parameter's first value; its fields take any string."""
    return model.model_validate(request.args.to_dict())
