"""The database out of reach (restarting, failing over): 503 with Retry-After, never a 500 or a traceback."""

from __future__ import annotations

import pytest
from sqlalchemy.exc import OperationalError, PendingRollbackError

from app import create_app
from http_plumbing.errors import lost_database_connection
from stack.ports import free_port


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
