"""The fuzz run's account, seeded with documents so the read routes have something to read, and the API's
OpenAPI description as Schemathesis loads it from the running app, signed in with the account's API token.

The counts of the whole run are printed at the end of pytest's output and kept in test-artifacts/fuzzing.txt.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest
import schemathesis
from schemathesis import Case, CheckResult, HookContext, Response
from schemathesis.core.failures import Failure

from tests.e2e.conftest import Stack
from tests.e2e.fuzz.account import FuzzAccount
from tests.e2e.fuzz.tally import TALLY

SEED = 20261206
# Per operation; with the explicit examples and the coverage phase this keeps the run near a minute.
EXAMPLES_PER_OPERATION = 50
SEEDED_DOCUMENTS = {
    "notes/fuzzing.txt": b"The quick brown fox jumps over the lazy dog.\n" * 20,
    "report.md": b"# Quarterly report\n\nRevenue grew; the fox was pleased.\n" * 10,
}


def create_token(session: httpx.Client, name: str) -> dict[str, Any]:
    response = session.post("/api/tokens", json={"name": name})
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()["token"]
    return created


@pytest.fixture(scope="session")
def fuzz_account(stack: Stack) -> FuzzAccount:
    """A user with processed documents and an API token: the fuzzer's identity for the whole run."""
    session = stack.user("fuzzer@example.com")
    token = create_token(session, "fuzzer")
    spare = create_token(session, "spare, for the fuzzer to revoke")
    for name, content in SEEDED_DOCUMENTS.items():
        stack.upload(session, name, content)
        response = session.post("/api/route", json={"documentName": name})
        assert response.status_code in {200, 202}, response.text
    for name in SEEDED_DOCUMENTS:
        stack.settled(session, name, "processed")
    return FuzzAccount(session, token["token"], token["id"], spare["id"])


def fuzzing_config(token: str) -> schemathesis.Config:
    return schemathesis.Config.from_dict(
        {
            "seed": SEED,
            "headers": {"Authorization": f"Bearer {token}"},
            "generation": {
                "mode": "all",
                "max-examples": EXAMPLES_PER_OPERATION,
                "deterministic": True,
                "database": "none",
                # The token above is the only credential sent: generated ones would be wrong tokens,
                # which the app counts as guesses and, past its limit, answers 429 to every request.
                "with-security-parameters": False,
            },
            "operations": [
                # Every wrong password there counts against the per-address limit that wrong tokens share:
                # fuzzing it would get the fuzzer's own requests, and the rest of the session's sign-ins, 429.
                # Its refusals are tested in tests/auth/.
                {"include-name": "POST /auth/login", "enabled": False},
            ],
        }
    )


@pytest.fixture(scope="session")
def api_schema(stack: Stack, fuzz_account: FuzzAccount) -> schemathesis.BaseSchema:
    """The description the app serves, as a client would find it."""
    config = fuzzing_config(fuzz_account.token)
    schema = schemathesis.openapi.from_url(f"{stack.app_url}/api/openapi.json", config=config)
    schema.config.update(base_url=stack.app_url)
    _count(schema)
    return schema.exclude(method="POST", path="/auth/login")


def _count(schema: schemathesis.BaseSchema) -> None:
    @schema.hook("after_call")
    def count_response(context: HookContext, case: Case[Any], response: Response) -> None:
        TALLY.count_response(case.operation.label, response.status_code)

    @schema.hook("after_validate")
    def count_failures(context: HookContext, case: Case[Any], response: Response, results: list[CheckResult]) -> None:
        for result in results:
            if isinstance(result.failure, Failure):
                TALLY.count_failure(result.name)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if TALLY.requests:
        terminalreporter.write_line(TALLY.write())
