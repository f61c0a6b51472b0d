"""The database helpers in extensions.py, on the real SQLite file the app uses."""

from __future__ import annotations

from flask import Flask

from auth.models import User
from extensions import commit_relaxed, db

SQLITE_FULL = 2


def test_relaxed_commit_keeps_the_write(app: Flask) -> None:
    with app.app_context():
        db.session.add(User(email="relaxed@example.com", password_hash="x"))
        commit_relaxed()
        db.session.remove()
        assert db.session.scalar(db.select(User.email).where(User.email == "relaxed@example.com")) is not None


def test_connections_go_back_to_the_pool_waiting_for_the_disk_again(app: Flask) -> None:
    with app.app_context():
        db.session.add(User(email="relaxed@example.com", password_hash="x"))
        commit_relaxed()
        db.session.remove()
        with db.engine.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA synchronous").scalar() == SQLITE_FULL


def test_a_commit_inside_a_started_transaction_is_not_relaxed_but_still_commits(app: Flask) -> None:
    with app.app_context():
        db.session.add(User(email="first@example.com", password_hash="x"))
        db.session.flush()  # SQLite now holds an open transaction: the setting cannot change
        db.session.add(User(email="second@example.com", password_hash="x"))
        commit_relaxed()
        db.session.remove()
        assert db.session.scalar(db.select(db.func.count()).select_from(User)) == 2
