"""Every operation of the API's description, fuzzed against the running app: valid and invalid requests alike
must get a documented status, content type and body, and never a server error."""

from __future__ import annotations

from typing import Any

import schemathesis
from schemathesis import Case

from tests.e2e.fuzz.account import FuzzAccount
from tests.e2e.fuzz.checks import CHECKS

schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
def test_every_answer_conforms_to_the_description(case: Case[Any], fuzz_account: FuzzAccount) -> None:
    fuzz_account.spare_own_token(case)
    case.call_and_validate(checks=CHECKS)
