"""documents.trashed_at, purge_at and trashed_name: the trash; purged_documents: what is left after a purge;
users.closed_at: an account being deleted, its documents purged before its row goes

Revision ID: 0012_trash
Revises: 0011_ocr_pages
Create Date: 2026-12-06 11:00:00

Plain ADD COLUMN, never a batch copy of the table: a copy would drop the SQLite triggers
that keep the search index in step.
"""

import sqlalchemy as sa
from alembic import op

revision = "0012_trash"
down_revision = "0011_ocr_pages"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("documents", sa.Column("trashed_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("documents", sa.Column("purge_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("documents", sa.Column("trashed_name", sa.String(length=1024), nullable=True))
    op.create_table(
        "purged_documents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=1024), nullable=False),
        sa.Column("purged_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_purged_documents_document_id", "purged_documents", ["document_id"])
    op.add_column("users", sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True))


def downgrade():
    op.drop_column("users", "closed_at")
    op.drop_index("ix_purged_documents_document_id", table_name="purged_documents")
    op.drop_table("purged_documents")
    # SQLite (3.35 and later) drops a column in place, keeping the table and its triggers.
    op.drop_column("documents", "trashed_name")
    op.drop_column("documents", "purge_at")
    op.drop_column("documents", "trashed_at")
