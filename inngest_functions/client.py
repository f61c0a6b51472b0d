"""Building the Inngest client from settings, with every key and the mode passed explicitly."""

from __future__ import annotations

import datetime
import logging

import inngest

from settings import AppSettings


def create_client(settings: AppSettings) -> inngest.Inngest:
    client = inngest.Inngest(
        app_id=settings.inngest_app_id,
        is_production=not settings.inngest_dev,
        signing_key=settings.inngest_signing_key,
        event_key=settings.inngest_event_key,
        env=settings.inngest_env,
        api_base_url=settings.inngest_base_url,
        event_api_base_url=settings.inngest_base_url,
        # Bounds one HTTP attempt of send_sync; the SDK makes up to 5 attempts.
        request_timeout=datetime.timedelta(seconds=settings.inngest_send_timeout_seconds),
        logger=logging.getLogger("inngest"),
    )
    _use_signing_key_fallback(client, settings.inngest_signing_key_fallback)
    return client


def _use_signing_key_fallback(client: inngest.Inngest, fallback: str | None) -> None:
    # inngest 0.5.19 takes the fallback key only from os.environ, read in the
    # client's constructor (client_lib/client.py) and copied into its HTTP client
    # (net.py, AuthenticatedHTTPClient). Setting both copies here, before serve()
    # reads `client.signing_key_fallback` (comm_lib/handler.py), makes the setting
    # win over the environment without mutating os.environ for the whole process.
    # Replace with a constructor argument once the SDK has one.
    client._signing_key_fallback = fallback
    client._http_client._signing_key_fallback = fallback
