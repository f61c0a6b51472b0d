"""Under gunicorn in production mode, a huge body to /api/inngest leaves the worker's peak memory flat:
unsigned, it is refused from the headers; signed-looking and chunked, it is cut off at the cap (413)."""

from __future__ import annotations

import socket
import threading
from pathlib import Path

import pytest

from tests.inngest_functions.test_request_signatures import SIGNING_KEY, current_time
from tests.support.app_server import app_server

MEGABYTE = 1024 * 1024
BODY_MEGABYTES = 300
CAP = MEGABYTE
# What a worker may grow by while it refuses such a body: sockets and buffers, never the body.
ALLOWED_GROWTH_KB = 20 * 1024


@pytest.fixture
def production_server(settings_overrides):
    settings_overrides.update(
        INNGEST_DEV=False, INNGEST_SIGNING_KEY=SIGNING_KEY, INNGEST_MAX_REQUEST_BYTES=CAP, OUTBOX_RELAY_ENABLED=False
    )
    with app_server(settings_overrides, workers=1, threads=2) as server:
        yield server


def worker_peak_kb(server) -> int:
    """VmHWM (peak resident set) of the server's one gunicorn worker, in kB."""
    master = server.process.pid
    [worker] = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    for line in Path(f"/proc/{worker}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    raise AssertionError("no VmHWM")


def send_huge_body(port: int, headers: bytes, *, chunked: bool) -> bytes:
    """Stream BODY_MEGABYTES of JSON; returns the status line the server answered with."""
    connection = socket.create_connection(("127.0.0.1", port), timeout=60)
    answer: list[bytes] = []

    def read_answer() -> None:
        try:
            answer.append(connection.recv(200))
        except OSError as error:
            answer.append(repr(error).encode())

    reader = threading.Thread(target=read_answer)
    reader.start()
    block = b"x" * MEGABYTE
    try:
        connection.sendall(headers)
        for _ in range(BODY_MEGABYTES):
            connection.sendall(b"%x\r\n%s\r\n" % (len(block), block) if chunked else block)
        if chunked:
            connection.sendall(b"0\r\n\r\n")
    except OSError:
        pass  # the server answered and closed: what we want
    reader.join(60)
    connection.close()
    return answer[0].split(b"\r\n")[0] if answer else b""


def test_an_unsigned_huge_body_is_refused_with_flat_memory(production_server):
    before = worker_peak_kb(production_server)
    length = BODY_MEGABYTES * MEGABYTE
    headers = (
        b"POST /api/inngest?fnId=x HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
        b"Content-Length: %d\r\n\r\n" % length
    )
    assert send_huge_body(production_server.port, headers, chunked=False) == b"HTTP/1.1 401 UNAUTHORIZED"
    assert worker_peak_kb(production_server) - before < ALLOWED_GROWTH_KB


def test_a_chunked_body_over_the_cap_is_413_with_flat_memory(production_server):
    before = worker_peak_kb(production_server)
    signature = b"t=%d&s=%s" % (current_time(), b"0" * 64)
    headers = (
        b"POST /api/inngest?fnId=x HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
        b"X-Inngest-Signature: %s\r\nTransfer-Encoding: chunked\r\n\r\n" % signature
    )
    assert send_huge_body(production_server.port, headers, chunked=True) == b"HTTP/1.1 413 REQUEST ENTITY TOO LARGE"
    assert worker_peak_kb(production_server) - before < ALLOWED_GROWTH_KB
