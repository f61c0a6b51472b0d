"""Inngest: the client and the functions this app serves at /api/inngest (the events they read are documents.events)."""

from inngest_functions.client import create_client
from inngest_functions.endpoint import build_functions, init_app

__all__ = ["build_functions", "create_client", "init_app"]
