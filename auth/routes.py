"""The auth blueprint: JSON login, logout and "who am I"."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify, session
from flask_login import current_user, login_required, login_user, logout_user

from api_errors import ApiError
from auth.models import find_user_by_email
from auth.passwords import hash_password, needs_rehash, verify_password
from extensions import db
from request_json import json_object

blueprint = Blueprint("auth", __name__, url_prefix="/auth")

BAD_CREDENTIALS = "email or password is wrong"


@blueprint.post("/login")
def login() -> Response:
    body = json_object()
    email, password = body.get("email"), body.get("password")
    if not isinstance(email, str) or not email.strip() or not isinstance(password, str) or not password:
        raise ApiError(400, 'send {"email": "...", "password": "..."} as strings')
    user = find_user_by_email(email)
    if not verify_password(user.password_hash if user else None, password) or user is None:
        raise ApiError(401, BAD_CREDENTIALS)
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
        db.session.commit()
    # A fresh session on every login, so that nothing planted before it survives.
    session.clear()
    login_user(user)
    return jsonify(user=user.to_json())


@blueprint.post("/logout")
def logout() -> Response:
    logout_user()
    session.clear()
    return jsonify(status="signed out")


@blueprint.get("/me")
@login_required
def me() -> Response:
    return jsonify(user=current_user.to_json())
