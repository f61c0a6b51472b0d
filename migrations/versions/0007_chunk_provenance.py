"""chunks.page_first, page_last and section: where in its document each chunk came from

Revision ID: 0007_chunk_provenance
Revises: 0006_user_scoped_search
Create Date: 2026-12-04 21:20:00

Chunks stored before this migration have no provenance: all three stay null, and they
stay readable and searchable as they are until their document is processed again.
Plain ADD/DROP COLUMN, never a batch copy of the table: a copy would drop the SQLite
triggers that keep the search index in step.
"""

import sqlalchemy as sa
from alembic import op

revision = "0007_chunk_provenance"
down_revision = "0006_user_scoped_search"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("chunks", sa.Column("page_first", sa.Integer(), nullable=True))
    op.add_column("chunks", sa.Column("page_last", sa.Integer(), nullable=True))
    op.add_column("chunks", sa.Column("section", sa.Text(), nullable=True))


def downgrade():
    # SQLite (3.35 and later) drops a column in place, keeping the table and its triggers.
    op.drop_column("chunks", "section")
    op.drop_column("chunks", "page_last")
    op.drop_column("chunks", "page_first")
