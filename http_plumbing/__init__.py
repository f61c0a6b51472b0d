"""HTTP plumbing every route relies on: JSON errors, request ids, JSON bodies, browser defences, body caps,
and `Idempotency-Key` for the POSTs that take it (idempotency.py: its model and its decorator).

`init_app()` registers all of it; the rooms above only raise `ApiError`, call `json_object()` and decorate.
"""

from __future__ import annotations

from collections.abc import Iterable

from flask import Flask, request
from werkzeug.middleware.proxy_fix import ProxyFix

from http_plumbing.browser_security import CaseInsensitiveHost, register_web_security
from http_plumbing.errors import register_error_handlers
from http_plumbing.request_ids import register_request_ids
from settings import AppSettings


def init_app(app: Flask, settings: AppSettings, *, browser_blueprints: Iterable[str]) -> None:
    """Register the plumbing; `browser_blueprints` are those a browser calls with the session cookie.

    Those are same-origin checked and their bodies capped at MAX_CONTENT_LENGTH; /api/inngest
    is neither, since Inngest calls it server to server with payloads that can be large.
    """
    browser_blueprint_names = frozenset(browser_blueprints)
    app.wsgi_app = CaseInsensitiveHost(app.wsgi_app)  # type: ignore[method-assign]
    if settings.proxy_fix_x_for:
        # Only with the exact number of proxies in front: otherwise a client picks its own address.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=settings.proxy_fix_x_for)  # type: ignore[method-assign]
    register_error_handlers(app)
    register_request_ids(app)
    register_web_security(app, settings, browser_blueprint_names)

    @app.before_request
    def cap_request_body() -> None:
        if request.blueprint in browser_blueprint_names:
            request.max_content_length = settings.max_content_length
