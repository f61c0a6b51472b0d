"""The suite's `app` fixture on PostgreSQL instead of SQLite, for the tests in this folder."""

from __future__ import annotations

from typing import Any

import pytest

from tests.support.postgres import create_database


@pytest.fixture
def settings_overrides(settings_overrides: dict[str, Any], postgres_server: str) -> dict[str, Any]:
    return {**settings_overrides, "DATABASE_URL": create_database(postgres_server)}
