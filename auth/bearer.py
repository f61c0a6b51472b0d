"""Signing API calls in with `Authorization: Bearer <token>`, through flask-login's request loader.

A token signs in on the API blueprints only (those `create_app` names), gives no cookie, and is checked
in the database on every request. The log names the token by its id, never its secret.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from functools import wraps
from typing import ParamSpec, TypeVar

from flask import Flask, current_app, g, request

from auth import throttling
from auth.models import User
from auth.tokens import authenticate_token
from extensions import login_manager
from http_plumbing.authorization import bearer_token, carries_bearer_token
from http_plumbing.errors import ApiError

logger = logging.getLogger(__name__)

P = ParamSpec("P")
R = TypeVar("R")

_BLUEPRINTS_KEY = "token_blueprints"
# A message, not a token.
WRONG_TOKEN = "the API token is wrong, revoked or expired; create a new one on the Tokens page or with POST /api/tokens"  # noqa: S105


def init_app(app: Flask, token_blueprints: Iterable[str]) -> None:
    """Let a bearer token sign requests in on `token_blueprints` (the JSON API)."""
    app.extensions[_BLUEPRINTS_KEY] = frozenset(token_blueprints)


def signs_in_with_token() -> bool:
    """Whether this request is one a bearer token signs in (and its session cookie, if any, is ignored)."""
    return carries_bearer_token() and request.blueprint in current_app.extensions.get(_BLUEPRINTS_KEY, ())


def current_token_id() -> int | None:
    """The id of the token this request signed in with, if it did."""
    token_id: int | None = g.get("api_token_id")
    return token_id


@login_manager.request_loader
def load_user_from_token(_request: object) -> User | None:
    if not signs_in_with_token():
        return None
    refused: ApiError | None = g.get("api_token_refused")
    if refused is not None:  # the loader runs again after a refusal: counted once, answered the same
        raise refused
    try:
        throttling.refuse_guessing_address()
        found = authenticate_token(bearer_token() or "")
        if found is None:
            throttling.count_wrong_token()
            raise ApiError(401, WRONG_TOKEN)
    except ApiError as error:
        g.api_token_refused = error
        raise
    user, token = found
    g.api_token_id = token.id
    logger.info("signed in user %s with API token %s", user.id, token.id)
    return user


def password_session_required(action: str) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """For what only a session signed in with the password may do: a token asking gets 403 saying so."""

    def decorator(view: Callable[P, R]) -> Callable[P, R]:
        @wraps(view)
        def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
            if carries_bearer_token():
                raise ApiError(
                    403,
                    f"an API token cannot {action}; sign in with your password (POST /auth/login or the sign-in page)"
                    " and do it from that session, without the Authorization header",
                )
            return view(*args, **kwargs)

        return wrapper

    return decorator
