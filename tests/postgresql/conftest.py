"""The suite's `app` fixture on PostgreSQL instead of SQLite, for the tests in this folder."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.postgres import create_database, running_postgres


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[str]:
    with running_postgres() as url_template:
        yield url_template


@pytest.fixture
def settings_overrides(settings_overrides: dict[str, Any], postgres_server: str) -> dict[str, Any]:
    return {**settings_overrides, "DATABASE_URL": create_database(postgres_server)}
