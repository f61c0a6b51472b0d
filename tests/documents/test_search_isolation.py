"""What one user's search answers, and what it costs, depends on that user's documents alone; one user
cannot make search expensive; text cannot forge highlighting; malformed input is a 400. On SQLite and on PostgreSQL."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import text

import documents.search
from documents.models import Chunk, Document
from extensions import db
from processing.readers import read_blocks
from tests.conftest import PASSWORD, create_user
from tests.documents.test_search import add_document, assert_index_matches_chunks, search
from tests.support.postgres import on_both_databases

pytestmark = on_both_databases

BOBS_CHUNKS = [
    "zanzibarquux and fnordplugh met at the quarterly review",
    "the quarterly results: zanzibarquux up, fnordplugh down",
    "initech initech initech, said the memo about the quarterly plan",
    "nothing to see here but the word initech once",
    "fnordplugh " * 30,
]
# Bob's words, his common words and a word nobody has.
QUERIES = ["zanzibarquux", "fnordplugh", "initech", "quarterly", "the", "quarterly zanzibarquux", "nobodyhasthisword"]


def signed_in(app, email: str) -> FlaskClient:
    client: FlaskClient = app.test_client()
    response = client.post("/auth/login", json={"email": email, "password": PASSWORD})
    assert response.status_code == 200, response.get_json()
    return client


def everything_bob_sees(client: FlaskClient) -> dict[str, Any]:
    """Each query's answer, and every page of it two at a time, cursors included."""
    answers: dict[str, Any] = {}
    for query in QUERIES:
        answers[query] = search(client, query).get_json()
        pages, cursor = [], None
        while True:
            body = search(client, query, limit="2", **({"cursor": cursor} if cursor else {})).get_json()
            pages.append(body)
            cursor = body["nextCursor"]
            if cursor is None:
                break
        answers[f"{query} in pages"] = pages
    return answers


@pytest.fixture
def bob(app) -> FlaskClient:
    bob_id = create_user(app, "bob@example.com")
    add_document(app, bob_id, "bob.txt", BOBS_CHUNKS)
    add_document(app, bob_id, "more.txt", ["quarterly initech zanzibarquux", "the end"])
    return signed_in(app, "bob@example.com")


def alice_processes_documents_full_of_bobs_words(app) -> None:
    alice_id = create_user(app, "alice@example.com")
    words = "zanzibarquux fnordplugh initech quarterly the results"
    for number in range(8):
        add_document(
            app, alice_id, f"alice-{number}.txt", [f"{words} " * (1 + (position % 5)) for position in range(60)]
        )


def test_bobs_answer_is_the_same_after_alice_processes_documents_full_of_his_words(app, bob):
    before = everything_bob_sees(bob)
    assert sorted(hit["documentName"] for hit in before["zanzibarquux"]["results"]) == [
        "bob.txt",
        "bob.txt",
        "more.txt",
    ]
    assert before["fnordplugh in pages"][0]["nextCursor"] is not None  # the paged answers are compared too

    alice_processes_documents_full_of_bobs_words(app)

    assert everything_bob_sees(bob) == before
    assert_index_matches_chunks(app)


def test_the_score_is_the_chunks_own(app, bob):
    """Two of Bob's chunks that hold a word as often, and are as long, score the same whatever else exists."""
    carol_id = create_user(app, "carol@example.com")
    add_document(app, carol_id, "twins.txt", ["alpha bravo gamma", "alpha delta gamma"])
    carol = signed_in(app, "carol@example.com")
    hits = search(carol, "alpha").get_json()["results"]
    assert hits[0]["score"] == hits[1]["score"] > 0
    assert [(hit["documentName"], hit["position"]) for hit in hits] == [("twins.txt", 0), ("twins.txt", 1)]


def test_the_cursor_holds_only_the_users_own_values(app, bob):
    cursor = search(bob, "fnordplugh", limit="1").get_json()["nextCursor"]
    decoded = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    assert set(decoded) == {"score", "document", "position"}
    assert decoded["document"] in {"bob.txt", "more.txt"}


