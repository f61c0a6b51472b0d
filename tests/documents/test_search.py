"""GET /api/search and `flask documents search`, on SQLite and on PostgreSQL: the same tests on both."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from documents.models import Chunk, Document
from documents.search_index import chunk_search_terms
from extensions import db
from tests.conftest import create_user
from tests.support.postgres import on_both_databases
from timestamps import utcnow

pytestmark = on_both_databases


def add_document(app, user_id: int, name: str, chunks: list[str]) -> int:
    with app.app_context():
        # Only the columns every revision has: the migration tests add rows before the newer ones exist.
        now = utcnow()
        document_id: int = db.session.execute(
            db.insert(Document)
            .values(
                user_id=user_id,
                name=name,
                s3_bucket="b",
                s3_key=f"users/{user_id}/{name}",
                status="processed",
                chunk_count=len(chunks),
                created_at=now,
                updated_at=now,
            )
            .returning(Document.id)
        ).scalar_one()
        if chunks:  # an empty VALUES list would be an INSERT of one row of defaults
            rows = [{"document_id": document_id, "position": index, "text": text} for index, text in enumerate(chunks)]
            db.session.execute(db.insert(Chunk).values(rows))
        db.session.commit()
        return document_id


@pytest.fixture
def alice(app, auth):
    auth.login("alice@example.com")
    return auth.user_id


def search(client, q, **arguments):
    return client.get("/api/search", query_string={"q": q, **arguments})


def test_the_users_matching_chunks_come_back_ranked_with_the_words_marked(app, client, alice):
    add_document(
        app, alice, "report.txt", ["quarterly results were strong", "nothing here", "results, results, results"]
    )
    add_document(app, alice, "notes.md", ["the quarterly plan"])

    response = search(client, "results")
    assert response.status_code == 200
    body = response.get_json()
    assert [(hit["documentName"], hit["position"]) for hit in body["results"]] == [("report.txt", 2), ("report.txt", 0)]
    assert body["results"][0]["score"] > body["results"][1]["score"] > 0
    assert "<mark>results</mark>" in body["results"][1]["snippet"]
    assert body["nextCursor"] is None


def test_every_word_must_be_in_the_chunk(app, client, alice):
    add_document(app, alice, "a.txt", ["quarterly results", "quarterly plan", "annual results"])
    hits = search(client, "quarterly results").get_json()["results"]
    assert [hit["position"] for hit in hits] == [0]


def test_another_users_words_never_appear(app, client, alice):
    bob = create_user(app, "bob@example.com")
    add_document(app, bob, "bob.txt", ["confidential merger zebra"])
    add_document(app, alice, "alice.txt", ["an ordinary zebra"])
    hits = search(client, "zebra").get_json()["results"]
    assert [hit["documentName"] for hit in hits] == ["alice.txt"]
    assert search(client, "merger").get_json() == {"results": [], "nextCursor": None}


def test_pages_follow_the_cursor_without_repeats_or_gaps(app, client, alice):
    add_document(app, alice, "many.txt", [f"needle number {number} " + "hay " * number for number in range(7)])
    seen, cursor = [], None
    while True:
        body = search(client, "needle", limit="3", **({"cursor": cursor} if cursor else {})).get_json()
        seen += [hit["position"] for hit in body["results"]]
        cursor = body["nextCursor"]
        if cursor is None:
            break
    everything = [hit["position"] for hit in search(client, "needle", limit="50").get_json()["results"]]
    assert seen == everything
    assert sorted(seen) == list(range(7))


@pytest.mark.parametrize(
    "query",
    ['"', 'NEAR(a b)', "*", "-", "OR", "a OR b", "text:zebra", "zebra*", "'); DROP TABLE chunks; --",
     "^zebra", "{text}: x", "zebra AND NOT x", "a\\b", "%_%"],
)  # fmt: skip
def test_hostile_queries_are_searched_for_as_words_never_obeyed(app, client, alice, query):
    add_document(app, alice, "a.txt", ["zebra crossing", "NEAR and OR are words too"])
    response = search(client, query)
    assert response.status_code in (200, 400), response.get_json()
    if response.status_code == 400:
        assert response.get_json()["error"] == "q has no words to search for, only punctuation"
    with app.app_context():
        assert db.session.scalar(text("SELECT count(*) FROM chunks")) == 2


def test_operator_words_match_only_as_words(app, client, alice):
    add_document(app, alice, "a.txt", ["zebra crossing", "NEAR and OR are words too"])
    assert [hit["position"] for hit in search(client, "OR").get_json()["results"]] == [1]
    assert search(client, "zebra OR crossing").get_json()["results"] == []  # every word, "or" included


def test_non_latin_words_are_found_and_marked(app, client, alice):
    add_document(app, alice, "multi.txt", ["Отчёт за квартал готов", "四半期の報告", "café au lait"])
    [russian] = search(client, "квартал").get_json()["results"]
    assert "<mark>квартал</mark>" in russian["snippet"]
    [french] = search(client, "café").get_json()["results"]
    assert "<mark>café</mark>" in french["snippet"]


def test_the_snippet_text_is_escaped_and_only_the_marks_are_markup(app, client, alice):
    add_document(app, alice, "x.html", ['<script>alert(1)</script> "zebra"', "1 < 2 & 3 > 2 for every giraffe"])
    # PostgreSQL's parser drops tag-like spans from headlines; SQLite keeps them, escaped.
    [script] = search(client, "zebra").get_json()["results"]
    assert "<script" not in script["snippet"]
    assert "&#34;<mark>zebra</mark>&#34;" in script["snippet"]
    assert script["snippet"].replace("<mark>", "").replace("</mark>", "").count("<") == 0
    [giraffe] = search(client, "giraffe").get_json()["results"]
    assert giraffe["snippet"] == "1 &lt; 2 &amp; 3 &gt; 2 for every <mark>giraffe</mark>"


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"q": ""}, "q is missing or empty"),
        ({"q": "   "}, "q is missing or empty"),
        ({"q": "x" * 201}, "q is too long: at most 200 characters"),
        ({"q": "!!! ..."}, "q has no words to search for"),
        ({"q": "a", "limit": "0"}, "limit must be a whole number from 1 to 50"),
        ({"q": "a", "limit": "51"}, "limit must be a whole number from 1 to 50"),
        ({"q": "a", "limit": "x"}, "limit must be a whole number from 1 to 50"),
        ({"q": "a", "cursor": "not-a-cursor"}, "cursor is not one this API gave out"),
        ({"q": "a", "cursor": "eyJzY29yZSI6dHJ1ZX0"}, "cursor is not one this API gave out"),
    ],
)
def test_bad_queries_are_400_with_a_reason(client, alice, arguments, message):
    response = client.get("/api/search", query_string=arguments)
    assert response.status_code == 400
    assert message in response.get_json()["error"]


def test_no_q_at_all_is_400(client, alice):
    assert client.get("/api/search").status_code == 400


def test_signed_out_is_401(client):
    assert search(client, "zebra").status_code == 401


def test_the_cli_searches_one_users_documents(app, runner, alice):
    add_document(app, alice, "report.txt", ["quarterly results were strong"])
    result = runner.invoke(args=["documents", "search", "results", "--user", "alice@example.com"])
    assert result.exit_code == 0, result.output
    assert "report.txt#0\tquarterly [results] were strong" in result.output


def test_the_cli_shows_control_characters_instead_of_sending_them_to_the_terminal(app, runner, alice):
    add_document(app, alice, "report.txt", ["\x1b[31mred\x1b[0m zebra \x1b]0;owned\x07 \u202egnp.exe"])
    result = runner.invoke(args=["documents", "search", "zebra", "--user", "alice@example.com"])
    assert result.exit_code == 0, result.output
    assert "\x1b" not in result.output
    assert "\x07" not in result.output
    assert "\u202e" not in result.output
    assert "\\x1b[31mred\\x1b[0m [zebra] \\x1b]0;owned\\x07 \\u202egnp.exe" in result.output


def test_the_cli_says_what_is_wrong_with_a_query(runner, alice):
    result = runner.invoke(args=["documents", "search", "...", "--user", "alice@example.com"])
    assert result.exit_code == 2
    assert "q has no words to search for" in result.output


def test_replacing_and_deleting_chunks_keeps_the_index_in_step(app, client, alice):
    document_id = add_document(app, alice, "a.txt", ["old zebra words"])
    with app.app_context():
        db.session.execute(db.delete(Chunk).where(Chunk.document_id == document_id))
        db.session.add(Chunk(document_id=document_id, position=0, text="new giraffe words"))
        db.session.commit()
    assert search(client, "zebra").get_json()["results"] == []
    assert [hit["position"] for hit in search(client, "giraffe").get_json()["results"]] == [0]
    assert_index_matches_chunks(app)


def assert_index_matches_chunks(app):
    """The index holds exactly each chunk's words, marked with its owner's id (migration 0006)."""
    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            chunks = db.session.execute(
                text("SELECT chunks.id, documents.user_id, chunks.text FROM chunks"
                     " JOIN documents ON documents.id = chunks.document_id")
            )  # fmt: skip
            expected = sorted(
                (term, chunk_id) for chunk_id, owner, body in chunks for term in chunk_search_terms(owner, body).split()
            )
            # Every (term, chunk) the index holds, read through a temporary fts5vocab table over it.
            db.session.execute(
                text("CREATE VIRTUAL TABLE IF NOT EXISTS temp.indexed USING fts5vocab(main, chunks_search, instance)")
            )
            indexed = sorted(tuple(row) for row in db.session.execute(text("SELECT term, doc FROM temp.indexed")))
            assert indexed == expected
            # And the index is sound inside: FTS5 checks its own structures.
            db.session.execute(text("INSERT INTO chunks_search(chunks_search, rank) VALUES ('integrity-check', 1)"))
        else:
            stale = db.session.scalar(
                text("SELECT count(*) FROM chunks JOIN documents ON documents.id = chunks.document_id"
                     " WHERE search_vector IS DISTINCT FROM chunk_search_vector(documents.user_id, chunks.text)")
            )  # fmt: skip
            assert stale == 0


def assert_0004_index_matches_chunks(app):
    """Migration 0004's index, as a downgrade past 0006 restores it: every user's words, unmarked."""
    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            # External content: FTS5 compares the whole index with the chunks it indexes; any difference raises.
            db.session.execute(text("INSERT INTO chunks_search(chunks_search, rank) VALUES ('integrity-check', 1)"))
        else:
            stale = db.session.scalar(
                text("SELECT count(*) FROM chunks WHERE search_vector IS DISTINCT FROM to_tsvector('simple', text)")
            )
            assert stale == 0


def test_the_migration_indexes_chunks_already_there_and_downgrades_cleanly(settings_overrides):
    from flask_migrate import downgrade, upgrade

    from app import create_app

    app = create_app(settings_overrides, env_file=None)
    with app.app_context():
        upgrade(revision="0003_outbox")
        user_id = create_user(app, "early@example.com")
        add_document(app, user_id, "old.txt", ["indexed after the fact", "another zebra"])
        upgrade()
        client = app.test_client()
        client.post("/auth/login", json={"email": "early@example.com", "password": "correct horse battery staple"})
        assert [hit["position"] for hit in search(client, "zebra").get_json()["results"]] == [1]
        assert_index_matches_chunks(app)
        db.session.remove()  # its open transaction would hold a lock the DDL below waits for

        downgrade(revision="0003_outbox")
        tables = set(db.inspect(db.engine).get_table_names())
        columns = {column["name"] for column in db.inspect(db.engine).get_columns("chunks")}
        assert "chunks_search" not in tables
        assert columns == {"id", "document_id", "position", "text"}
        assert db.session.scalar(text("SELECT count(*) FROM chunks")) == 2
        db.session.remove()
        db.engine.dispose()


def test_a_hit_says_which_pages_and_section_its_chunk_came_from(app, client, auth):
    section = "Graphen \N{SINGLE RIGHT-POINTING ANGLE QUOTATION MARK} Spannbaum"
    auth.login("alice@example.com")
    document_id = add_document(app, auth.user_id, "graphs.pdf", ["kruskal builds a spanning tree", "no page known"])
    with app.app_context():
        db.session.execute(
            db.update(Chunk)
            .where(Chunk.document_id == document_id, Chunk.position == 0)
            .values(page_first=41, page_last=42, section=section)
        )
        db.session.commit()

    [hit] = search(client, "kruskal").get_json()["results"]
    assert (hit["pages"], hit["section"]) == ([41, 42], section)
    [unknown] = search(client, "page known").get_json()["results"]
    assert (unknown["pages"], unknown["section"]) == (None, None)
    page = client.get("/search", query_string={"q": "kruskal"}).get_data(as_text=True)
    assert "pages 41\N{EN DASH}42" in page
    assert section in page
