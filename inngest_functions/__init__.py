"""Inngest: the client, the typed events and the functions this app serves at /api/inngest."""

from __future__ import annotations

from typing import Any

import inngest

from inngest_functions.client import create_client
from inngest_functions.events import DocumentUploaded
from inngest_functions.process_document import build_process_document
from settings import AppSettings


def build_functions(client: inngest.Inngest, settings: AppSettings) -> list[inngest.Function[Any]]:
    """Every function `serve()` exposes, built against `client`."""
    return [build_process_document(client, settings)]


__all__ = ["DocumentUploaded", "build_functions", "create_client"]