class StepCounter:
    """Counts the database's work for one search: SQLite's virtual-machine steps, PostgreSQL's buffer reads."""

    def __init__(self, app, monkeypatch) -> None:
        self.app = app
        self.monkeypatch = monkeypatch

    def cost(self, user_id: int, query: str) -> int:
        """The second run's: the first on a connection also pays for reading the schema."""
        with self.app.app_context():
            measure = self._sqlite_steps if db.engine.dialect.name == "sqlite" else self._postgresql_buffers
            measure(user_id, query)
            return measure(user_id, query)

    def _sqlite_steps(self, user_id: int, query: str) -> int:
        # The time budget's check runs every _PROGRESS_STEPS steps and reads the clock once: with
        # one step between checks, the clock is read once per step.
        calls = [0]

        class Clock:
            @staticmethod
            def monotonic() -> float:
                calls[0] += 1
                return 0.0

        with self.monkeypatch.context() as patch:
            patch.setattr(documents.search, "_PROGRESS_STEPS", 1)
            patch.setattr(documents.search, "time", Clock)
            documents.search.search_chunks(user_id, query)
        db.session.rollback()
        return calls[0]

    def _postgresql_buffers(self, user_id: int, query: str) -> int:
        parameters = {**documents.search._parameters(user_id, 11, None), "words": query}
        explain = "EXPLAIN (ANALYZE, BUFFERS, COSTS OFF, FORMAT JSON) " + documents.search._POSTGRESQL
        [[plan]] = db.session.execute(text(explain), parameters).one()
        db.session.rollback()
        top = plan["Plan"]
        return int(top["Shared Hit Blocks"] + top["Shared Read Blocks"])


def test_a_word_only_others_have_costs_what_a_word_nobody_has_costs(app, bob, monkeypatch):
    """The lookup reads only the searching user's part of the index: counted, not timed."""
    with app.app_context():
        bob_id = db.session.scalar(text("SELECT id FROM users WHERE email = 'bob@example.com'"))
    alice_processes_documents_full_of_bobs_words(app)
    alice_id = create_user(app, "alice2@example.com")
    add_document(app, alice_id, "secret.txt", ["onlyalicehasthis " * 40] * 200)
    counter = StepCounter(app, monkeypatch)
    with app.app_context():
        db.session.execute(text("ANALYZE") if db.engine.dialect.name == "postgresql" else text("SELECT 1"))
        db.session.commit()
    nobody = counter.cost(bob_id, "nobodyhasthisword")
    assert counter.cost(bob_id, "onlyalicehasthis") == nobody
    assert counter.cost(alice_id, "onlyalicehasthis") > nobody  # the counter does see postings read


def test_forged_marker_characters_stay_text(app, client, auth, tmp_path):
    auth.login("alice@example.com")
    page = tmp_path / "page.html"
    page.write_text("<html><body><p>&#xe000;nothing&#xe001; to see: a zebra &lt;mark&gt;here</p></body></html>")
    from_html = "\n".join(block.text for block in read_blocks(page, ".html"))
    assert "\ue000" in from_html
    add_document(app, auth.user_id, "forged.txt", ["\ue000nothing\ue001 but a \ue001zebra\ue000 crossing", from_html])
    hits = search(client, "zebra").get_json()["results"]
    assert len(hits) == 2
    for hit in hits:
        assert hit["snippet"].count("<mark>") == hit["snippet"].count("</mark>") == 1
        assert "<mark>zebra</mark>" in hit["snippet"]
        assert "\ue000" in hit["snippet"]  # shown as the characters they are
        assert "\ue001" in hit["snippet"]
    assert "&lt;mark&gt;here" in hits[0]["snippet"] + hits[1]["snippet"]
    # Searching for the markers themselves finds nothing to mark: they are not words.
    assert search(client, "\ue000").status_code == 400


def test_repeated_words_count_once_and_too_many_different_words_are_refused(app, client, auth):
    auth.login("alice@example.com")
    add_document(app, auth.user_id, "a.txt", ["the zebra", "the giraffe"])
    once = search(client, "the").get_json()
    assert search(client, " ".join(["the"] * 50)).get_json() == once
    assert search(client, "The THE the zebra the").get_json() == search(client, "the zebra").get_json()

    ten = " ".join(f"word{number}" for number in range(10))
    assert search(client, ten).status_code == 200
    response = search(client, ten + " word10")
    assert response.status_code == 400
    assert response.get_json()["error"] == (
        "q has 11 different words; at most 10 are searched for: leave out the common ones"
    )


