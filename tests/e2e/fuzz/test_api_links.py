"""The description's links, followed against the running app: what one call creates, the next reads and deletes,
and every answer in the sequence conforms as a single call's must."""

from __future__ import annotations

import contextlib
from typing import Any

import schemathesis
from hypothesis import HealthCheck, Phase, seed, settings
from hypothesis.errors import Flaky
from schemathesis import Case, Response
from schemathesis.core.failures import FailureGroup
from schemathesis.specs.openapi.checks import ensure_resource_availability

from tests.e2e.fuzz.account import FuzzAccount
from tests.e2e.fuzz.checks import CHECKS
from tests.e2e.fuzz.conftest import SEED
from tests.e2e.fuzz.tally import TALLY

SEQUENCES = 40
STEPS_PER_SEQUENCE = 8
ROUNDS = 4


def test_linked_calls_conform_to_the_description(api_schema: schemathesis.BaseSchema, fuzz_account: FuzzAccount):
    failures: list[str] = []

    class LinkedCalls(api_schema.as_state_machine()):  # type: ignore[misc]
        def setup(self) -> None:
            TALLY.count_sequence()

        def call(self, case: Case[Any], **kwargs: Any) -> Response:
            fuzz_account.spare_own_token(case)
            response: Response = super().call(case, **kwargs)
            return response

        def validate_response(self, response: Response, case: Case[Any], additional_checks=None, **kwargs: Any) -> None:
            checks = [*CHECKS, ensure_resource_availability]
            try:
                case.validate_response(response, checks=checks, transport_kwargs=kwargs or None, recorder=self.recorder)
            except FailureGroup as failure:
                # Kept as it happened (with its curl command): replaying a sequence against a live app can
                # go differently, and Hypothesis then reports the replay, not this.
                failures.append(str(failure))
                raise

    # What a sequence may do next depends on what the app answered before (the links read the answers), and
    # the app's state moves on between runs: Hypothesis may call that flaky and stop generating early. Another
    # round, from the next seed, carries on until the sequences are run.
    started = TALLY.sequences
    for round_seed in range(SEED, SEED + ROUNDS):
        remaining = SEQUENCES - (TALLY.sequences - started)
        if remaining <= 0 or failures:
            break
        with contextlib.suppress(Flaky):
            seed(round_seed)(LinkedCalls).run(
                settings=settings(
                    max_examples=remaining,
                    stateful_step_count=STEPS_PER_SEQUENCE,
                    database=None,
                    deadline=None,
                    # Shrinking replays sequences whose answers have changed since: the failure as found is clearer.
                    phases=[Phase.explicit, Phase.generate],
                    suppress_health_check=list(HealthCheck),
                )
            )
    assert not failures, "\n\n".join(failures)
