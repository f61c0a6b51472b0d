"""Inngest: the client, the typed events and the functions this app serves at /api/inngest."""

from inngest_functions.client import create_client
from inngest_functions.endpoint import build_functions, init_app
from inngest_functions.events import DocumentUploaded

__all__ = ["DocumentUploaded", "build_functions", "create_client", "init_app"]
