"""search index terms marked with their owner: one user's query never reads another's postings

Revision ID: 0006_user_scoped_search
Revises: 0005_outbox_confirmed
Create Date: 2026-12-05 10:00:00

0004's index was one vocabulary for everyone: SQLite's bm25() ranked with every user's
chunks, and looking a word up walked every user's postings of it, so scores and timings told
a user which words other users' documents hold. Here every term is
`<owner id>_<word>`, in the index and in the query (documents/search_index.py), so a lookup
reads only the searching user's part of the index, and the rank is computed from the chunk
alone (documents/search.py).

SQLite: a contentless FTS5 table (the text stays in chunks only) whose rows the triggers write
from `chunk_search_terms(owner, text)`, a function the app adds to every connection: for each
word, a term that the chunk holds it and one for how often (the rank's input). A contentless
table is told what to delete, so the owner must still be found when a chunk goes: a document's
chunks are deleted before the document (a trigger), and a document never changes owner.
PostgreSQL: the tsvector is kept by a trigger (a generated column cannot read the document's
owner), each lexeme marked by `chunk_search_vector(owner, text)`; queries use
`chunk_search_query(owner, words)`.

The transaction that replaces a document's chunks replaces their index entries, as before.
Upgrading indexes the chunks already there; downgrading restores 0004's index, rebuilt.
"""

from alembic import op

revision = "0006_user_scoped_search"
down_revision = "0005_outbox_confirmed"
branch_labels = None
depends_on = None

# The owner of the chunk a trigger is about: its document is still there (see documents_chunks_first).
_OWNER = "(SELECT user_id FROM documents WHERE id = {row}.document_id)"

