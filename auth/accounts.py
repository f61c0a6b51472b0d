"""What the auth routes and pages do, as plain functions: check a password, change it, sign out, end sessions."""

from __future__ import annotations

from flask import session
from flask_login import current_user, logout_user

from auth.models import User, find_user_by_email
from auth.passwords import MIN_PASSWORD_LENGTH, hash_password, needs_rehash, verify_password
from extensions import db
from http_plumbing.errors import ApiError

BAD_CREDENTIALS = "email or password is wrong"
BAD_CURRENT_PASSWORD = "current password is wrong"  # noqa: S105 (a message, not a password)


def authenticate(email: str, password: str) -> User:
    """The user with this email and password, or a 401 that does not say which of the two was wrong."""
    user = find_user_by_email(email)
    if not verify_password(user.password_hash if user else None, password) or user is None or user.closed_at:
        raise ApiError(401, BAD_CREDENTIALS)
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
        db.session.commit()
    return user


def change_password(user: User, current_password: str, new_password: str) -> None:
    """Store a new password for `user` and end every session that holds the old session token."""
    # Checked first: a too-short new password costs no hashing and is not a wrong guess.
    if len(new_password) < MIN_PASSWORD_LENGTH:
        raise ApiError(400, f"newPassword must be at least {MIN_PASSWORD_LENGTH} characters")
    if not verify_password(user.password_hash, current_password):
        raise ApiError(401, BAD_CURRENT_PASSWORD)
    user.password_hash = hash_password(new_password)
    user.rotate_session_token()
    db.session.commit()


def end_every_session(user: User) -> None:
    """Sign the user out everywhere: every session cookie issued so far stops working."""
    user.rotate_session_token()
    db.session.commit()


def sign_out() -> None:
    """End this session; a signed-in user's every other session too, here and on their other devices."""
    if current_user.is_authenticated:
        end_every_session(current_user._get_current_object())
    logout_user()
    session.clear()
