"""Guards /api/inngest before the SDK's view reads a byte of the body.

The SDK reads, decodes and JSON-parses the whole body before it verifies the
HMAC of `X-Inngest-Signature`, and never looks at the signature's age. So, in
production, a request that is not signed, or whose signature is malformed or
not dated within five minutes of now, is refused here from its headers alone;
and every body, signed or not, is capped at INNGEST_MAX_REQUEST_BYTES (413).
The HMAC itself stays the SDK's job. On the way out, the SDK's error bodies
lose their Python tracebacks, which name our files: the executor keeps the
error's name and message.
"""

from __future__ import annotations

import json
import logging
import re
import time
import urllib.parse
from collections.abc import Callable
from typing import Any

from flask import Flask, Response, request
from werkzeug.exceptions import RequestEntityTooLarge

from settings import AppSettings

logger = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-Inngest-Signature"
# Inngest's TypeScript SDK refuses signatures more than five minutes old
# (RequestSignature.hasExpired); we also refuse those dated as far ahead.
MAX_SIGNATURE_SKEW_SECONDS = 5 * 60

# What the SDK answers for any signature it refuses (CommResponse.unauthorized in
# inngest/_internal/comm_lib/models.py), so a stale signature looks like a bad one.
_REFUSAL_BODY = json.dumps({"message": "Unauthorized"})
_REFUSAL_HEADERS = {"Content-Type": "application/json", "X-Inngest-SDK-Handled": "true"}

_SDK_ENDPOINT = "inngest_api"
_UNIX_SECONDS = re.compile(r"[0-9]{1,12}")
_HEX_SHA256 = re.compile(r"[0-9a-f]{64}")


def protect_inngest_endpoint(app: Flask, settings: AppSettings, *, now: Callable[[], float] = time.time) -> None:
    """Refuse what the SDK must not read (see the module's docstring) and strip tracebacks from its answers.

    Call after `inngest.flask.serve()`, which adds the endpoint. Development mode
    has no signing key, so there only the body cap applies.
    """
    # serve() registers its view under its function's name (inngest/flask.py);
    # should an SDK upgrade rename it, start-up fails here instead of leaving
    # the endpoint unprotected.
    if _SDK_ENDPOINT not in app.view_functions:
        raise RuntimeError("protect_inngest_endpoint() must be called after inngest.flask.serve()")

    @app.before_request
    def guard_inngest_endpoint() -> Response | None:
        if request.endpoint != _SDK_ENDPOINT:
            return None
        request.max_content_length = settings.inngest_max_request_bytes
        if not settings.inngest_dev:
            problem = signature_problem(
                request.method,
                request.headers.get(SIGNATURE_HEADER),
                now(),
                unauthed_sync=settings.inngest_enable_unauthed_sync,
            )
            if problem is not None:
                logger.warning("refused a %s to the Inngest endpoint: %s", request.method, problem)
                return Response(_REFUSAL_BODY, status=401, headers=_REFUSAL_HEADERS)
        if request.method in {"POST", "PUT"}:
            # Read here, within the cap, so a body over it is a 413 in our JSON rather than
            # an exception inside the SDK's view (or a truncated body); the SDK then reads the cached copy.
            body = request.get_data(cache=True)
            # A chunked body has no length to check up front: werkzeug stops reading it at
            # the cap without a word, so one more byte tells a body cut short from one that fits.
            if len(body) >= settings.inngest_max_request_bytes and request.environ["wsgi.input"].read(1):
                raise RequestEntityTooLarge()
        return None

    @app.after_request
    def strip_tracebacks(response: Response) -> Response:
        if request.endpoint == _SDK_ENDPOINT and response.is_json:
            body = response.get_json(silent=True)
            if _has_stack(body):
                response.set_data(json.dumps(_without_stacks(body)))
        return response


def signature_problem(method: str, header: str | None, now: float, *, unauthed_sync: bool) -> str | None:
    """Why a production request with this signature header may not reach the SDK, or None."""
    if header is None:
        # The SDK itself serves nothing unsigned in production but a sync (PUT) when
        # unauthenticated syncs are enabled.
        if method == "PUT" and unauthed_sync:
            return None
        return "the request is not signed"
    signatures = urllib.parse.parse_qs(header).get("s")
    if not signatures or not _HEX_SHA256.fullmatch(signatures[0]):
        return "the signature is not a SHA-256 in hex"
    return signature_age_problem(header, now)


def _has_stack(value: object) -> bool:
    if isinstance(value, dict):
        return isinstance(value.get("stack"), str) or any(_has_stack(item) for item in value.values())
    if isinstance(value, list):
        return any(_has_stack(item) for item in value)
    return False


def _without_stacks(value: Any) -> Any:
    """The SDK's error data with each traceback replaced by its last line (`ValueError: boom`)."""
    if isinstance(value, dict):
        cleaned = {key: _without_stacks(item) for key, item in value.items()}
        if isinstance(value.get("stack"), str):
            cleaned["stack"] = f"{value.get('name', 'Error')}: {value.get('message', '')}"
        return cleaned
    if isinstance(value, list):
        return [_without_stacks(item) for item in value]
    return value


def signature_age_problem(header: str, now: float) -> str | None:
    """Why the `t=<unix seconds>&s=<hex>` header is too old or too new to accept at `now`, or None if it is fresh."""
    # Parsed exactly as the SDK parses it (net.py, _validate_sig), so that the
    # timestamp checked here is the one its HMAC covers.
    timestamps = urllib.parse.parse_qs(header).get("t")
    if not timestamps:
        return "the signature has no timestamp"
    if not _UNIX_SECONDS.fullmatch(timestamps[0]):
        return "the signature timestamp is not a number of seconds"
    skew = now - int(timestamps[0])
    if skew > MAX_SIGNATURE_SKEW_SECONDS:
        return f"the signature is {skew:.0f} seconds old"
    if skew < -MAX_SIGNATURE_SKEW_SECONDS:
        return f"the signature is dated {-skew:.0f} seconds in the future"
    return None
