"""The auth blueprint: JSON login, logout, password change and "who am I"."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify, session
from flask_login import current_user, login_required, login_user, logout_user

from auth import throttling
from auth.accounts import BAD_CURRENT_PASSWORD, authenticate, change_password, sign_out
from auth.bearer import password_session_required
from auth.closing import close_account
from auth.models import User
from auth.passwords import verify_password
from http_plumbing.errors import ApiError
from http_plumbing.request_json import json_object

blueprint = Blueprint("auth", __name__, url_prefix="/auth")


@blueprint.post("/login")
@throttling.per_address
@throttling.per_account_logging_in
def login() -> Response:
    body = json_object()
    email, password = body.get("email"), body.get("password")
    if not isinstance(email, str) or not email.strip() or not isinstance(password, str) or not password:
        raise ApiError(400, 'send {"email": "...", "password": "..."} as strings')
    user = authenticate(email, password)
    # A fresh session on every login, so that nothing planted before it survives.
    session.clear()
    login_user(user)
    return jsonify(user=user.to_json())


@blueprint.post("/logout")
def logout() -> Response:
    sign_out()
    return jsonify(status="signed out")


@blueprint.post("/password")
@password_session_required("change the password")
@login_required
@throttling.per_address
@throttling.per_account_signed_in
def password() -> Response:
    body = json_object()
    current_password, new_password = body.get("currentPassword"), body.get("newPassword")
    if not isinstance(current_password, str) or not current_password or not isinstance(new_password, str):
        raise ApiError(400, 'send {"currentPassword": "...", "newPassword": "..."} as strings')
    user: User = current_user._get_current_object()
    change_password(user, current_password, new_password)
    # This session carries on under the new token; every other session is signed out.
    login_user(user)
    return jsonify(status="password changed")


@blueprint.get("/me")
@login_required
def me() -> Response:
    return jsonify(user=current_user.to_json())


@blueprint.delete("/me")
@password_session_required("delete the account")
@login_required
@throttling.per_address
@throttling.per_account_signed_in
def delete_me() -> Response:
    """Delete the account, with the current password: signed out everywhere, every document purged."""
    current_password = json_object().get("currentPassword")
    if not isinstance(current_password, str) or not current_password:
        raise ApiError(400, 'send {"currentPassword": "..."} to delete your account')
    user: User = current_user._get_current_object()
    if not verify_password(user.password_hash, current_password):
        raise ApiError(401, BAD_CURRENT_PASSWORD)
    purged = close_account(user)
    logout_user()
    session.clear()
    return jsonify(status="account deleted", documentsPurged=purged)
