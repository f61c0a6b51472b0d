"""The real Inngest dev server and the app under gunicorn, started once per test session on free ports.

Skipped with a one-line reason when no dev server binary is at hand, unless
REQUIRE_INNGEST_DEV_SERVER=1 (CI), which installs it or fails.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import Iterator
from typing import Any

import boto3
import httpx
import pytest

from inngest_functions.registration import registration_problem
from tests.app_server import REPOSITORY, app_server
from tests.conftest import PASSWORD, REGION, build_app, create_user, free_port

DEV_SERVER_SCRIPT = REPOSITORY / "scripts" / "inngest-dev-server"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)


def dev_server_binary() -> str:
    required = os.environ.get("REQUIRE_INNGEST_DEV_SERVER") == "1"
    command = [str(DEV_SERVER_SCRIPT)] if required else [str(DEV_SERVER_SCRIPT), "--check"]
    found = subprocess.run(command, capture_output=True, text=True, check=False)
    if found.returncode == 0:
        return found.stdout.strip()
    if required:
        pytest.fail(f"REQUIRE_INNGEST_DEV_SERVER=1 but no dev server binary:\n{found.stderr}", pytrace=False)
    pytest.skip("no Inngest dev server binary (run scripts/inngest-dev-server, or set INNGEST_DEV_SERVER_BIN)")


def wait_until(condition: Any, what: str, timeout: float = 60.0) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.25)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


class Stack:
    def __init__(self, app_url: str, dev_server_url: str, bucket: str, database_app: Any) -> None:
        self.app_url = app_url
        self.dev_server_url = dev_server_url
        self.bucket = bucket
        self.database_app = database_app
        self.clients: list[httpx.Client] = []

    def user(self, email: str) -> httpx.Client:
        create_user(self.database_app, email)
        client = httpx.Client(base_url=self.app_url, timeout=30)
        self.clients.append(client)
        assert client.post("/auth/login", json={"email": email, "password": PASSWORD}).status_code == 200
        return client

    def runs_of(self, event_id: str) -> list[dict[str, Any]]:
        response = httpx.get(f"{self.dev_server_url}/v1/events/{event_id}/runs", timeout=10)
        response.raise_for_status()
        runs: list[dict[str, Any]] = response.json()["data"]
        return runs


@pytest.fixture(scope="session")
def stack(s3_endpoint: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    binary = dev_server_binary()
    bucket = "e2e-documents"
    s3 = boto3.client("s3", region_name=REGION, endpoint_url=s3_endpoint)
    s3.create_bucket(Bucket=bucket)
    s3.close()
    dev_server_port = free_port()
    dev_server_url = f"http://127.0.0.1:{dev_server_port}"
    overrides = {
        "INNGEST_DEV": True,
        "SECRET_KEY": "e2e",
        "DATABASE_URL": f"sqlite:///{tmp_path_factory.mktemp('e2e') / 'app.db'}",
        "AWS_S3_REGION": REGION,
        "AWS_S3_BUCKET": bucket,
        "AWS_ENDPOINT_URL": s3_endpoint,
        "INNGEST_BASE_URL": dev_server_url,
        "CHUNK_SIZE": 200,
        "CHUNK_OVERLAP": 20,
        "OUTBOX_RELAY_INTERVAL_SECONDS": 0.5,
    }
    database_app = build_app(overrides)
    with app_server(overrides) as app:
        # Kept after the run (git-ignored): it shows every function run the suite caused.
        log = REPOSITORY / "test-artifacts" / "dev-server.log"
        log.parent.mkdir(exist_ok=True)
        with log.open("w") as output:
            dev_server = subprocess.Popen(
                [binary, "dev", "--no-discovery", "--no-poll", "--port", str(dev_server_port),
                 "-u", f"{app.url}/api/inngest"],
                stdout=output, stderr=subprocess.STDOUT, start_new_session=True,
            )  # fmt: skip
            try:
                wait_until(lambda: _answers(dev_server_url), "the dev server to answer")
                _sync(app.url)
                stack = Stack(app.url, dev_server_url, bucket, database_app)
                yield stack
            finally:
                for client in stack.clients:
                    client.close()
                os.killpg(dev_server.pid, signal.SIGTERM)
                dev_server.wait(15)


def _answers(url: str) -> bool:
    try:
        return httpx.get(url, timeout=2).status_code < 500
    except httpx.HTTPError:
        return False


def _sync(app_url: str) -> None:
    def attempt() -> str | None:
        response = httpx.put(f"{app_url}/api/inngest", timeout=30)
        problem = registration_problem(response.status_code, response.text)
        if problem and response.status_code < 500 and '"error"' in response.text:
            pytest.fail(f"the dev server refused the app's function configuration: {problem}", pytrace=False)
        return problem

    wait_until(lambda: attempt() is None, "the app to sync with the dev server", timeout=30)
