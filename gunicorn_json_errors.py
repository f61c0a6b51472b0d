"""gunicorn's own refusals (a request line or headers too long, a malformed request), which it answers before the
app sees the request: in the app's one error shape, `{"error": ..., "requestId": ...}`, rather than an HTML page.

A module of its own, outside the app's packages, importing nothing of the app: gunicorn's master imports the
worker class before it forks the workers, and what the app's modules set up at import (locks, threads) must be
made in each worker, after the fork.
"""

from __future__ import annotations

import json
import socket
import uuid

from gunicorn import util
from gunicorn.workers.gthread import ThreadWorker


def write_json_error(sock: socket.socket, status: int, reason: str, message: str) -> None:
    """What gunicorn.util.write_error writes, as JSON: the status, its reason and gunicorn's message."""
    request_id = uuid.uuid4().hex
    body = json.dumps({"error": f"{reason}: {message}" if message else reason, "requestId": request_id}).encode()
    head = (
        f"HTTP/1.1 {status} {reason}\r\nConnection: close\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\nX-Request-Id: {request_id}\r\n\r\n"
    )
    util.write_nonblock(sock, head.encode("latin1") + body)


class JsonErrorWorker(ThreadWorker):  # type: ignore[misc]
    """gunicorn's threaded worker (what --threads picks), answering its own errors in JSON.

    gunicorn writes every such answer through util.write_error and offers no setting for it: the worker
    process replaces that one function as it starts, before it reads a request.
    """

    def init_process(self) -> None:
        util.write_error = write_json_error
        super().init_process()
