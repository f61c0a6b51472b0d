"""A real local HTTP server standing in for Inngest's Event API, so the SDK's send runs for real over the network;
and for the one REST call the outbox makes, `GET /v1/events/<id>/runs`."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any

from tests.support.local_http import serving


@dataclass
class EventApiBehaviour:
    """What the stand-in answers: status, body and content type, or a hang of `delay` seconds."""

    status: int = 200
    body: bytes | None = None  # None: a success body with one id per event
    content_type: str = "application/json"
    delay: float = 0.0


@dataclass
class EventApi:
    url: str
    behaviour: EventApiBehaviour = field(default_factory=EventApiBehaviour)
    received: list[dict[str, Any]] = field(default_factory=list)
    requests: int = 0
    # The runs `GET /v1/events/<internal id>/runs` lists, by the internal id the send answered with.
    runs: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    runs_status: int = 200
    run_queries: list[tuple[str, str | None]] = field(default_factory=list)  # (internal id, Authorization)

    def answer(self, **behaviour: Any) -> None:
        self.behaviour = EventApiBehaviour(**behaviour)


@contextmanager
def running_event_api() -> Iterator[EventApi]:
    api = EventApi(url="")

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            internal_id = self.path.removeprefix("/v1/events/").removesuffix("/runs")
            api.run_queries.append((internal_id, self.headers.get("Authorization")))
            body = json.dumps({"data": api.runs.get(internal_id, [])}).encode()
            self.send_response(api.runs_status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_POST(self) -> None:
            events = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            api.requests += 1
            behaviour = api.behaviour
            if behaviour.delay:
                time.sleep(behaviour.delay)
            body = behaviour.body
            if body is None:
                api.received.extend(events)
                ids = [f"evt-{len(api.received)}-{index}" for index in range(len(events))]
                body = json.dumps({"ids": ids, "status": 200}).encode()
            try:
                self.send_response(behaviour.status)
                self.send_header("Content-Type", behaviour.content_type)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up waiting, as it should

        def log_message(self, format: str, *args: Any) -> None:
            pass

    with serving(Handler) as url:
        api.url = url
        yield api
