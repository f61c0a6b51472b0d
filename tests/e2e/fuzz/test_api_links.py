"""The description's links, followed against the running app: what one call creates, the next reads and deletes,
and every answer in the sequence conforms as a single call's must."""

from __future__ import annotations

from typing import Any

import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis import Case, Response
from schemathesis.specs.openapi.checks import ensure_resource_availability

from tests.e2e.fuzz.account import FuzzAccount
from tests.e2e.fuzz.checks import CHECKS

SEQUENCES = 15
STEPS_PER_SEQUENCE = 6


def test_linked_calls_conform_to_the_description(api_schema: schemathesis.BaseSchema, fuzz_account: FuzzAccount):
    class LinkedCalls(api_schema.as_state_machine()):  # type: ignore[misc]
        def call(self, case: Case[Any], **kwargs: Any) -> Response:
            fuzz_account.spare_own_token(case)
            response: Response = super().call(case, **kwargs)
            return response

        def validate_response(self, response: Response, case: Case[Any], additional_checks=None, **kwargs: Any) -> None:
            case.validate_response(
                response, checks=[*CHECKS, ensure_resource_availability], transport_kwargs=kwargs or None,
                recorder=self.recorder,
            )  # fmt: skip

    LinkedCalls.run(
        settings=settings(
            max_examples=SEQUENCES,
            stateful_step_count=STEPS_PER_SEQUENCE,
            derandomize=True,
            database=None,
            deadline=None,
            suppress_health_check=list(HealthCheck),
        )
    )
