"""chunks.ocr, documents.ocr_pages_total and failed_pages, and document_pages: the text OCR read on each page

Revision ID: 0011_ocr_pages
Revises: 0010_webhooks
Create Date: 2026-12-06 11:00:00

Chunks stored before this migration were none of them read by OCR: `ocr` is false on them.
Plain ADD/DROP COLUMN on chunks, never a batch copy of the table: a copy would drop the SQLite
triggers that keep the search index in step.
"""

import sqlalchemy as sa
from alembic import op

revision = "0011_ocr_pages"
down_revision = "0010_webhooks"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("chunks", sa.Column("ocr", sa.Boolean(), nullable=False, server_default=sa.false()))
    op.add_column("documents", sa.Column("ocr_pages_total", sa.Integer(), nullable=True))
    op.add_column("documents", sa.Column("failed_pages", sa.Text(), nullable=True))
    op.create_table(
        "document_pages",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("document_id", sa.Integer(), sa.ForeignKey("documents.id", ondelete="CASCADE"), nullable=False),
        sa.Column("page", sa.Integer(), nullable=False),
        sa.Column("content_hash", sa.String(64), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("failure", sa.Text(), nullable=True),
        sa.UniqueConstraint("document_id", "page", name="uq_document_pages_document_page"),
    )


def downgrade():
    op.drop_table("document_pages")
    op.drop_column("documents", "failed_pages")
    op.drop_column("documents", "ocr_pages_total")
    # SQLite (3.35 and later) drops a column in place, keeping the table and its triggers.
    op.drop_column("chunks", "ocr")