def test_the_limit_on_words_is_a_setting(app_with):
    app = app_with(SEARCH_MAX_WORDS=2)
    create_user(app, "alice@example.com")
    client = signed_in(app, "alice@example.com")
    assert search(client, "a b a b").status_code == 200
    assert "at most 2 are searched for" in search(client, "a b c").get_json()["error"]


def test_searches_are_limited_per_user_with_retry_after(app_with):
    app = app_with(SEARCH_RATE_LIMIT="3 per minute")
    alice_id = create_user(app, "alice@example.com")
    create_user(app, "bob@example.com")
    add_document(app, alice_id, "a.txt", ["zebra"])
    alice, bob = signed_in(app, "alice@example.com"), signed_in(app, "bob@example.com")
    assert [search(alice, "zebra").status_code for _ in range(2)] == [200, 200]
    assert alice.get("/search", query_string={"q": "zebra"}).status_code == 200  # the page counts too
    refused = search(alice, "zebra")
    assert refused.status_code == 429
    assert refused.get_json()["error"].startswith("too many searches; try again in ")
    assert 1 <= int(refused.headers["Retry-After"]) <= 60
    page = alice.get("/search", query_string={"q": "zebra"})
    assert page.status_code == 429
    assert "Too many searches" in page.get_data(as_text=True)
    assert 1 <= int(page.headers["Retry-After"]) <= 60
    assert search(bob, "zebra").status_code == 200  # per user: Bob is not held up by Alice


def test_a_users_second_search_while_the_first_runs_is_a_429_and_others_search_on(app):
    bob_id, alice_id = create_user(app, "bob2@example.com"), create_user(app, "alice2@example.com")
    add_document(app, bob_id, "b.txt", ["zebra"])
    add_document(app, alice_id, "a.txt", ["zebra"])
    bob, alice = signed_in(app, "bob2@example.com"), signed_in(app, "alice2@example.com")
    with documents.search._one_search_at_a_time(bob_id):  # Bob's first search, still running
        refused = search(bob, "zebra")
        assert refused.status_code == 429
        assert refused.get_json()["error"] == documents.search.STILL_RUNNING
        assert refused.headers["Retry-After"] == "1"
        assert search(alice, "zebra").status_code == 200
    assert search(bob, "zebra").status_code == 200  # the slot is his again once the first has answered


def test_a_query_over_its_time_budget_is_a_400_and_the_session_goes_on(app, client, auth, monkeypatch):
    auth.login("alice@example.com")
    add_document(app, auth.user_id, "a.txt", ["the zebra"] * 20)
    with app.app_context():
        postgresql = db.engine.dialect.name == "postgresql"
    if postgresql:
        # A query that takes 0.5 s against a budget of 10 ms: PostgreSQL's statement_timeout stops it.
        slow = documents.search._POSTGRESQL.replace(
            "AS query\n)", "AS query FROM pg_sleep(0.5)\n)"
        )  # fmt: skip
        assert slow != documents.search._POSTGRESQL
        monkeypatch.setattr(documents.search, "_POSTGRESQL", slow)
    else:
        # A clock that moves a second at every look: SQLite's progress handler stops the query at its first check.
        ticks = iter(range(10**6))

        class Clock:
            @staticmethod
            def monotonic() -> float:
                return float(next(ticks))

        monkeypatch.setattr(documents.search, "time", Clock)
    settings = app.extensions["settings"]
    monkeypatch.setitem(app.extensions, "settings", settings.model_copy(update={"search_time_budget_ms": 10}))

    response = search(client, "zebra")
    assert response.status_code == 400
    assert response.get_json()["error"] == "the query matches too much; add a rarer word"
    monkeypatch.undo()
    assert search(client, "zebra").status_code == 200
    assert client.get("/api/documents").status_code == 200


