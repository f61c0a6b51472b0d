"""Indexes for the paged document list: each of its orders, and its counts per status

Revision ID: 0008_document_list_indexes
Revises: 0007_chunk_provenance
Create Date: 2026-12-06 10:45:00

GET /api/documents reads one user's documents in (created_at, id) or (updated_at, id) order from a
cursor, or those of some statuses, and counts them per status: each is a range of one of these
indexes, on SQLite and PostgreSQL alike. The name order is the (user_id, name) unique constraint's.
Plain CREATE INDEX, never a batch copy of the table.
"""

from alembic import op

revision = "0008_document_list_indexes"
down_revision = "0007_chunk_provenance"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index("ix_documents_user_created", "documents", ["user_id", "created_at", "id"])
    op.create_index("ix_documents_user_updated", "documents", ["user_id", "updated_at", "id"])
    op.create_index("ix_documents_user_status_created", "documents", ["user_id", "status", "created_at", "id"])


def downgrade():
    op.drop_index("ix_documents_user_status_created", table_name="documents")
    op.drop_index("ix_documents_user_updated", table_name="documents")
    op.drop_index("ix_documents_user_created", table_name="documents")
