"""/api/inngest: the client, the functions served on it, and the guards in front of the SDK's view."""

from __future__ import annotations

from typing import Any

import inngest
import inngest.flask
from flask import Flask

from extensions import csrf
from inngest_functions.client import create_client
from inngest_functions.process_document import build_process_document
from inngest_functions.purge_document import build_purge_document
from inngest_functions.request_signatures import protect_inngest_endpoint
from settings import AppSettings

SERVE_PATH = "/api/inngest"


def build_functions(client: inngest.Inngest, settings: AppSettings) -> list[inngest.Function[Any]]:
    """Every function `serve()` exposes, built against `client`."""
    return [build_process_document(client, settings), build_purge_document(client, settings)]


def init_app(app: Flask, settings: AppSettings) -> inngest.Inngest:
    """Serve the functions at /api/inngest, guarded (signature freshness, body cap); the client is the app's."""
    client = create_client(settings)
    app.extensions["inngest"] = client
    inngest.flask.serve(
        app,
        client,
        build_functions(client, settings),
        serve_origin=settings.inngest_serve_origin,
        serve_path=SERVE_PATH,
        # Explicit, so the SDK's default (allowed unless INNGEST_ENABLE_UNAUTHED_SYNC
        # is false) does not apply; the dev server always allows it.
        enable_unauthed_sync=settings.inngest_enable_unauthed_sync,
    )
    protect_inngest_endpoint(app, settings)
    csrf.exempt(app.view_functions["inngest_api"])  # Inngest signs its requests instead
    return client
