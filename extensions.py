"""Flask extensions, created unbound here and bound to an app by `create_app()`; SQLite made fit for concurrent use."""

import sqlite3
from pathlib import Path
from typing import Any, cast

from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import event
from sqlalchemy.engine import CursorResult, Engine, make_url
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.pool import Pool
from sqlalchemy.sql import Executable


class Base(DeclarativeBase):
    pass


db = SQLAlchemy(model_class=Base)
migrate = Migrate()
login_manager = LoginManager()
# Keyed on request.remote_addr: X-Forwarded-For counts only behind ProxyFix (PROXY_FIX_X_FOR).
# A moving window: "5 per minute" means at most 5 in any 60 seconds, not per clock minute.
limiter = Limiter(key_func=get_remote_address, strategy="moving-window")
# CSRF tokens for the HTML forms. The JSON API and /api/inngest are exempted in create_app():
# they take only JSON from our own origin, or signed requests from Inngest.
csrf = CSRFProtect()


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(connection: Any, _record: Any) -> None:
    # Request threads and Inngest steps write at the same time: WAL lets readers
    # run beside a writer, and the busy timeout makes writers wait, not fail.
    if isinstance(connection, sqlite3.Connection):
        cursor = connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=15000")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()
        # The search index's triggers call it (migration 0006): imported here, as documents imports this module.
        from documents.search_index import register_sqlite_functions

        register_sqlite_functions(connection)


_RELAXED = "commit_relaxed"


def commit_relaxed() -> None:
    """Commit without waiting for the disk, for a write whose loss in a power cut costs only a retry.

    The transaction is still atomic and survives the process dying (SIGKILL included);
    only an OS crash or power cut right after it may undo it. PostgreSQL:
    `synchronous_commit = off` for this transaction. SQLite in WAL mode:
    `synchronous = NORMAL` until the connection goes back to the pool.
    """
    connection = db.session.connection()
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql("SET LOCAL synchronous_commit TO OFF")
    elif connection.dialect.name == "sqlite":
        raw = connection.connection.dbapi_connection
        # SQLite refuses to change it inside a transaction: then this commit simply waits.
        if isinstance(raw, sqlite3.Connection) and not raw.in_transaction:
            raw.execute("PRAGMA synchronous=NORMAL")
            connection.info[_RELAXED] = True
    db.session.commit()


@event.listens_for(Pool, "checkin")
def _restore_synchronous_commits(dbapi_connection: Any, record: Any) -> None:
    if record is not None and record.info.pop(_RELAXED, False) and isinstance(dbapi_connection, sqlite3.Connection):
        dbapi_connection.execute("PRAGMA synchronous=FULL")


def ensure_sqlite_directory(database_url: str) -> None:
    """SQLite creates the file but not its folder (instance/ on a fresh clone)."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:":
        Path(url.database).parent.mkdir(parents=True, exist_ok=True)


def changed_rows(statement: Executable) -> int:
    """Run an UPDATE or DELETE in the session's transaction; how many rows it changed."""
    result = cast(CursorResult[Any], db.session.execute(statement))
    return int(result.rowcount or 0)
