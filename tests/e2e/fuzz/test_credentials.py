"""Every operation the description says needs credentials refuses a call without any: 401, in the error shape.

What Schemathesis' ignored_auth check does, but never with a wrong token, which the app counts as a guess.
"""

from __future__ import annotations

import re
from typing import Any

import httpx
import schemathesis
from schemathesis.core.result import Ok

from tests.e2e.conftest import Stack

# Any value will do for a path parameter: the credentials are checked before the resource is looked up.
PLACEHOLDER = "1"


def needs_credentials(operation: schemathesis.APIOperation[Any, Any, Any, Any]) -> bool:
    security: list[dict[str, Any]] = operation.definition.raw.get("security", [])
    return bool(security) and all(requirement for requirement in security)


def test_every_operation_that_needs_credentials_refuses_a_call_without_them(
    stack: Stack, api_schema: schemathesis.BaseSchema
):
    # A part of the description Schemathesis cannot read fails here, as the fuzz tests would report it.
    operations = [result.ok() for result in api_schema.get_all_operations() if isinstance(result, Ok)]
    assert len(operations) == len(list(api_schema.get_all_operations()))
    guarded = [operation for operation in operations if needs_credentials(operation)]
    answered: dict[str, tuple[int, Any]] = {}
    with httpx.Client(base_url=stack.app_url, timeout=30) as anonymous:
        for operation in guarded:
            response = anonymous.request(operation.method.upper(), re.sub(r"\{[^}]+\}", PLACEHOLDER, operation.path))
            answered[operation.label] = (response.status_code, response.json())

    assert len(guarded) > 20
    refused = {label: (status, set(body)) for label, (status, body) in answered.items()}
    assert refused == {label: (401, {"error", "requestId"}) for label in answered}
