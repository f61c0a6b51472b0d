"""Migration 0002_session_token: every existing user gets a token of their own, and no document is lost."""

from __future__ import annotations

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, text

from app import create_app
from extensions import db
from tests.support.postgres import on_both_databases

BEFORE = "1fa4cc0dc91c"
SESSION_TOKEN = "0002_session_token"


pytestmark = on_both_databases


@pytest.fixture
def unmigrated_app(settings_overrides):
    # settings_overrides names a fresh, empty database: only the `app` fixture migrates it.
    application = create_app(settings_overrides, env_file=None)
    with application.app_context():
        yield application
        db.engine.dispose()


def user_columns():
    return {column["name"] for column in inspect(db.engine).get_columns("users")}


def count(table):
    with db.engine.connect() as connection:
        return connection.scalar(text(f"SELECT count(*) FROM {table}"))  # noqa: S608 (a constant table name)


def test_flask_db_upgrade_on_a_fresh_file_adds_the_column(unmigrated_app):
    result = unmigrated_app.test_cli_runner().invoke(args=["db", "upgrade"])
    assert result.exit_code == 0, result.output
    assert "session_token" in user_columns()


def test_existing_users_get_distinct_tokens_and_keep_their_documents(unmigrated_app):
    upgrade(revision=BEFORE)
    with db.engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO users (id, email, password_hash, created_at) VALUES "
                "(1, 'a@example.com', 'x', CURRENT_TIMESTAMP), (2, 'b@example.com', 'x', CURRENT_TIMESTAMP)"
            )
        )
        connection.execute(
            text(
                "INSERT INTO documents (user_id, name, s3_bucket, s3_key, status, chunk_count, event_ids,"
                " created_at, updated_at) VALUES (1, 'a.pdf', 'b', 'k', 'processed', 0, '[]',"
                " CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
            )
        )

    upgrade(revision=SESSION_TOKEN)
    with db.engine.connect() as connection:
        tokens = connection.scalars(text("SELECT session_token FROM users")).all()
    assert len(set(tokens)) == 2
    assert all(len(token) >= 40 for token in tokens)
    assert count("documents") == 1

    downgrade(revision=BEFORE)
    assert "session_token" not in user_columns()
    assert count("users") == 2
    assert count("documents") == 1
