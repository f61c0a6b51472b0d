"""users.session_token: part of every session, rotated to end them all

Revision ID: 0002_session_token
Revises: 1fa4cc0dc91c
Create Date: 2026-11-23 14:00:00.000000

Existing users each get their own random token. Sessions issued before this
revision hold a user id without a token, so everyone signs in again once.

Plain ALTER TABLE on purpose, not batch mode: on SQLite batch mode would copy,
drop and rename `users`, and with PRAGMA foreign_keys=ON (extensions.py) the
drop cascades to every document of every user.
"""
import secrets

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0002_session_token"
down_revision = "1fa4cc0dc91c"
branch_labels = None
depends_on = None

users = sa.table("users", sa.column("id", sa.Integer), sa.column("session_token", sa.String))


def upgrade():
    # The server default lets existing rows take the NOT NULL column; the app
    # always sets a token of its own, and an empty one never matches a session.
    op.add_column("users", sa.Column("session_token", sa.String(length=64), nullable=False, server_default=""))
    connection = op.get_bind()
    for user_id in connection.scalars(sa.select(users.c.id)).all():
        connection.execute(
            users.update().where(users.c.id == user_id).values(session_token=secrets.token_urlsafe(32))
        )


def downgrade():
    # SQLite has had ALTER TABLE ... DROP COLUMN since 3.35 (2021).
    op.drop_column("users", "session_token")