SQLITE_UPGRADE = [
    "DROP TRIGGER chunks_search_update",
    "DROP TRIGGER chunks_search_delete",
    "DROP TRIGGER chunks_search_insert",
    "DROP TABLE chunks_search",
    # content='': the index only (the text stays in chunks); columnsize=0 and detail=none: no sizes
    # and no positions, which only bm25(), phrases and snippets read. The words are found in Python,
    # so the tokenizer only splits on the spaces between terms (and keeps the "_" of the marks).
    """CREATE VIRTUAL TABLE chunks_search USING fts5(
        terms, content='', columnsize=0, detail=none, tokenize="ascii tokenchars '_'"
    )""",
    f"""CREATE TRIGGER chunks_search_insert AFTER INSERT ON chunks BEGIN
        INSERT INTO chunks_search(rowid, terms) VALUES (new.id, chunk_search_terms({_OWNER.format(row="new")}, new.text));
    END""",
    f"""CREATE TRIGGER chunks_search_delete AFTER DELETE ON chunks BEGIN
        INSERT INTO chunks_search(chunks_search, rowid, terms)
            VALUES ('delete', old.id, chunk_search_terms({_OWNER.format(row="old")}, old.text));
    END""",
    f"""CREATE TRIGGER chunks_search_update AFTER UPDATE OF text, document_id ON chunks BEGIN
        INSERT INTO chunks_search(chunks_search, rowid, terms)
            VALUES ('delete', old.id, chunk_search_terms({_OWNER.format(row="old")}, old.text));
        INSERT INTO chunks_search(rowid, terms) VALUES (new.id, chunk_search_terms({_OWNER.format(row="new")}, new.text));
    END""",
    # ON DELETE CASCADE removes the chunks after their document: too late to know whose they were.
    """CREATE TRIGGER documents_chunks_first BEFORE DELETE ON documents BEGIN
        DELETE FROM chunks WHERE document_id = old.id;
    END""",
    """CREATE TRIGGER documents_owner_fixed BEFORE UPDATE OF user_id ON documents
        WHEN new.user_id IS NOT old.user_id BEGIN
        SELECT RAISE(ABORT, 'a document never changes owner: its chunks are indexed under it');
    END""",
    """INSERT INTO chunks_search(rowid, terms)
        SELECT chunks.id, chunk_search_terms(documents.user_id, chunks.text)
        FROM chunks JOIN documents ON documents.id = chunks.document_id""",
]
SQLITE_DOWNGRADE = [
    "DROP TRIGGER documents_owner_fixed",
    "DROP TRIGGER documents_chunks_first",
    "DROP TRIGGER chunks_search_update",
    "DROP TRIGGER chunks_search_delete",
    "DROP TRIGGER chunks_search_insert",
    "DROP TABLE chunks_search",
    # 0004's index, as 0004 made it.
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

# A lexeme as tsvector and tsquery input spell it: quoted, its quotes and backslashes doubled.
_MARKED_LEXEME = "'''' || replace(replace(owner || '_' || lexeme, '\\', '\\\\'), '''', '''''') || ''''"
POSTGRESQL_UPGRADE = [
    "DROP INDEX ix_chunks_search_vector",
    "ALTER TABLE chunks DROP COLUMN search_vector",
    # The 'simple' configuration's lexemes, each marked with the owner's id, positions kept (for ts_rank_cd).
    f"""CREATE FUNCTION chunk_search_vector(owner integer, body text) RETURNS tsvector
        LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
        SELECT coalesce(string_agg({_MARKED_LEXEME} || coalesce(':' || array_to_string(positions, ','), ''), ' '), '')
               ::tsvector
        FROM unnest(to_tsvector('simple', body))
    $$""",
    # Every distinct word of `words`, marked the same way: chunks that hold them all.
    f"""CREATE FUNCTION chunk_search_query(owner integer, words text) RETURNS tsquery
        LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
        SELECT coalesce(string_agg({_MARKED_LEXEME}, ' & '), '')::tsquery
        FROM unnest(to_tsvector('simple', words))
    $$""",
    """CREATE FUNCTION chunks_search_vector_fill() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        NEW.search_vector := chunk_search_vector((SELECT user_id FROM documents WHERE id = NEW.document_id), NEW.text);
        IF NEW.search_vector IS NULL THEN
            RAISE EXCEPTION 'a chunk is indexed under its document''s owner, and this one has none';
        END IF;
        RETURN NEW;
    END
    $$""",
    """CREATE FUNCTION documents_owner_fixed() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION 'a document never changes owner: its chunks are indexed under it';
    END
    $$""",
    "ALTER TABLE chunks ADD COLUMN search_vector tsvector",
    """UPDATE chunks SET search_vector = chunk_search_vector(documents.user_id, chunks.text)
        FROM documents WHERE documents.id = chunks.document_id""",
    "ALTER TABLE chunks ALTER COLUMN search_vector SET NOT NULL",
    """CREATE TRIGGER chunks_search_vector BEFORE INSERT OR UPDATE OF text, document_id ON chunks
        FOR EACH ROW EXECUTE FUNCTION chunks_search_vector_fill()""",
    """CREATE TRIGGER documents_owner_fixed BEFORE UPDATE OF user_id ON documents
        FOR EACH ROW WHEN (NEW.user_id IS DISTINCT FROM OLD.user_id) EXECUTE FUNCTION documents_owner_fixed()""",
    "CREATE INDEX ix_chunks_search_vector ON chunks USING GIN (search_vector)",
]
POSTGRESQL_DOWNGRADE = [
    "DROP TRIGGER documents_owner_fixed ON documents",
    "DROP TRIGGER chunks_search_vector ON chunks",
    "DROP FUNCTION documents_owner_fixed()",
    "DROP FUNCTION chunks_search_vector_fill()",
    "DROP INDEX ix_chunks_search_vector",
    "ALTER TABLE chunks DROP COLUMN search_vector",
    "DROP FUNCTION chunk_search_query(integer, text)",
    "DROP FUNCTION chunk_search_vector(integer, text)",
    # 0004's index, as 0004 made it.
    "ALTER TABLE chunks ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (to_tsvector('simple', text)) STORED",
    "CREATE INDEX ix_chunks_search_vector ON chunks USING GIN (search_vector)",
]


def _run(statements_by_dialect):
    bind = op.get_bind()
    dialect = bind.dialect.name
    if dialect not in statements_by_dialect:
        raise NotImplementedError(f"full-text search is built for SQLite and PostgreSQL, not {dialect}")
    if dialect == "sqlite":
        # The app adds the triggers' function to every connection (extensions.py); added here too,
        # so that this migration does not depend on how its connection was made.
        from documents.search_index import register_sqlite_functions

        register_sqlite_functions(bind.connection.dbapi_connection)
    for statement in statements_by_dialect[dialect]:
        op.execute(statement)


def upgrade():
    _run({"sqlite": SQLITE_UPGRADE, "postgresql": POSTGRESQL_UPGRADE})


def downgrade():
    _run({"sqlite": SQLITE_DOWNGRADE, "postgresql": POSTGRESQL_DOWNGRADE})
