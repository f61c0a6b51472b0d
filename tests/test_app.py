"""The app as a whole: factory, health check, JSON for every error."""

from __future__ import annotations

from flask import Flask

from extensions import db
from tests.support.database_faults import refused_inserts
from tests.support.postgres import on_both_databases


def test_create_app_applies_overrides_to_settings_and_config(app: Flask, bucket):
    assert app.extensions["settings"].aws_s3_bucket == bucket
    assert app.config["TESTING"] is True


@on_both_databases
def test_migrations_build_the_schema(app):
    with app.app_context():
        tables = set(db.inspect(db.engine).get_table_names())
    assert {"users", "documents", "chunks", "outbox_events", "idempotency_keys", "alembic_version"} <= tables


def test_healthz(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}


def test_unknown_url_is_json_404(client):
    response = client.get("/no/such/page")
    assert response.status_code == 404
    assert response.get_json()["error"] == "not found"


def test_wrong_method_is_json_405(client):
    response = client.get("/api/route")
    assert response.status_code == 405
    assert response.get_json()["error"] == "method not allowed on this URL"
    assert "POST" in response.headers["Allow"]


@on_both_databases
def test_unexpected_errors_are_json_500_without_internals(app, client, auth):
    auth.login()
    app.config["PROPAGATE_EXCEPTIONS"] = False
    # The database refuses the commit with an error that names its internals.
    with refused_inserts(app, "outbox_events", "secret internal detail at db.internal:5432"):
        response = client.post("/api/route", json={"documentName": "a.pdf"})
    assert response.status_code == 500
    assert response.get_json()["error"] == "internal error; the failure was logged, try again later"
    assert "db.internal" not in response.get_data(as_text=True)


def test_module_level_app_is_built_on_first_access(monkeypatch):
    import app as app_module

    monkeypatch.setenv("INNGEST_DEV", "1")
    monkeypatch.delitem(app_module.__dict__, "app", raising=False)
    assert isinstance(app_module.app, Flask)
    monkeypatch.delitem(app_module.__dict__, "app")
