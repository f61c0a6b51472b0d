"""`Idempotency-Key` for POSTs (IETF httpapi idempotency-key draft, Stripe's semantics).

Same key and same body within 24 hours: the first response again. Same key,
different body: 422. Same key while the first request is still running: 409.
Keys belong to one user. 5xx answers are not kept, so a retry runs for real.
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Callable
from datetime import datetime, timedelta
from functools import wraps
from typing import Any

from flask import Response, jsonify, request
from flask_login import current_user
from sqlalchemy import JSON, DateTime, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.orm import Mapped, mapped_column

from extensions import db
from http_plumbing.errors import ApiError, error_response
from settings import get_app_settings
from timestamps import as_utc, utcnow

logger = logging.getLogger(__name__)

KEY_LIFETIME = timedelta(hours=24)
_KEY_PATTERN = re.compile(r"^[\x21-\x7e]{1,255}$")


class IdempotencyKey(db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "idempotency_keys"
    __table_args__ = (UniqueConstraint("user_id", "key", name="uq_idempotency_keys_user_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), nullable=False)
    key: Mapped[str] = mapped_column(String(255), nullable=False)
    request_hash: Mapped[str] = mapped_column(String(64), nullable=False)
    response_status: Mapped[int | None] = mapped_column(Integer)
    response_body: Mapped[Any | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, nullable=False)


def idempotent(view: Callable[..., Response]) -> Callable[..., Response]:
    """Honour an `Idempotency-Key` header on `view`; without the header, `view` runs as usual."""

    @wraps(view)
    def wrapper(**arguments: Any) -> Response:
        key = request.headers.get("Idempotency-Key")
        if key is None or not current_user.is_authenticated:
            return view(**arguments)
        if not _KEY_PATTERN.match(key):
            raise ApiError(400, "Idempotency-Key must be 1 to 255 printable ASCII characters")
        digest = hashlib.sha256(request.get_data())
        if arguments:
            # The URL names what the request acts on (a document): the same key for another is another request.
            digest.update(b"\n" + request.path.encode())
        request_hash = digest.hexdigest()
        # Read once, now: after a failed flush the session refuses every query, current_user's too.
        user_id: int = current_user.id
        replay = _begin(user_id, key, request_hash)
        if replay is not None:
            return replay
        try:
            response = _run(view, arguments)
        except BaseException:
            _release(user_id, key)
            raise
        _finish(user_id, key, response)
        return response

    return wrapper


def _run(view: Callable[..., Response], arguments: dict[str, Any]) -> Response:
    try:
        return view(**arguments)
    except ApiError as error:  # kept like any other answer, so a replay gets the same 4xx
        return error_response(error.status, error.message, error.headers)


def _begin(user_id: int, key: str, request_hash: str) -> Response | None:
    """Reserve the key (None: go ahead), or the answer this request gets instead of running."""
    for _ in range(3):
        db.session.add(IdempotencyKey(user_id=user_id, key=key, request_hash=request_hash))
        try:
            db.session.commit()
            return None
        except IntegrityError:
            db.session.rollback()
        existing = _find(user_id, key)
        if existing is None:
            continue  # released in between: try again
        now = utcnow()
        if as_utc(existing.created_at) < now - KEY_LIFETIME or (
            existing.response_status is None and as_utc(existing.created_at) < now - _abandoned_after()
        ):
            db.session.delete(existing)
            db.session.commit()
            continue
        if existing.request_hash != request_hash:
            raise ApiError(422, "this Idempotency-Key was used with a different request body; use a new key")
        if existing.response_status is None:
            raise ApiError(409, "a request with this Idempotency-Key is still being processed; retry shortly")
        replay = jsonify(existing.response_body)
        replay.status_code = existing.response_status
        replay.headers["Idempotent-Replayed"] = "true"
        return replay
    raise ApiError(409, "this Idempotency-Key is being contended; retry shortly")


def _finish(user_id: int, key: str, response: Response) -> None:
    if response.status_code >= 500:
        _forget(user_id, key)
        return
    row = _find(user_id, key)
    if row is not None:
        row.response_status = response.status_code
        row.response_body = response.get_json()
        db.session.commit()


def _release(user_id: int, key: str) -> None:
    """Free the key after the request failed; if the database is what failed, the key frees itself later."""
    try:
        _forget(user_id, key)
    except SQLAlchemyError as error:
        db.session.rollback()
        logger.warning("could not release Idempotency-Key %r (free again after %s): %s", key, _abandoned_after(), error)


def _abandoned_after() -> timedelta:
    """How long a key may stay in flight before it counts as its dead request's (a setting)."""
    return timedelta(seconds=get_app_settings().idempotency_abandoned_after_seconds)


def _forget(user_id: int, key: str) -> None:
    db.session.rollback()
    db.session.execute(db.delete(IdempotencyKey).where(IdempotencyKey.user_id == user_id, IdempotencyKey.key == key))
    db.session.commit()


def _find(user_id: int, key: str) -> IdempotencyKey | None:
    row: IdempotencyKey | None = db.session.scalar(
        db.select(IdempotencyKey).where(IdempotencyKey.user_id == user_id, IdempotencyKey.key == key)
    )
    return row
