"""PostgreSQL and Redis as children of a Supervisor, from Debian's packages, with their data in one folder."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
from pathlib import Path

import sqlalchemy

from stack.ports import port_in_use
from stack.processes import READY_TIMEOUT_SECONDS, StackError, Supervisor


def postgres_binaries() -> Path:
    """The folder of Debian's PostgreSQL server binaries (not on PATH), or wherever PATH has initdb."""
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
    on_path = shutil.which("initdb")
    if found:
        return found[-1].parent
    if on_path:
        return Path(on_path).resolve().parent
    raise StackError("PostgreSQL's server binaries (initdb) are missing: `make cluster-system-packages` installs them")


def as_postgres_user(command: list[str]) -> list[str]:
    # PostgreSQL refuses to run as root; these machines run everything as root.
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command


class PostgresServer:
    """One PostgreSQL server: its data in `directory/data`, listening on 127.0.0.1:`port` only.

    Connections from 127.0.0.1 are trusted (no password): a loopback-only topology for one
    machine. A deployment on several machines uses passwords and TLS (docs/deploy.md).
    """

    name = "PostgreSQL"

    def __init__(self, supervisor: Supervisor, directory: Path, port: int) -> None:
        self.supervisor = supervisor
        self.directory = directory
        self.port = port
        self.binaries = postgres_binaries()

    def url(self, database: str, driver: str = "postgresql+psycopg") -> str:
        return f"{driver}://postgres@127.0.0.1:{self.port}/{database}"

    def start(self) -> None:
        data = self.directory / "data"
        if not (data / "PG_VERSION").exists():
            self._initialise(data)
        argv = [str(self.binaries / "postgres"), "-D", str(data), "-p", str(self.port), "-k", str(self.directory)]
        argv += ["-c", "listen_addresses=127.0.0.1"]
        # SIGINT is PostgreSQL's fast shutdown: SIGTERM would wait for every client to leave.
        self.supervisor.start(
            self.name, as_postgres_user(argv), os.environ, log=self.directory / "server.log", stop_signal=signal.SIGINT
        )
        self.supervisor.wait_until(self._accepts_connections, f"{self.name} on port {self.port}", READY_TIMEOUT_SECONDS)

    def stop(self) -> None:
        self.supervisor.stop(self.name)

    def ensure_database(self, name: str) -> None:
        engine = sqlalchemy.create_engine(self.url("postgres"), isolation_level="AUTOCOMMIT")
        try:
            with engine.connect() as connection:
                exists = connection.execute(
                    sqlalchemy.text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name}
                ).first()
                if not exists:
                    connection.execute(sqlalchemy.text(f'CREATE DATABASE "{name}"'))
        finally:
            engine.dispose()

    def _initialise(self, data: Path) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        if os.geteuid() == 0:
            shutil.chown(self.directory, "postgres", "postgres")
        reachable = subprocess.run(as_postgres_user(["test", "-w", str(self.directory)]), check=False)
        if reachable.returncode != 0:
            raise StackError(
                f"the postgres user cannot write to {self.directory} (a parent folder is private?); "
                "set MAKE_CLUSTER_DIR to a folder it can reach"
            )
        initdb = [str(self.binaries / "initdb"), "-D", str(data), "-A", "trust", "-U", "postgres", "-E", "UTF8"]
        code, _ = self.supervisor.run_to_completion("initdb", as_postgres_user(initdb), os.environ, capture_stdout=True)
        if code != 0:
            raise StackError(f"initdb failed with exit code {code}; see its output above")

    def _accepts_connections(self) -> bool:
        ready = subprocess.run(
            [str(self.binaries / "pg_isready"), "-h", "127.0.0.1", "-p", str(self.port), "-q"], check=False
        )
        return ready.returncode == 0


class RedisServer:
    """One redis-server on 127.0.0.1:`port`, its append-only file in `directory`, so a restart keeps the queue."""

    name = "Redis"

    def __init__(self, supervisor: Supervisor, directory: Path, port: int) -> None:
        self.supervisor = supervisor
        self.directory = directory
        self.port = port

    def url(self, database: int) -> str:
        return f"redis://127.0.0.1:{self.port}/{database}"

    def start(self) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            raise StackError("redis-server is missing: `make cluster-system-packages` installs it")
        self.directory.mkdir(parents=True, exist_ok=True)
        argv = [binary, "--port", str(self.port), "--bind", "127.0.0.1", "--dir", str(self.directory)]
        # Every write appended and synced each second; SIGTERM (our stop) writes the rest first.
        argv += ["--appendonly", "yes", "--appendfsync", "everysec", "--save", "", "--protected-mode", "no"]
        self.supervisor.start(self.name, argv, os.environ, log=self.directory / "redis.log")
        self.supervisor.wait_until(lambda: port_in_use(self.port), f"{self.name} on port {self.port}", 30)

    def stop(self) -> None:
        self.supervisor.stop(self.name)
