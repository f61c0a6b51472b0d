"""Personal API tokens: created, listed and revoked by their user, and turned back into that user on each request.

A token is `dsk_` and 256 random bits; only its SHA-256 is stored. A slow password hash is
not needed here: it protects guessable secrets, and 256 random bits cannot be guessed, so
a leaked table of SHA-256 digests gives nothing back, and the lookup stays one indexed query.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import DateTime, ForeignKey, Integer, String, or_, update
from sqlalchemy.orm import Mapped, mapped_column

from auth.models import User
from extensions import db
from http_plumbing.errors import ApiError
from timestamps import as_utc, iso_utc, utcnow

PREFIX = "dsk_"
MAX_NAME_LENGTH = 100
DEFAULT_EXPIRES_IN_DAYS = 30
MAX_EXPIRES_IN_DAYS = 365
# last_used_at is written at most this often per token: a script calling many times a second
# must not turn every read into a write. It is a hint for the person deciding what to revoke.
LAST_USED_RESOLUTION = timedelta(minutes=1)


class ApiToken(db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True, nullable=False)
    name: Mapped[str] = mapped_column(String(MAX_NAME_LENGTH), nullable=False)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True, nullable=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, nullable=False)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    def to_json(self) -> dict[str, object]:
        """The token as listed: never its secret, which is not stored."""
        return {
            "id": self.id,
            "name": self.name,
            "createdAt": iso_utc(self.created_at),
            "expiresAt": iso_utc(self.expires_at),
            "lastUsedAt": iso_utc(self.last_used_at),
        }


@dataclass(frozen=True)
class CreatedToken:
    token: ApiToken
    secret: str

    def to_json(self) -> dict[str, object]:
        return {**self.token.to_json(), "token": self.secret}


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def parse_token_request(name: object, expires_in_days: object) -> tuple[str, int]:
    """The name and lifetime a caller asked for, or a 400 saying what to send."""
    if not isinstance(name, str) or not name.strip() or len(name.strip()) > MAX_NAME_LENGTH:
        raise ApiError(400, f'name must be a string of 1 to {MAX_NAME_LENGTH} characters, such as "backup script"')
    if expires_in_days is None:
        expires_in_days = DEFAULT_EXPIRES_IN_DAYS
    if isinstance(expires_in_days, bool) or not isinstance(expires_in_days, int):
        raise ApiError(400, f"expiresInDays must be a whole number of days from 1 to {MAX_EXPIRES_IN_DAYS}")
    if not 1 <= expires_in_days <= MAX_EXPIRES_IN_DAYS:
        raise ApiError(400, f"expiresInDays must be from 1 to {MAX_EXPIRES_IN_DAYS}")
    return name.strip(), expires_in_days


def create_token(user_id: int, name: str, expires_in_days: int) -> CreatedToken:
    """A new token for the user; its secret is in the answer and nowhere else."""
    secret = PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        user_id=user_id,
        name=name,
        token_hash=hash_secret(secret),
        expires_at=utcnow() + timedelta(days=expires_in_days),
    )
    db.session.add(token)
    db.session.commit()
    return CreatedToken(token=token, secret=secret)


def list_tokens(user_id: int) -> list[ApiToken]:
    return list(
        db.session.scalars(
            db.select(ApiToken).where(ApiToken.user_id == user_id).order_by(ApiToken.created_at, ApiToken.id)
        )
    )


def revoke_token(user_id: int, token_id: int) -> bool:
    """Delete the user's token `token_id`; False when they have none of that id (nobody's or another's)."""
    if not 0 < token_id < 2**31:  # past any id the column can hold
        return False
    token = db.session.get(ApiToken, token_id)
    if token is None or token.user_id != user_id:
        return False
    db.session.delete(token)
    db.session.commit()
    return True


def looks_like_a_token(secret: str) -> bool:
    return secret.startswith(PREFIX) and 20 < len(secret) < 100 and secret.isascii()


def authenticate_token(secret: str) -> tuple[User, ApiToken] | None:
    """The user and token `secret` names, if it exists and has not expired; checked in the database every time,
    so a revoked or expired token is refused at once by every instance."""
    if not looks_like_a_token(secret):
        return None
    # Looked up by digest: the query's timing can only reveal digests, never the secret.
    token = db.session.scalar(db.select(ApiToken).where(ApiToken.token_hash == hash_secret(secret)))
    now = utcnow()
    if token is None or as_utc(token.expires_at) <= now:
        return None
    user = db.session.get(User, token.user_id)
    if user is None:
        return None
    _note_use(token, now)
    return user, token


def _note_use(token: ApiToken, now: datetime) -> None:
    if token.last_used_at is not None and now - as_utc(token.last_used_at) < LAST_USED_RESOLUTION:
        return
    # Conditional, so that instances using the token at the same moment write it once.
    db.session.execute(
        update(ApiToken)
        .where(
            ApiToken.id == token.id,
            or_(ApiToken.last_used_at.is_(None), ApiToken.last_used_at <= now - LAST_USED_RESOLUTION),
        )
        .values(last_used_at=now)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
