"""The fuzzer's identity: one user, signed in with an API token it must not revoke mid-run."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx
from schemathesis import Case

REVOKE_TOKEN_PATH = "/api/tokens/{token_id}"


@dataclass(frozen=True)
class FuzzAccount:
    session: httpx.Client
    token: str
    token_id: int
    spare_token_id: int

    def spare_own_token(self, case: Case[Any]) -> None:
        """Revoking its own token would sign the fuzzer out for the rest of the run: it revokes the spare instead."""
        parameters = case.path_parameters
        revoking = case.method.upper() == "DELETE" and case.path == REVOKE_TOKEN_PATH
        if revoking and parameters is not None and str(parameters.get("token_id")) == str(self.token_id):
            parameters["token_id"] = self.spare_token_id
