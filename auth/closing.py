"""Closing an account: auth ends its sign-ins; what the user kept in the rooms above (their documents) goes by the
cleanup the app factory registers, so that auth never imports those rooms."""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask, current_app

from auth.models import User
from extensions import db
from timestamps import utcnow

# What closing `user`'s account does to what they kept; how many of their documents go.
AccountCleanup = Callable[[User], int]

EXTENSION = "auth.account_cleanup"


def init_app(app: Flask, cleanup: AccountCleanup) -> None:
    app.extensions[EXTENSION] = cleanup


def close_account(user: User) -> int:
    """Close `user`'s account: it can no longer sign in, every session ends, then the registered cleanup runs
    (which deletes the row once nothing of theirs is left). How many documents the cleanup purges.

    Safe to repeat: an account closed already stays closed, and the cleanup is idempotent.
    """
    user.closed_at = user.closed_at or utcnow()
    user.rotate_session_token()
    db.session.commit()
    cleanup: AccountCleanup = current_app.extensions[EXTENSION]
    return cleanup(user)
