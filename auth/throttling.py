"""Throttling of password and token guesses (Flask-Limiter): only failures count, per account and per client address.

Login and password change share the counters, so a stolen session cannot be used to guess the password either.
Wrong API tokens count against the same per-address counter (a wrong token names no account).
"""

from __future__ import annotations

import logging
import math
import time

from flask import Response, request
from flask_limiter import RequestLimit
from flask_limiter.util import get_remote_address
from flask_login import current_user
from limits import parse

from auth.models import normalise_email
from extensions import limiter
from http_plumbing.errors import ApiError, error_response
from http_plumbing.request_json import json_body

# Per account, from any address: slows guessing one account's password from many addresses.
FAILURES_PER_ACCOUNT = "5 per minute"
# Per client address, over all accounts: slows one address spraying passwords across accounts,
# while an office behind one NAT can still make a few typos.
FAILURES_PER_ADDRESS = "20 per minute"

logger = logging.getLogger(__name__)

_ACCOUNT_SCOPE = "password-failures-per-account"
_ADDRESS_SCOPE = "password-failures-per-address"


def is_failed_guess(response: Response) -> bool:
    # Only a wrong password answers 401 on these routes; malformed bodies (400) and
    # successes never count, so a user is not locked out by their own sign-ins.
    return response.status_code == 401


def retry_later(breached: RequestLimit) -> Response:
    # In a moving window, the next attempt is allowed when the oldest counted failure expires.
    seconds = min(breached.limit.get_expiry(), max(1, math.ceil(breached.window.reset_time - time.time())))
    return error_response(
        429,
        f"too many wrong passwords; try again in {seconds} seconds",
        {"Retry-After": str(seconds)},
    )


def account_named_in_body() -> str:
    # Evaluated when the view is called, after the body cap: reading the body here is bounded.
    # JSON from the API, a form from the sign-in page: both count against the same account.
    body = json_body() if request.is_json else request.form
    email = body.get("email") if isinstance(body, dict) else None
    return "account:" + (normalise_email(email) if isinstance(email, str) else "")


def signed_in_account() -> str:
    return "account:" + normalise_email(current_user.email)


per_account_logging_in = limiter.shared_limit(
    FAILURES_PER_ACCOUNT,
    scope=_ACCOUNT_SCOPE,
    key_func=account_named_in_body,
    deduct_when=is_failed_guess,
    on_breach=retry_later,
)
per_account_signed_in = limiter.shared_limit(
    FAILURES_PER_ACCOUNT,
    scope=_ACCOUNT_SCOPE,
    key_func=signed_in_account,
    deduct_when=is_failed_guess,
    on_breach=retry_later,
)
# Keyed by the limiter's own key function: request.remote_addr.
per_address = limiter.shared_limit(
    FAILURES_PER_ADDRESS,
    scope=_ADDRESS_SCOPE,
    deduct_when=is_failed_guess,
    on_breach=retry_later,
)


# The per-address limit as a value, for failures counted outside a decorated view: wrong API tokens,
# refused in flask-login's request loader on any /api route.
_PER_ADDRESS_LIMIT = parse(FAILURES_PER_ADDRESS)


def refuse_guessing_address() -> None:
    """429 when this client address has used up its wrong passwords and tokens for the moment."""
    key = (get_remote_address(), _ADDRESS_SCOPE)
    try:
        if limiter.limiter.test(_PER_ADDRESS_LIMIT, *key):
            return
        reset_time = limiter.limiter.get_window_stats(_PER_ADDRESS_LIMIT, *key).reset_time
    except Exception:  # the counter's storage down must not refuse every token
        logger.warning("could not read the wrong-token counter; letting the request through", exc_info=True)
        return
    seconds = min(_PER_ADDRESS_LIMIT.get_expiry(), max(1, math.ceil(reset_time - time.time())))
    raise ApiError(
        429,
        f"too many wrong passwords or tokens from this address; try again in {seconds} seconds",
        headers={"Retry-After": str(seconds)},
    )


def count_wrong_token() -> None:
    try:
        limiter.limiter.hit(_PER_ADDRESS_LIMIT, get_remote_address(), _ADDRESS_SCOPE)
    except Exception:
        logger.warning("could not count a wrong token", exc_info=True)