def test_the_time_budget_ends_with_the_search(app, auth, monkeypatch):
    auth.login("alice@example.com")
    add_document(app, auth.user_id, "a.txt", ["the zebra"])
    now = [0.0]

    class Clock:
        @staticmethod
        def monotonic() -> float:
            return now[0]

    monkeypatch.setattr(documents.search, "time", Clock)
    with app.app_context():
        documents.search.search_chunks(auth.user_id, "zebra")
        now[0] = 10.0**9  # long past the budget: a handler left behind would stop the next statement
        if db.engine.dialect.name == "postgresql":
            timeout = db.session.scalar(text("SELECT setting FROM pg_settings WHERE name = 'statement_timeout'"))
            assert timeout == db.session.scalar(
                text("SELECT reset_val FROM pg_settings WHERE name = 'statement_timeout'")
            )
        long_statement = (
            "WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < 20000) SELECT count(*) FROM n"
        )
        assert db.session.scalar(text(long_statement)) == 20000


def cursor_of(value: object) -> str:
    return base64.urlsafe_b64encode(json.dumps(value).encode()).decode().rstrip("=")


def deeply_nested(levels: int) -> str:
    return base64.urlsafe_b64encode(("[" * levels + "]" * levels).encode()).decode()


def cursor_case(name: str, cursor: str, reason: str) -> Any:
    return pytest.param(cursor, reason, id=name)


@pytest.mark.parametrize(
    ("cursor", "reason"),
    [
        cursor_case("position 10**30", cursor_of({"score": 1.0, "document": "a.txt", "position": 10**30}),
                    "its position is not a whole number from 0 to 2147483647"),
        cursor_case("position -10**24", cursor_of({"score": 1.0, "document": "a.txt", "position": -(10**24)}),
                    "its position is not a whole number from 0 to 2147483647"),
        cursor_case("position 1.5", cursor_of({"score": 1.0, "document": "a.txt", "position": 1.5}),
                    "its position is not a whole number"),
        cursor_case("position true", cursor_of({"score": 1.0, "document": "a.txt", "position": True}),
                    "its position is not a whole number"),
        cursor_case("score of 2001 digits",
                    cursor_of({"score": int("9" * 2001), "document": "a.txt", "position": 1}),
                    "its score is not from 0 to 1e+06"),
        cursor_case("score -1", cursor_of({"score": -1, "document": "a.txt", "position": 1}),
                    "its score is not from 0"),
        cursor_case("score NaN",
                    base64.urlsafe_b64encode(b'{"score": NaN, "document": "a", "position": 1}').decode(),
                    "its score is not from 0"),
        cursor_case("score a string", cursor_of({"score": "1", "document": "a.txt", "position": 1}),
                    "its score is not a number"),
        cursor_case("name with NUL", cursor_of({"score": 1.0, "document": "a\x00.txt", "position": 1}),
                    "its document name is not one a document can have"),
        cursor_case("name a lone surrogate", cursor_of({"score": 1.0, "document": "\ud800", "position": 1}),
                    "its document name is not one"),
        cursor_case("name too long", cursor_of({"score": 1.0, "document": "x" * 1025, "position": 1}),
                    "its document name is not one"),
        cursor_case("an older shape", cursor_of({"score": 1.0, "chunk": 12}), "not the fields this API puts in one"),
        cursor_case("a list", cursor_of([1, 2]), "not the fields this API puts in one"),
        cursor_case("nested 1500 levels", deeply_nested(1500), "nested too deep"),
        cursor_case("not base64", "%%%", "not the encoding this API uses"),
        cursor_case("5000 characters", "A" * 5000, "longer than 4096 characters"),
    ],
)  # fmt: skip
def test_a_malformed_cursor_is_a_400_saying_what_is_wrong(client, auth, cursor, reason):
    auth.login("alice@example.com")
    response = search(client, "zebra", cursor=cursor)
    assert response.status_code == 400, response.get_json()
    error = response.get_json()["error"]
    assert error.startswith("cursor is not one this API gave out (")
    assert reason in error


@pytest.mark.parametrize(
    "query",
    [
        pytest.param("zebra\x00crossing", id="between words"),
        pytest.param("\x00zebra", id="first"),
        pytest.param("zebra\x00", id="last"),
        pytest.param("zebra \x00\x00 crossing", id="two"),
        pytest.param("\x01zebra\x7f", id="other controls"),
    ],
)
def test_a_nul_in_q_separates_words(app, client, auth, query):
    auth.login("alice@example.com")
    add_document(app, auth.user_id, "a.txt", ["zebra crossing", "zebra"])
    response = search(client, query)
    assert response.status_code == 200, response.get_json()
    expected = [0] if "crossing" in query else [1, 0]
    assert sorted(hit["position"] for hit in response.get_json()["results"]) == sorted(expected)


