"""A pass-through in front of the local S3 that can hold the download of one object, or fail deletes: the network
edge a test controls, so that "a step is downloading" is a state the test can wait for rather than a moment it guesses.

Everything else (HEAD, PUT, listing) goes straight through to moto with its headers and body unchanged.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, unquote, urlsplit

import httpx

from tests.support.local_http import in_a_thread

# Headers that describe one hop, not the message: never passed on (RFC 9110, 7.6.1).
_HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "te", "trailer", "upgrade", "proxy-connection"}
HOLD_LIMIT_SECONDS = 300.0


class DownloadGate:
    """Holds every GET of `held_path` (`/<bucket>/<key>`) until `release()`; counts the GETs that arrived."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._held_path: str | None = None
        self._open = threading.Event()
        self._open.set()
        self.downloads_waiting = 0
        self._deletes_to_fail = 0
        self.deletes_failed = 0

    def fail_deletes(self, count: int) -> None:
        """Answer the next `count` batch deletes (POST /<bucket>?delete) with S3's 500 InternalError."""
        with self._lock:
            self._deletes_to_fail = count

    def fails_delete(self) -> bool:
        with self._lock:
            if self._deletes_to_fail <= 0:
                return False
            self._deletes_to_fail -= 1
            self.deletes_failed += 1
            return True

    def hold(self, bucket: str, key: str) -> None:
        with self._lock:
            self._held_path = f"/{bucket}/{key}"
            self._open.clear()

    def release(self) -> None:
        self._open.set()

    def holds(self, path: str) -> bool:
        with self._lock:
            return self._held_path == path and not self._open.is_set()

    def wait_at_gate(self) -> None:
        with self._lock:
            self.downloads_waiting += 1
        self._open.wait(HOLD_LIMIT_SECONDS)


@contextmanager
def gated_s3(s3_endpoint: str) -> Iterator[tuple[str, DownloadGate]]:
    """A pass-through to `s3_endpoint` on a free loopback port: yields its URL and the gate of its downloads."""
    gate = DownloadGate()
    upstream = httpx.Client(base_url=s3_endpoint, timeout=60)

    class PassThrough(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _forward(self) -> None:
            path = unquote(urlsplit(self.path).path)
            if self.command == "GET" and gate.holds(path):
                gate.wait_at_gate()
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            batch_delete = "delete" in parse_qs(urlsplit(self.path).query, keep_blank_values=True)
            if self.command == "POST" and batch_delete and gate.fails_delete():
                self._answer_internal_error()
                return
            headers = {name: value for name, value in self.headers.items() if name.lower() not in _HOP_BY_HOP}
            request = upstream.build_request(self.command, self.path, headers=headers, content=body)
            answer = upstream.send(request, stream=True)
            try:
                # The bytes as moto sent them, encoded or not, so the checksums boto3 checks still hold.
                content = b"".join(answer.iter_raw())
            finally:
                answer.close()
            # A client killed while its download was held is gone: nothing to answer.
            with suppress(BrokenPipeError, ConnectionResetError):
                self.send_response(answer.status_code)
                for name, value in answer.headers.multi_items():
                    if name.lower() not in _HOP_BY_HOP:
                        self.send_header(name, value)
                if "content-length" not in answer.headers:  # it came chunked: one hop's framing
                    self.send_header("Content-Length", str(len(content)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(content)

        def _answer_internal_error(self) -> None:
            error = b"<Error><Code>InternalError</Code><Message>We encountered an internal error.</Message></Error>"
            self.send_response(500)
            self.send_header("Content-Type", "application/xml")
            self.send_header("Content-Length", str(len(error)))
            self.end_headers()
            self.wfile.write(error)

        # http.server's own names for the handlers of each method.
        do_GET = do_PUT = do_POST = do_HEAD = do_DELETE = _forward  # noqa: N815

        def log_message(self, format: str, *args: object) -> None:
            return None

    server = ThreadingHTTPServer(("127.0.0.1", 0), PassThrough)
    server.daemon_threads = True
    try:
        with in_a_thread(server) as url:
            yield url, gate
    finally:
        gate.release()
        upstream.close()
