"""The database out of reach (restarting, failing over): 503 with Retry-After, never a 500 or a traceback."""

from __future__ import annotations

import psycopg
import pytest
from sqlalchemy.exc import OperationalError, PendingRollbackError

from app import create_app
from extensions import db
from http_plumbing.errors import INVALID_INPUT_MESSAGE, lost_database_connection
from stack.ports import free_port
from tests.support.postgres import create_database, on_both_databases


def test_a_database_that_cannot_be_reached_answers_503_with_retry_after(settings_overrides):
    port = free_port()  # nothing listens there
    app = create_app(
        {**settings_overrides, "DATABASE_URL": f"postgresql+psycopg://postgres@127.0.0.1:{port}/documents"},
        env_file=None,
    )

    response = app.test_client().post("/auth/login", json={"email": "someone@example.com", "password": "secret"})

    assert response.status_code == 503
    assert response.headers["Retry-After"] == "5"
    assert response.get_json()["error"].startswith("the database is unavailable for a moment; try again shortly")
    assert str(port) not in response.get_data(as_text=True)
    assert "127.0.0.1" not in response.get_data(as_text=True)


def test_an_error_raised_while_handling_a_lost_connection_is_traced_back_to_it():
    lost = OperationalError("INSERT ...", {}, ConnectionError("server closed the connection unexpectedly"))

    def handle_it_badly() -> None:
        try:
            raise lost
        except OperationalError:
            raise PendingRollbackError("This Session's transaction has been rolled back") from None

    with pytest.raises(PendingRollbackError) as later:
        handle_it_badly()
    assert lost_database_connection(later.value) is lost


def test_other_errors_are_not_taken_for_a_lost_connection():
    assert lost_database_connection(ValueError("a bug")) is None


on_postgresql = pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)


@on_postgresql
def test_a_value_postgresql_cannot_store_is_a_400_not_an_outage(client):
    response = client.post("/auth/login", json={"email": "alice\u0000@example.com", "password": "secret"})

    assert response.status_code == 400
    assert "Retry-After" not in response.headers
    assert response.get_json()["error"] == INVALID_INPUT_MESSAGE


@on_both_databases
def test_a_query_the_database_refuses_is_a_500_not_an_outage(app, client, auth):
    auth.login()
    with app.app_context():
        db.session.execute(db.text("ALTER TABLE documents RENAME TO documents_elsewhere"))
        db.session.commit()

    response = client.get("/api/documents")

    assert response.status_code == 500
    assert "Retry-After" not in response.headers
    assert response.get_json()["error"] == "internal error; the failure was logged, try again later"


def test_a_refused_connection_from_the_driver_is_a_lost_connection():
    with pytest.raises(psycopg.OperationalError) as refused:
        psycopg.connect(f"postgresql://postgres@127.0.0.1:{free_port()}/postgres", connect_timeout=5)
    wrapped = OperationalError("SELECT 1", {}, refused.value)
    assert lost_database_connection(wrapped) is wrapped


def test_a_cancelled_statement_is_not_a_lost_connection(postgres_server):
    url = create_database(postgres_server).replace("postgresql+psycopg", "postgresql")
    connection = psycopg.connect(url, options="-c statement_timeout=10ms")
    with connection, pytest.raises(psycopg.errors.QueryCanceled) as cancelled:
        connection.execute("SELECT pg_sleep(1)")
    assert lost_database_connection(OperationalError("SELECT pg_sleep(1)", {}, cancelled.value)) is None
