"""The application factory: settings, extensions, blueprints and the Inngest endpoint, in one process.

`flask --app app run` and `gunicorn app:app` both find `app` below.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import inngest.flask
from flask import Flask, Response, jsonify, request

import auth
import documents
from api_errors import register_error_handlers
from extensions import db, ensure_sqlite_directory, login_manager, migrate
from inngest_functions import build_functions, create_client
from settings import AppSettings, load_settings

MIGRATIONS_DIRECTORY = Path(__file__).resolve().parent / "migrations"

# Blueprints whose request bodies are capped by MAX_CONTENT_LENGTH; /api/inngest
# is not, since the executor's payloads (events and memoised steps) can be large.
_CAPPED_BLUEPRINTS = {"auth", "documents"}


def create_app(config_overrides: dict[str, Any] | None = None, *, env_file: str | None = ".env") -> Flask:
    """Build the app. Overrides named like settings (`AWS_S3_BUCKET`) change settings; the rest go to `app.config`."""
    overrides = dict(config_overrides or {})
    settings_overrides = {key: overrides.pop(key) for key in list(overrides) if key.lower() in AppSettings.model_fields}
    settings = load_settings(settings_overrides, env_file=env_file)

    app = Flask(__name__)
    app.config.update(
        SECRET_KEY=settings.session_secret,
        SQLALCHEMY_DATABASE_URI=settings.database_url,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=not settings.inngest_dev,
    )
    app.json.sort_keys = False  # type: ignore[attr-defined]
    app.config.update(overrides)
    app.extensions["settings"] = settings
    _configure_logging()
    ensure_sqlite_directory(settings.database_url)

    db.init_app(app)
    migrate.init_app(app, db, directory=str(MIGRATIONS_DIRECTORY))
    login_manager.init_app(app)
    register_error_handlers(app)
    app.register_blueprint(auth.blueprint)
    app.register_blueprint(documents.blueprint)
    app.cli.add_command(auth.users_cli)
    app.cli.add_command(documents.documents_cli)

    @app.before_request
    def cap_request_body() -> None:
        if request.blueprint in _CAPPED_BLUEPRINTS:
            request.max_content_length = settings.max_content_length

    @app.get("/healthz")
    def health() -> Response:
        return jsonify(status="ok")

    client = create_client(settings)
    app.extensions["inngest"] = client
    inngest.flask.serve(
        app,
        client,
        build_functions(client, settings),
        serve_origin=settings.inngest_serve_origin,
        serve_path="/api/inngest",
    )
    return app


def _configure_logging() -> None:
    if not logging.getLogger().handlers:
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")


def __getattr__(name: str) -> Flask:
    # `app` is built on first access, not at import, so that tests importing
    # create_app do not build an app from whatever the environment holds.
    if name == "app":
        application = globals()["app"] = create_app()
        return application
    raise AttributeError(name)
