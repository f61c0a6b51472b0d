"""Errors the database itself answers with, so a test of a failing query goes through the app's real code."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from flask import Flask

from extensions import db


@contextmanager
def refused_inserts(app: Flask, table: str, message: str, when: str | None = None) -> Iterator[None]:
    """While open, the database answers every INSERT into `table` with an error saying `message`.

    `when`, an SQL condition on the row (`NEW.position >= 4`), refuses only the rows it holds for:
    a statement inserting many rows then fails part of the way through.
    """
    quoted = message.replace("'", "''")
    trigger = f"CREATE TRIGGER refuse_inserts BEFORE INSERT ON {table}"
    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            condition = f" WHEN {when}" if when else ""
            refuse = [f"{trigger}{condition} BEGIN SELECT RAISE(ABORT, '{quoted}'); END"]
            allow = ["DROP TRIGGER refuse_inserts"]
        else:
            refuse = [
                "CREATE FUNCTION refuse_inserts() RETURNS trigger LANGUAGE plpgsql"
                f" AS $$ BEGIN RAISE EXCEPTION '{quoted}'; END $$",
                f"{trigger} FOR EACH ROW{f' WHEN ({when})' if when else ''} EXECUTE FUNCTION refuse_inserts()",
            ]
            allow = [f"DROP TRIGGER refuse_inserts ON {table}", "DROP FUNCTION refuse_inserts()"]
        _execute(refuse)
    try:
        yield
    finally:
        with app.app_context():
            _execute(allow)


def _execute(statements: list[str]) -> None:
    # exec_driver_sql: the statements are sent as they are, with no bind parameters to look for.
    with db.engine.begin() as connection:
        for statement in statements:
            connection.exec_driver_sql(statement)
