"""Databases at the latest schema, copied from one migrated once a session.

Running every migration on a fresh database cost each test more than most tests' own work; a copy of a
database migrated once costs milliseconds (a file copy on SQLite, `CREATE DATABASE ... TEMPLATE` on
PostgreSQL). The `app` fixture still runs `upgrade()` on the copy, which finds it at the head revision.
Tests of the migrations themselves build their app on the fresh, empty database `settings_overrides` names.
"""

from __future__ import annotations

import shutil
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import sqlalchemy
from flask import Flask
from sqlalchemy.engine import make_url

SQLITE_PREFIX = "sqlite:///"
# tests/conftest.py's build_app: an app on these settings, its database migrated to the head revision.
AppBuilder = Callable[[dict[str, Any]], Flask]


class MigratedTemplates:
    """One migrated database per kind, made on first use; `restore` gives a fresh database a copy of it."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.sqlite_template: Path | None = None
        self.postgresql_templates: dict[str, str] = {}  # server URL (no database) -> template database name

    def restore(self, overrides: dict[str, Any], build_app: AppBuilder) -> None:
        """Make the database `overrides` names a copy of the migrated template, if it is still empty."""
        url = str(overrides["DATABASE_URL"])
        if url.startswith(SQLITE_PREFIX):
            self._restore_sqlite(Path(url.removeprefix(SQLITE_PREFIX)), overrides, build_app)
        elif url.startswith("postgresql"):
            self._restore_postgresql(url, overrides, build_app)

    def _restore_sqlite(self, path: Path, overrides: dict[str, Any], build_app: AppBuilder) -> None:
        if path.exists():
            return
        if self.sqlite_template is None:
            template = self.directory / "migrated.db"
            _dispose(build_app({**overrides, "DATABASE_URL": f"{SQLITE_PREFIX}{template}"}))
            self.sqlite_template = template
        shutil.copyfile(self.sqlite_template, path)

    def _restore_postgresql(self, url: str, overrides: dict[str, Any], build_app: AppBuilder) -> None:
        parsed = make_url(url)
        server = parsed.set(database="postgres").render_as_string(hide_password=False)
        if _has_tables(url):
            return
        template = self.postgresql_templates.get(server)
        if template is None:
            template = f"template_{uuid.uuid4().hex[:12]}"
            _autocommit(server, f'CREATE DATABASE "{template}"')
            template_url = parsed.set(database=template).render_as_string(hide_password=False)
            _dispose(build_app({**overrides, "DATABASE_URL": template_url}))
            self.postgresql_templates[server] = template
        _autocommit(
            server, f'DROP DATABASE "{parsed.database}"', f'CREATE DATABASE "{parsed.database}" TEMPLATE "{template}"'
        )


def _dispose(application: Flask) -> None:
    # A template PostgreSQL copies must have no connection open, and a SQLite file is copied whole.
    from extensions import db

    with application.app_context():
        db.engine.dispose()
    if "s3" in application.extensions:
        application.extensions["s3"].close()


def _has_tables(url: str) -> bool:
    engine = sqlalchemy.create_engine(url)
    try:
        with engine.connect() as connection:
            return bool(sqlalchemy.inspect(connection).get_table_names())
    finally:
        engine.dispose()


def _autocommit(server_url: str, *statements: str) -> None:
    engine = sqlalchemy.create_engine(server_url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            for statement in statements:
                connection.execute(sqlalchemy.text(statement))
    finally:
        engine.dispose()
