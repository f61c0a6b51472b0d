"""outbox_events.confirmed_at: when the server showed that a delivered event started a run

Revision ID: 0005_outbox_confirmed
Revises: 0004_chunk_search
Create Date: 2026-12-02 13:40:00

Events delivered before this migration count as confirmed: they were sent long ago.
"""
import sqlalchemy as sa
from alembic import op

revision = "0005_outbox_confirmed"
down_revision = "0004_chunk_search"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("outbox_events") as batch:
        batch.add_column(sa.Column("confirmed_at", sa.DateTime(timezone=True), nullable=True))
    op.execute("UPDATE outbox_events SET confirmed_at = delivered_at WHERE status = 'delivered'")


def downgrade():
    with op.batch_alter_table("outbox_events") as batch:
        batch.drop_column("confirmed_at")
