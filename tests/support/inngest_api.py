"""A real local HTTP server standing in for Inngest's REST API (app registration, run data), recording every request.

Like Inngest, it accepts only `Authorization: Bearer <hashed signing key>` for the keys it is told about.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any

from tests.support.local_http import serving


def bearer_token(signing_key: str) -> str:
    """What the SDK sends for `signing_key`: SHA-256 of the key's hex bytes, without its `signkey-<env>-` prefix."""
    return hashlib.sha256(bytes.fromhex(re.sub(r"^signkey-\w+-", "", signing_key))).hexdigest()


@dataclass
class ApiRequest:
    method: str
    path: str
    authorization: str | None
    body: Any


@dataclass
class InngestApi:
    url: str
    accepted_keys: list[str]
    # GET path -> the JSON it answers, e.g. "/v0/runs/<run id>/batch".
    run_data: dict[str, Any] = field(default_factory=dict)
    requests: list[ApiRequest] = field(default_factory=list)

    @property
    def registrations(self) -> list[ApiRequest]:
        return [request for request in self.requests if request.path == "/fn/register"]


@contextmanager
def running_inngest_api(accepted_keys: list[str]) -> Iterator[InngestApi]:
    api = InngestApi(url="", accepted_keys=accepted_keys)

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self._answer(None)

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            self._answer(json.loads(self.rfile.read(length)) if length else None)

        def _answer(self, body: Any) -> None:
            path = self.path.split("?", 1)[0]
            authorization = self.headers.get("Authorization")
            api.requests.append(ApiRequest(self.command, path, authorization, body))
            accepted = {f"Bearer {bearer_token(key)}" for key in api.accepted_keys}
            if authorization not in accepted:
                self._send(401, {"error": "authentication failed"})
            elif self.command == "POST" and path == "/fn/register":
                self._send(200, {"ok": True, "modified": True})
            elif self.command == "GET" and path in api.run_data:
                self._send(200, api.run_data[path])
            else:
                self._send(404, {"error": "not found"})

        def _send(self, status: int, payload: Any) -> None:
            encoded = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(encoded)))
            self.end_headers()
            self.wfile.write(encoded)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    with serving(Handler) as url:
        api.url = url
        yield api
