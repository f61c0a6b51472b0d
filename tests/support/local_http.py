"""Running a real HTTP server on a free loopback port for the length of a `with` block."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, HTTPServer, ThreadingHTTPServer

SHUTDOWN_POLL_SECONDS = 0.02


@contextmanager
def serving(handler: type[BaseHTTPRequestHandler]) -> Iterator[str]:
    """Serve `handler` in a background thread; yields the server's URL."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    with in_a_thread(server) as url:
        yield url


@contextmanager
def in_a_thread(server: HTTPServer) -> Iterator[str]:
    """Run an HTTP server (a werkzeug WSGI server too) in a background thread; yields its URL, then stops it."""
    # shutdown() waits for the loop to look at its flag: every 0.5 s by default, half a second of
    # teardown for each of the hundreds of tests that run a stand-in server.
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": SHUTDOWN_POLL_SECONDS}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
