"""What every response must do: conform to the description, refuse what it calls invalid, never fail on the server."""

from __future__ import annotations

from typing import Any

import schemathesis
from schemathesis import Case, CheckContext, Response
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    missing_required_header,
    negative_data_rejection,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
    unsupported_method,
)


@schemathesis.check
def no_server_error_but_a_retryable_one(ctx: CheckContext, response: Response, case: Case[Any]) -> bool | None:
    """A 5xx is a defect, except a 503 the operation documents and answers with Retry-After (the database
    restarting, say): a client is told when to come back."""
    status = response.status_code
    if status < 500:
        return None
    documented = "503" in case.operation.definition.raw.get("responses", {})
    if status == 503 and documented and "retry-after" in {name.lower() for name in response.headers}:
        return None
    raise AssertionError(f"server error {status}: {response.text[:500]}")


CHECKS = [
    no_server_error_but_a_retryable_one,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    # What the description calls invalid (a wrong type, a missing field or header, a method it does not
    # list), the app refuses with a 4xx.
    negative_data_rejection,
    missing_required_header,
    unsupported_method,
]
