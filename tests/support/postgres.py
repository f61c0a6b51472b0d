"""A throwaway PostgreSQL server (the machine's own binaries) for tests that must hold on PostgreSQL too."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.conftest import free_port

# Runs a test once on SQLite and once on PostgreSQL, through the `database_url` fixture (tests/conftest.py).
on_both_databases = pytest.mark.parametrize("database_url", ["sqlite", "postgresql"], indirect=True)


def _initdb() -> Path | None:
    """Debian's server binaries (not on PATH), or initdb wherever PATH has it."""
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
    on_path = shutil.which("initdb")
    return found[-1] if found else Path(on_path) if on_path else None


def _as_postgres(command: list[str]) -> list[str]:
    # PostgreSQL refuses to run as root; these machines run tests as root.
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command


@contextmanager
def running_postgres() -> Iterator[str]:
    """Start a server on a free port; yields a URL template with `{database}` to fill in."""
    initdb_path = _initdb()
    if initdb_path is None:
        if os.environ.get("CI") == "true":
            pytest.fail("PostgreSQL's initdb is missing (make test installs it with apt-get)", pytrace=False)
        pytest.skip("no PostgreSQL server binaries (initdb) on this machine")
    initdb = str(initdb_path)
    pg_ctl = str(initdb_path.resolve().parent / "pg_ctl")
    directory = Path(tempfile.mkdtemp(prefix="pg-"))
    os.chmod(directory, 0o777)  # noqa: S103 - a private temp dir the postgres user must write to
    data = directory / "data"
    port = free_port()
    subprocess.run(
        _as_postgres([initdb, "-D", str(data), "-A", "trust", "-U", "postgres"]),
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    options = f"-p {port} -k {directory} -c listen_addresses=127.0.0.1 -c fsync=off"
    # The server's own output goes to a log file: inherited pipes would keep this call waiting.
    start = [pg_ctl, "-D", str(data), "-l", str(directory / "server.log"), "-o", options, "-w", "start"]
    subprocess.run(_as_postgres(start), check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:{port}/{{database}}"
    finally:
        stop = [pg_ctl, "-D", str(data), "-m", "immediate", "-w", "stop"]
        subprocess.run(_as_postgres(stop), check=False, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        shutil.rmtree(directory, ignore_errors=True)


def create_database(url_template: str) -> str:
    """A fresh, empty database on the server; returns its URL."""
    import sqlalchemy

    name = f"test_{uuid.uuid4().hex[:12]}"
    engine = sqlalchemy.create_engine(url_template.format(database="postgres"), isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(sqlalchemy.text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    return url_template.format(database=name)
