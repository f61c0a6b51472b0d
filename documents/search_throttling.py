"""A per-user limit on searches (Flask-Limiter), shared by GET /api/search and the /search page.

Counted per signed-in user, wherever RATELIMIT_STORAGE_URI says (Redis in the cluster, so every
instance counts together); SEARCH_RATE_LIMIT sets it. Over the limit: 429 with Retry-After.
"""

from __future__ import annotations

import math
import time

from flask import Response, render_template
from flask_limiter import RequestLimit
from flask_login import current_user

from extensions import limiter
from http_plumbing.errors import error_response
from settings import get_app_settings

_SCOPE = "searches-per-user"


def _search_rate_limit() -> str:
    return get_app_settings().search_rate_limit


def _searching_user() -> str:
    # Applied inside login_required: there is always a signed-in user here.
    return f"user:{current_user.id}"


def _seconds_to_wait(breached: RequestLimit) -> int:
    # In a moving window, the next search is allowed when the oldest counted one expires.
    return int(min(breached.limit.get_expiry(), max(1, math.ceil(breached.window.reset_time - time.time()))))


def _too_many(breached: RequestLimit) -> Response:
    seconds = _seconds_to_wait(breached)
    return error_response(429, f"too many searches; try again in {seconds} seconds", {"Retry-After": str(seconds)})


def _too_many_page(breached: RequestLimit) -> Response:
    seconds = _seconds_to_wait(breached)
    page = render_template("error.html", status=429, message=f"Too many searches. Try again in {seconds} seconds.")
    return Response(page, status=429, headers={"Retry-After": str(seconds)})


per_user = limiter.shared_limit(_search_rate_limit, scope=_SCOPE, key_func=_searching_user, on_breach=_too_many)
per_user_page = limiter.shared_limit(
    _search_rate_limit, scope=_SCOPE, key_func=_searching_user, on_breach=_too_many_page
)
