"""The user store, and how a session names its user."""

from __future__ import annotations

import hmac
import secrets
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import DateTime, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from extensions import db
from timestamps import utcnow


def new_session_token() -> str:
    return secrets.token_urlsafe(32)


class User(UserMixin, db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    email: Mapped[str] = mapped_column(String(320), unique=True, nullable=False)
    password_hash: Mapped[str] = mapped_column(String(255), nullable=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, nullable=False)
    # Part of every session's user id: a new token ends every session that holds the old one.
    # The server default exists only for rows that predate the column (migration 0002).
    session_token: Mapped[str] = mapped_column(String(64), default=new_session_token, server_default="", nullable=False)
    # Set when the account is deleted: it can no longer sign in, and its row goes once its documents are purged.
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    def get_id(self) -> str:
        # What flask-login stores in the session cookie (signed, not secret).
        return f"{self.id}:{self.session_token}"

    def rotate_session_token(self) -> None:
        self.session_token = new_session_token()

    def to_json(self) -> dict[str, object]:
        return {"id": self.id, "email": self.email}


def normalise_email(email: str) -> str:
    return email.strip().lower()


def find_user_by_email(email: str) -> User | None:
    user: User | None = db.session.scalar(db.select(User).where(User.email == normalise_email(email)))
    return user


def find_user_by_session_id(session_user_id: str) -> User | None:
    """The user a session's `id:token` names, or None if it is malformed or the token was rotated since."""
    user_id, _, token = session_user_id.partition(":")
    # At most 18 digits: always a valid 64-bit integer for the database.
    if not (user_id.isascii() and user_id.isdigit() and len(user_id) <= 18) or not token:
        return None
    user = db.session.get(User, int(user_id))
    if user is None or user.closed_at is not None:
        return None
    if not hmac.compare_digest(user.session_token.encode(), token.encode()):
        return None
    return user
