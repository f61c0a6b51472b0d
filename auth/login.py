"""flask-login wiring: how a session cookie becomes `current_user`, and what an anonymous API call gets."""

from __future__ import annotations

from auth.bearer import signs_in_with_token
from auth.models import User, find_user_by_session_id
from extensions import login_manager
from http_plumbing.errors import ApiError


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    # `user_id` is User.get_id(), "id:session_token": None (signed out) when the token no longer matches.
    if signs_in_with_token():
        return None  # the request loader signs it in with its bearer token, whatever cookie it also carries
    return find_user_by_session_id(user_id)


@login_manager.unauthorized_handler
def unauthorized() -> None:
    # API callers get JSON, never a redirect to a login page.
    raise ApiError(401, "sign in first: POST /auth/login with your email and password")
