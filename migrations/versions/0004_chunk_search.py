"""full-text search over chunks: FTS5 on SQLite, a generated tsvector with GIN on PostgreSQL

Revision ID: 0004_chunk_search
Revises: 0003_outbox
Create Date: 2026-11-24 03:50:00

The index lives with the chunks and is kept in step by the database itself (triggers on
SQLite, a generated column on PostgreSQL), so the transaction that replaces a document's
chunks replaces their index entries too. Upgrading an existing database indexes the
chunks already there.
"""
from alembic import op

revision = "0004_chunk_search"
down_revision = "0003_outbox"
branch_labels = None
depends_on = None

SQLITE_UPGRADE = [
    # External content: the text is stored once, in chunks; the index refers to chunks.id.
    # remove_diacritics 2: "cafe" finds "café", as people expect of a search box.
    """CREATE VIRTUAL TABLE chunks_search USING fts5(
        text, content='chunks', content_rowid='id', tokenize='unicode61 remove_diacritics 2'
    )""",
    """CREATE TRIGGER chunks_search_insert AFTER INSERT ON chunks BEGIN
        INSERT INTO chunks_search(rowid, text) VALUES (new.id, new.text);
    END""",
    """CREATE TRIGGER chunks_search_delete AFTER DELETE ON chunks BEGIN
        INSERT INTO chunks_search(chunks_search, rowid, text) VALUES ('delete', old.id, old.text);
    END""",
    """CREATE TRIGGER chunks_search_update AFTER UPDATE OF text ON chunks BEGIN
        INSERT INTO chunks_search(chunks_search, rowid, text) VALUES ('delete', old.id, old.text);
        INSERT INTO chunks_search(rowid, text) VALUES (new.id, new.text);
    END""",
    "INSERT INTO chunks_search(chunks_search) VALUES ('rebuild')",
]
SQLITE_DOWNGRADE = [
    "DROP TRIGGER chunks_search_update",
    "DROP TRIGGER chunks_search_delete",
    "DROP TRIGGER chunks_search_insert",
    "DROP TABLE chunks_search",
]
# 'simple': no language's stemming, so any language's words are found as written.
POSTGRESQL_UPGRADE = [
    "ALTER TABLE chunks ADD COLUMN search_vector tsvector"
    " GENERATED ALWAYS AS (to_tsvector('simple', text)) STORED",
    "CREATE INDEX ix_chunks_search_vector ON chunks USING GIN (search_vector)",
]
POSTGRESQL_DOWNGRADE = [
    "DROP INDEX ix_chunks_search_vector",
    "ALTER TABLE chunks DROP COLUMN search_vector",
]


def _run(statements_by_dialect):
    dialect = op.get_bind().dialect.name
    if dialect not in statements_by_dialect:
        raise NotImplementedError(f"full-text search is built for SQLite and PostgreSQL, not {dialect}")
    for statement in statements_by_dialect[dialect]:
        op.execute(statement)


def upgrade():
    _run({"sqlite": SQLITE_UPGRADE, "postgresql": POSTGRESQL_UPGRADE})


def downgrade():
    _run({"sqlite": SQLITE_DOWNGRADE, "postgresql": POSTGRESQL_DOWNGRADE})
