"""Refuses replayed requests to /api/inngest: a signature must be dated, and dated within five minutes of now.

The SDK verifies the HMAC of `X-Inngest-Signature` but never looks at its age,
so a captured signed request would be accepted forever. We check only the age
here, before the SDK's view runs; the HMAC stays the SDK's job.
"""

from __future__ import annotations

import json
import logging
import re
import time
import urllib.parse
from collections.abc import Callable

from flask import Flask, Response, request

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


def protect_inngest_endpoint(app: Flask, settings: AppSettings, *, now: Callable[[], float] = time.time) -> None:
    """In production, answer 401 to signed requests to the Inngest endpoint whose timestamp is absent or stale.

    Call after `inngest.flask.serve()`, which adds the endpoint. Unsigned requests
    pass through: the SDK refuses them itself (or allows an unauthenticated sync
    when that is enabled). Development mode has no signing key, so nothing to check.
    """
    if settings.inngest_dev:
        return
    # serve() registers its view under its function's name (inngest/flask.py);
    # should an SDK upgrade rename it, start-up fails here instead of leaving
    # the endpoint unprotected.
    if _SDK_ENDPOINT not in app.view_functions:
        raise RuntimeError("protect_inngest_endpoint() must be called after inngest.flask.serve()")

    @app.before_request
    def refuse_stale_inngest_signatures() -> Response | None:
        if request.endpoint != _SDK_ENDPOINT:
            return None
        header = request.headers.get(SIGNATURE_HEADER)
        if header is None:
            return None
        problem = signature_age_problem(header, now())
        if problem is None:
            return None
        logger.warning("refused a signed %s to the Inngest endpoint: %s", request.method, problem)
        return Response(_REFUSAL_BODY, status=401, headers=_REFUSAL_HEADERS)


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
