"""The auth blueprint: JSON login, logout, password change and "who am I"."""

from __future__ import annotations

from flask import Blueprint, Response, current_app, jsonify, session
from flask_login import current_user, login_required, login_user, logout_user

from auth import throttling
from auth.accounts import BAD_CURRENT_PASSWORD, authenticate, change_password, sign_out
from auth.api_models import (
    AccountDeleted,
    AccountDeletionRequest,
    LoginRequest,
    PasswordChangeRequest,
    UserAnswer,
)
from auth.bearer import password_session_required
from auth.models import User
from auth.passwords import verify_password
from documents.trash import close_account
from http_plumbing.api_operations import Access, Answer, Operation, StatusAnswer, documented
from http_plumbing.errors import ApiError
from http_plumbing.request_json import json_model
from settings import get_app_settings

blueprint = Blueprint("auth", __name__, url_prefix="/auth")

WRONG_PASSWORDS = Answer("Too many wrong passwords; wait Retry-After seconds.", retry_after=True)


@blueprint.post("/login")
@documented(
    Operation(
        "Sign in with email and password; sets the session cookie",
        access=Access.ANYONE,
        body=LoginRequest,
        answers={
            200: Answer("Signed in; the session cookie is set.", UserAnswer),
            400: Answer("The body is not an email and a password."),
            401: Answer("Wrong email or password."),
            429: WRONG_PASSWORDS,
        },
    )
)
@throttling.per_address
@throttling.per_account_logging_in
def login() -> Response:
    body = json_model(LoginRequest, refusal='send {"email": "...", "password": "..."} as strings')
    user = authenticate(body.email, body.password)
    # A fresh session on every login, so that nothing planted before it survives.
    session.clear()
    login_user(user)
    return jsonify(user=user.to_json())


@blueprint.post("/logout")
@documented(
    Operation(
        "Sign out: this session ends, and the cookie is cleared",
        access=Access.ANYONE,
        answers={200: Answer("Signed out (also when not signed in).", StatusAnswer)},
    )
)
def logout() -> Response:
    sign_out()
    return jsonify(status="signed out")


@blueprint.post("/password")
@documented(
    Operation(
        "Change your password; every other session is signed out",
        access=Access.PASSWORD_SESSION,
        body=PasswordChangeRequest,
        answers={
            200: Answer("Changed; this session carries on.", StatusAnswer),
            400: Answer("The body is not two passwords, or the new one is too short."),
            401: Answer("Not signed in, or the current password is wrong."),
            429: WRONG_PASSWORDS,
        },
    )
)
@password_session_required("change the password")
@login_required
@throttling.per_address
@throttling.per_account_signed_in
def password() -> Response:
    body = json_model(PasswordChangeRequest, refusal='send {"currentPassword": "...", "newPassword": "..."} as strings')
    user: User = current_user._get_current_object()
    change_password(user, body.currentPassword, body.newPassword)
    # This session carries on under the new token; every other session is signed out.
    login_user(user)
    return jsonify(status="password changed")


@blueprint.get("/me")
@documented(Operation("Who you are signed in as", access=Access.SESSION, answers={200: Answer("You.", UserAnswer)}))
@login_required
def me() -> Response:
    return jsonify(user=current_user.to_json())


@blueprint.delete("/me")
@documented(
    Operation(
        "Delete your account and every document, with your password",
        access=Access.PASSWORD_SESSION,
        body=AccountDeletionRequest,
        answers={
            200: Answer("Deleted; signed out everywhere.", AccountDeleted),
            400: Answer("The body holds no current password."),
            401: Answer("Not signed in, or the password is wrong."),
            429: WRONG_PASSWORDS,
        },
    )
)
@password_session_required("delete the account")
@login_required
@throttling.per_address
@throttling.per_account_signed_in
def delete_me() -> Response:
    """Delete the account, with the current password: signed out everywhere, every document purged."""
    current_password = json_model(
        AccountDeletionRequest, refusal='send {"currentPassword": "..."} to delete your account'
    ).currentPassword
    user: User = current_user._get_current_object()
    if not verify_password(user.password_hash, current_password):
        raise ApiError(401, BAD_CURRENT_PASSWORD)
    purged = close_account(user, get_app_settings(), current_app.extensions["inngest"])
    logout_user()
    session.clear()
    return jsonify(status="account deleted", documentsPurged=purged)
