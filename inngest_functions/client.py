"""Building the Inngest client from settings, with every key and the mode passed explicitly."""

from __future__ import annotations

import datetime
import logging

import inngest

from settings import AppSettings


def create_client(settings: AppSettings) -> inngest.Inngest:
    return inngest.Inngest(
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
