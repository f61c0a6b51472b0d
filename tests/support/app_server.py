"""The app under gunicorn in a child process, as it runs in production, for tests that need real processes."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx

from tests.conftest import free_port
from tests.support.polling import wait_until

REPOSITORY = Path(__file__).resolve().parent.parent.parent
# Bounds a start that hangs; a process that exits fails the wait at once. On a loaded 2-core machine
# gunicorn has taken over 30 s to import the app in its workers and answer.
START_TIMEOUT_SECONDS = 120.0
# As in production (stack/services.py): gunicorn's own refusals in JSON.
WORKER_CLASS = "gunicorn_json_errors.JsonErrorWorker"


def environment_for(overrides: dict[str, Any]) -> dict[str, str]:
    """Settings overrides as the environment variables a child process reads."""
    environment = {key: value for key, value in os.environ.items() if not key.startswith(("INNGEST_", "AWS_S3"))}
    for key, value in overrides.items():
        if key == "TESTING" or value is None:
            continue
        environment[key] = "1" if value is True else "0" if value is False else str(value)
    environment["PYTHONPATH"] = str(REPOSITORY)
    return environment


@contextmanager
def app_server(overrides: dict[str, Any], *, workers: int = 2, threads: int = 8) -> Iterator[AppServer]:
    server = AppServer(overrides, workers=workers, threads=threads)
    server.start()
    try:
        yield server
    finally:
        server.kill()


class AppServer:
    def __init__(self, overrides: dict[str, Any], *, workers: int, threads: int, target: str = "app:app") -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self._environment = environment_for(overrides)
        self._command = [
            str(Path(sys.executable).parent / "gunicorn"),
            f"--bind=127.0.0.1:{self.port}",
            f"--workers={workers}",
            f"--threads={threads}",
            f"--worker-class={WORKER_CLASS}",
            "--chdir",
            str(REPOSITORY),
            target,
        ]
        self.process: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = START_TIMEOUT_SECONDS) -> None:
        # Its own session, so one killpg takes the master and every worker.
        self.process = subprocess.Popen(
            self._command, env=self._environment, start_new_session=True, stdout=subprocess.DEVNULL
        )
        wait_until(self.answers, f"the app to answer on {self.url}", timeout, interval=0.1)

    def answers(self) -> bool:
        assert self.process is not None
        if self.process.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {self.process.returncode}")
        try:
            return httpx.get(f"{self.url}/healthz", timeout=1).status_code == 200
        except httpx.HTTPError:
            return False

    def kill(self) -> None:
        """SIGKILL: no shutdown hooks, no chance to finish what it was doing."""
        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(10)

    @contextmanager
    def signed_in_client(self, email: str, password: str) -> Iterator[httpx.Client]:
        with httpx.Client(base_url=self.url, timeout=30) as client:
            response = client.post("/auth/login", json={"email": email, "password": password})
            assert response.status_code == 200, response.text
            yield client
