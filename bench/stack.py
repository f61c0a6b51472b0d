"""What a bench run starts, each on free ports: local S3 (moto), the Inngest server, Redis, the app under gunicorn."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import boto3
import httpx
import psutil
import redis
from moto.server import ThreadedMotoServer

from tests.conftest import PASSWORD, REGION, build_app, create_user, free_port
from tests.support.app_server import START_TIMEOUT_SECONDS, AppServer
from tests.support.polling import wait_until

REPOSITORY = Path(__file__).resolve().parent.parent
EMAIL = "bench@example.com"


@contextmanager
def local_s3(bucket: str) -> Iterator[str]:
    # moto accepts any credentials; boto3 must find these rather than look further.
    os.environ.update(AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing", AWS_DEFAULT_REGION=REGION)  # noqa: S106
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    endpoint = f"http://127.0.0.1:{port}"
    s3 = boto3.client("s3", region_name=REGION, endpoint_url=endpoint)
    s3.create_bucket(Bucket=bucket)
    s3.close()
    try:
        yield endpoint
    finally:
        server.stop()


def app_settings(s3_endpoint: str, bucket: str, database_url: str, inngest_url: str) -> dict[str, Any]:
    """The app's settings for a bench run: development mode against the real server, a relay pass every second,
    no resends; production defaults otherwise."""
    return {
        "INNGEST_DEV": True,
        "SECRET_KEY": "bench",
        "DATABASE_URL": database_url,
        "AWS_S3_REGION": REGION,
        "AWS_S3_BUCKET": bucket,
        "AWS_ENDPOINT_URL": s3_endpoint,
        "INNGEST_BASE_URL": inngest_url,
        "OUTBOX_RELAY_INTERVAL_SECONDS": 1,
        # No resends of delivered events that started no run: during the accept ladder no function is
        # registered, and the dev server (its state in memory) is restarted between sections, so such
        # events are expected here, and resending them would start runs that no section measures.
        "OUTBOX_CONFIRM_AFTER_SECONDS": 86_400,
    }


def prepare_database(settings: dict[str, Any]) -> Any:
    """Migrate the database and create the bench user; the Flask app, for reading the database back."""
    database_app = build_app(settings)
    create_user(database_app, EMAIL)
    return database_app


class Gunicorn(AppServer):
    """The app (or the peers' app, `target`) under gunicorn with the README's production settings."""

    def __init__(
        self, settings: dict[str, Any], *, target: str = "app:app", workers: int = 2, threads: int = 8
    ) -> None:
        super().__init__(settings, workers=workers, threads=threads, target=target)
        self.workers = workers

    def worker_pids(self) -> list[int]:
        assert self.process is not None
        return [child.pid for child in psutil.Process(self.process.pid).children()]

    def restart_workers(self) -> None:
        """Fresh worker processes, nothing in them from earlier requests: each is stopped and the master starts
        another in its place. Returns once there are no old ones left and the app answers (with one worker:
        once the new one answers)."""
        old = set(self.worker_pids())
        for pid in old:
            os.kill(pid, signal.SIGTERM)

        def fresh() -> bool:
            workers = set(self.worker_pids())
            return len(workers) == self.workers and not workers & old and self.answers()

        wait_until(fresh, "fresh gunicorn workers", timeout=START_TIMEOUT_SECONDS, interval=0.2)

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(20)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(10)

    def session_cookie(self) -> str:
        """Sign in as the bench user; the `Cookie` header value every request of the load carries."""
        response = httpx.post(f"{self.url}/auth/login", json={"email": EMAIL, "password": PASSWORD}, timeout=30)
        response.raise_for_status()
        return "; ".join(f"{name}={value}" for name, value in response.cookies.items())


@contextmanager
def gunicorn(settings: dict[str, Any], **options: Any) -> Iterator[Gunicorn]:
    server = Gunicorn(settings, **options)
    try:
        server.start()
        yield server
    finally:
        server.stop()


def redis_server_binary() -> str:
    found = shutil.which("redis-server") or (
        "/usr/bin/redis-server" if Path("/usr/bin/redis-server").exists() else None
    )
    if not found:
        raise RuntimeError("redis-server is missing: `make bench` installs Debian's redis-server when run as root")
    return found


class Redis:
    """Debian's redis-server on a free port, built-in defaults: RDB snapshots now and then, no append-only file."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        command = [
            redis_server_binary(),
            "--port",
            str(self.port),
            "--bind",
            "127.0.0.1",
            "--dir",
            str(self.directory),
        ]
        self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL, start_new_session=True)
        deadline = time.monotonic() + 20

        while time.monotonic() < deadline:
            try:
                if redis.Redis.from_url(self.url).ping():
                    return
            except redis.ConnectionError:
                time.sleep(0.1)
        raise RuntimeError("redis-server did not answer")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)


@contextmanager
def redis_server(directory: Path) -> Iterator[Redis]:
    server = Redis(directory)
    server.start()
    try:
        yield server
    finally:
        server.stop()
