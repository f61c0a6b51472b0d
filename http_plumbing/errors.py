"""Errors a user can act on, and the one place that turns any error into JSON."""

from __future__ import annotations

import logging
import sqlite3

from flask import Flask, Response, jsonify, request
from sqlalchemy.exc import DataError, DBAPIError
from werkzeug.exceptions import HTTPException, SecurityError

from http_plumbing.request_ids import current_request_id
from settings import S3NotConfiguredError

logger = logging.getLogger(__name__)

# How long a client should wait when the database cannot be reached: about a restart's length.
DATABASE_RETRY_AFTER_SECONDS = 5

INVALID_INPUT_MESSAGE = "the request holds a value the database cannot store (a NUL character, say); remove it"

# SQLSTATEs of a connection lost or refused by the server: class 08, and a server shutting down or starting.
_CONNECTION_SQLSTATES = ("08", "57P01", "57P02", "57P03")
# What SQLite says when the file cannot be reached or another process holds it past the busy timeout.
_SQLITE_UNAVAILABLE = ("unable to open database file", "database is locked", "disk i/o error")

# Names no host, ours or the caller's: the list of trusted names is not for outsiders.
UNTRUSTED_HOST_MESSAGE = "this server does not answer to that host name; use the address you were given"


class ApiError(Exception):
    """An error whose message is safe and useful to show to the caller."""

    def __init__(self, status: int, message: str, *, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers or {}


def error_response(status: int, message: str, headers: dict[str, str] | None = None) -> Response:
    """The one shape of every error: `{"error": ..., "requestId": ...}`; the id is also in X-Request-Id."""
    response = jsonify(error=message, requestId=current_request_id())
    response.status_code = status
    response.headers.update(headers or {})
    return response


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(ApiError)
    def handle_api_error(error: ApiError) -> Response:
        return error_response(error.status, error.message, error.headers)

    @app.errorhandler(S3NotConfiguredError)
    def handle_s3_not_configured(error: S3NotConfiguredError) -> Response:
        return error_response(500, str(error))

    @app.errorhandler(HTTPException)
    def handle_http_exception(error: HTTPException) -> Response:
        if isinstance(error.response, Response):
            # Already built with error_response() (the rate limiter's on_breach).
            return error.response
        status = error.code or 500
        headers = {key: value for key, value in error.get_headers() if key.lower() in {"allow", "retry-after"}}
        if isinstance(error, SecurityError):  # a Host header not in TRUSTED_HOSTS
            return error_response(status, UNTRUSTED_HOST_MESSAGE, headers)
        return error_response(status, _HTTP_MESSAGES.get(status, error.name), headers)

    @app.errorhandler(Exception)
    def handle_unexpected(error: Exception) -> Response:
        lost = lost_database_connection(error)
        if lost is not None:
            # The database restarting, failing over or refusing connections: worth a retry, not a 500.
            # What the driver said names hosts and ports, so it goes to the log only.
            logger.warning("database unavailable in %s %s: %s", request.method, request.path, lost)
            return error_response(
                503,
                "the database is unavailable for a moment; try again shortly"
                " (with the same Idempotency-Key, if you sent one)",
                {"Retry-After": str(DATABASE_RETRY_AFTER_SECONDS)},
            )
        if _database_error(error, DataError) is not None:
            logger.warning("invalid input in %s %s: %s", request.method, request.path, error)
            return error_response(400, INVALID_INPUT_MESSAGE)
        # Logged with the traceback (and, through the log format, the request id) for us;
        # the caller gets no internals, only the id to quote.
        logger.exception("unhandled error in %s %s", request.method, request.path)
        return error_response(500, "internal error; the failure was logged, try again later")


def lost_database_connection(error: BaseException) -> BaseException | None:
    """The database error behind `error` if it says the connection was lost or refused, else None.

    Only those are worth a retry: a query the database refused (bad input, a timeout, a bug)
    fails again the same way. Found when raised directly or as the cause of what was raised,
    since a connection lost in the middle of a request often surfaces as a later error (the
    session's PendingRollbackError, say), raised while the first was being handled.
    """
    for seen in _chain(error):
        if isinstance(seen, DBAPIError) and (seen.connection_invalidated or _connection_failure(seen.orig)):
            return seen
    return None


def _connection_failure(driver_error: BaseException | None) -> bool:
    # Imported here, on a database error, so that an app on SQLite does not load the driver at start-up.
    import psycopg

    if isinstance(driver_error, OSError):  # the socket itself: refused, reset, timed out
        return True
    if isinstance(driver_error, psycopg.Error):
        if driver_error.sqlstate is None:
            # Raised by the client, not the server: refused, reset, closed.
            return isinstance(driver_error, psycopg.OperationalError | psycopg.InterfaceError)
        return driver_error.sqlstate.startswith(_CONNECTION_SQLSTATES)
    if isinstance(driver_error, sqlite3.OperationalError):
        return str(driver_error).lower().startswith(_SQLITE_UNAVAILABLE)
    return False


def _database_error(error: BaseException, kind: type[DBAPIError]) -> BaseException | None:
    return next((seen for seen in _chain(error) if isinstance(seen, kind)), None)


def _chain(error: BaseException) -> list[BaseException]:
    """`error` and what it was raised from or while handling, nearest first (never a cycle)."""
    chain: list[BaseException] = []
    seen: BaseException | None = error
    while seen is not None and len(chain) < 10:
        chain.append(seen)
        seen = seen.__cause__ or seen.__context__
    return chain


_HTTP_MESSAGES = {
    400: "the request could not be understood; send a JSON object",
    404: "not found",
    405: "method not allowed on this URL",
    413: "request body too large",
    415: "send the body as JSON with Content-Type: application/json",
    429: "too many requests; try again later",
}