def test_a_nul_alone_is_no_word(client, auth):
    auth.login("alice@example.com")
    response = search(client, "\x00")
    assert response.status_code == 400
    assert response.get_json()["error"] == "q has no words to search for, only punctuation"


def test_deleting_a_user_or_a_document_takes_its_chunks_out_of_the_index(app, client, auth):
    auth.login("alice@example.com")
    bob_id = create_user(app, "bob@example.com")
    add_document(app, bob_id, "bob.txt", ["zebra one", "zebra two"])
    kept = add_document(app, auth.user_id, "kept.txt", ["zebra kept"])
    gone = add_document(app, auth.user_id, "gone.txt", ["zebra gone"])
    with app.app_context():
        db.session.execute(text("DELETE FROM documents WHERE id = :id"), {"id": gone})
        db.session.execute(text("DELETE FROM users WHERE id = :id"), {"id": bob_id})
        db.session.commit()
        assert db.session.scalar(text("SELECT count(*) FROM chunks")) == 1
    assert_index_matches_chunks(app)
    assert [hit["documentName"] for hit in search(client, "zebra").get_json()["results"]] == ["kept.txt"]
    with app.app_context():
        db.session.delete(db.session.get(Document, kept))  # the ORM's way: chunks first
        db.session.commit()
    assert_index_matches_chunks(app)


def test_a_document_never_changes_owner(app, auth):
    auth.login("alice@example.com")
    bob_id = create_user(app, "bob@example.com")
    document_id = add_document(app, auth.user_id, "a.txt", ["zebra"])
    with app.app_context():
        with pytest.raises(Exception, match="a document never changes owner"):
            db.session.execute(
                text("UPDATE documents SET user_id = :bob WHERE id = :id"), {"bob": bob_id, "id": document_id}
            )
        db.session.rollback()
    assert_index_matches_chunks(app)


def test_moving_a_chunk_to_another_users_document_moves_it_in_the_index(app, client, auth):
    auth.login("alice@example.com")
    bob_id = create_user(app, "bob@example.com")
    alices = add_document(app, auth.user_id, "a.txt", ["zebra"])
    bobs = add_document(app, bob_id, "b.txt", [])
    with app.app_context():
        db.session.execute(db.update(Chunk).where(Chunk.document_id == alices).values(document_id=bobs))
        db.session.commit()
    assert search(client, "zebra").get_json()["results"] == []
    assert_index_matches_chunks(app)


def test_the_migration_marks_existing_chunks_with_their_owner_and_downgrades_to_0004s_index(settings_overrides):
    from flask_migrate import downgrade, upgrade

    from app import create_app
    from tests.documents.test_search import assert_0004_index_matches_chunks

    app = create_app(settings_overrides, env_file=None)
    with app.app_context():
        upgrade(revision="0005_outbox_confirmed")
        alice_id, bob_id = create_user(app, "alice@example.com"), create_user(app, "bob@example.com")
        add_document(app, alice_id, "alice.txt", ["zebra zebra zebra", "giraffe"])
        add_document(app, bob_id, "bob.txt", ["a lone zebra"])
        assert_0004_index_matches_chunks(app)
        db.session.remove()

        upgrade()
        assert_index_matches_chunks(app)
        bob = signed_in(app, "bob@example.com")
        assert [hit["documentName"] for hit in search(bob, "zebra").get_json()["results"]] == ["bob.txt"]
        assert search(bob, "giraffe").get_json()["results"] == []
        db.session.remove()

        downgrade(revision="0005_outbox_confirmed")
        assert_0004_index_matches_chunks(app)
        tables = set(db.inspect(db.engine).get_table_names())
        assert "chunks_search_instances" not in tables
        db.session.remove()
        upgrade()  # and up again, from the downgraded state
        assert_index_matches_chunks(app)
        db.session.remove()
        db.engine.dispose()
