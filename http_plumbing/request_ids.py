"""Request ids: one per request, sent back as X-Request-Id and put in every error body and log line.

A caller's own X-Request-Id is kept when it is a plain token, so that ids can be followed across services.
"""

from __future__ import annotations

import logging
import re
import uuid

from flask import Flask, Response, has_request_context, request

HEADER = "X-Request-Id"
# What log records made outside a request (CLI, background threads) show.
NO_REQUEST = "-"
LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s]: %(message)s"

# Anything else is replaced: it ends up in logs, so no spaces, newlines or markup.
_SANE_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")
# Kept in the WSGI environ, which lives exactly as long as the request (unlike `g`,
# which a test's app context can share between requests).
_ENVIRON_KEY = "app.request_id"


def request_id_from(incoming: str | None) -> str:
    """The caller's id if it is a sane token, else a new one."""
    if incoming is not None and _SANE_REQUEST_ID.fullmatch(incoming):
        return incoming
    return uuid.uuid4().hex


def current_request_id() -> str:
    """The id of the request being handled, or "-" outside a request."""
    if not has_request_context():
        return NO_REQUEST
    request_id = request.environ.get(_ENVIRON_KEY)
    if not isinstance(request_id, str):
        request_id = request.environ[_ENVIRON_KEY] = request_id_from(request.headers.get(HEADER))
    return request_id


class RequestIdFilter(logging.Filter):
    """Adds `request_id` to every record, so that a handler's format can show it."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = current_request_id()
        return True


def register_request_ids(app: Flask) -> None:
    @app.after_request
    def send_request_id(response: Response) -> Response:
        response.headers[HEADER] = current_request_id()
        return response
