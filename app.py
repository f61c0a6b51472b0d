"""The application factory: settings, extensions, HTTP plumbing, blueprints and the Inngest endpoint, in one process.

`flask --app app run` and `gunicorn app:app` both find `app` below.
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path
from typing import Any

from flask import Flask, Response, jsonify

import api_description
import auth
import documents
import http_plumbing
import inngest_functions
import outbox
import web
import webhooks
from extensions import csrf, db, ensure_sqlite_directory, limiter, login_manager, migrate
from http_plumbing.api_operations import Access, Answer, Operation, StatusAnswer, documented
from http_plumbing.request_ids import LOG_FORMAT, RequestIdFilter
from settings import AppSettings, load_settings

MIGRATIONS_DIRECTORY = Path(__file__).resolve().parent / "migrations"

# JSON only and same-origin checked (http_plumbing), so a form on another site cannot post to them:
# exempt from the CSRF tokens the pages' forms carry.
JSON_BLUEPRINTS = (auth.blueprint, auth.tokens_blueprint, documents.blueprint, webhooks.blueprint)
# The /api/* blueprints, where `Authorization: Bearer <token>` signs a request in (auth/bearer.py).
TOKEN_BLUEPRINTS = (auth.tokens_blueprint, documents.blueprint, webhooks.blueprint)
# Every blueprint, each called by browsers with the session cookie (/api/inngest is Inngest's, apart).
BLUEPRINTS = (*JSON_BLUEPRINTS, web.blueprint)


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
        # Other Host headers get 400; None (not enforced) when TRUSTED_HOSTS is empty.
        TRUSTED_HOSTS=settings.trusted_host_names or None,
        # A pooled connection is checked before use, so a database restart costs no request an error.
        SQLALCHEMY_ENGINE_OPTIONS={"pool_pre_ping": True},
        RATELIMIT_STORAGE_URI=settings.ratelimit_storage_uri,
        # Shared storage (Redis) down: count in this process until it is back, rather than stop
        # counting or refuse every sign-in; a short timeout so a dead Redis does not hold sign-ins.
        RATELIMIT_IN_MEMORY_FALLBACK_ENABLED=True,
        RATELIMIT_STORAGE_OPTIONS=_ratelimit_storage_options(settings.ratelimit_storage_uri),
    )
    app.json.sort_keys = False  # type: ignore[attr-defined]
    app.config.update(overrides)
    app.extensions["settings"] = settings
    _configure_logging()
    ensure_sqlite_directory(settings.database_url)

    db.init_app(app)
    migrate.init_app(app, db, directory=str(MIGRATIONS_DIRECTORY))
    login_manager.init_app(app)
    auth.bearer.init_app(app, [blueprint.name for blueprint in TOKEN_BLUEPRINTS])
    limiter.init_app(app)
    csrf.init_app(app)
    http_plumbing.init_app(app, settings, browser_blueprints=[blueprint.name for blueprint in BLUEPRINTS])
    for blueprint in BLUEPRINTS:
        app.register_blueprint(blueprint)
    for blueprint in JSON_BLUEPRINTS:
        csrf.exempt(blueprint)
    # GET only and open to anyone: neither a browser blueprint's defences nor a token's sign-in apply.
    app.register_blueprint(api_description.blueprint)
    app.cli.add_command(auth.users_cli)
    app.cli.add_command(documents.documents_cli)
    app.cli.add_command(outbox.outbox_cli)

    if settings.outbox_relay_enabled:
        _start_relay_with_the_first_request(app, settings)

    @app.get("/healthz")
    @documented(
        Operation(
            "Whether the app is up (it does not ask the database)",
            access=Access.ANYONE,
            answers={200: Answer('Up: {"status": "ok"}.', StatusAnswer)},
        )
    )
    def health() -> Response:
        return jsonify(status="ok")

    inngest_functions.init_app(app, settings)
    return app


def _ratelimit_storage_options(storage_uri: str) -> dict[str, Any]:
    if storage_uri.startswith(("redis://", "rediss://")):
        return {"socket_connect_timeout": 1, "socket_timeout": 1}
    return {}


def _start_relay_with_the_first_request(app: Flask, settings: AppSettings) -> None:
    # Started by a serving process only, not by CLI commands such as `flask db upgrade`.
    lock = threading.Lock()

    @app.before_request
    def start_relay() -> None:
        if "outbox_relay" in app.extensions:
            return
        with lock:
            if "outbox_relay" not in app.extensions:
                relay = outbox.Relay(
                    app,
                    settings.outbox_relay_interval_seconds,
                    settings.outbox_claim_seconds,
                    settings.outbox_confirm_after_seconds,
                )
                app.extensions["outbox_relay"] = relay
                relay.start()


def _configure_logging() -> None:
    if not logging.getLogger().handlers:
        logging.basicConfig(level=logging.INFO, format=LOG_FORMAT)
        for handler in logging.getLogger().handlers:
            handler.addFilter(RequestIdFilter())
        # httpx logs every request at INFO: one line per event sent, on the accept path. The
        # outbox records each delivery and logs the failures, so only httpx's warnings are kept.
        logging.getLogger("httpx").setLevel(logging.WARNING)


def __getattr__(name: str) -> Flask:
    # `app` is built on first access, not at import, so that tests importing
    # create_app do not build an app from whatever the environment holds.
    if name == "app":
        application = globals()["app"] = create_app()
        return application
    raise AttributeError(name)
