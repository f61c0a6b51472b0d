"""The real Inngest dev server and the app under gunicorn, started once per test session on free ports.

Skipped with a one-line reason when no server binary is at hand, unless
REQUIRE_INNGEST_DEV_SERVER=1 (CI), which installs it or fails.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import httpx
import pytest

from inngest_functions.registration import registration_problem
from tests.app_server import app_server
from tests.conftest import PASSWORD, REGION, build_app, create_user
from tests.support.inngest_server import InngestServer, server_binary, wait_until


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)


class Stack:
    def __init__(self, app_url: str, server: InngestServer, bucket: str, database_app: Any) -> None:
        self.app_url = app_url
        self.server = server
        self.bucket = bucket
        self.database_app = database_app
        self.clients: list[httpx.Client] = []

    def user(self, email: str) -> httpx.Client:
        create_user(self.database_app, email)
        client = httpx.Client(base_url=self.app_url, timeout=30)
        self.clients.append(client)
        assert client.post("/auth/login", json={"email": email, "password": PASSWORD}).status_code == 200
        return client


def e2e_overrides(s3_endpoint: str, bucket: str, database_url: str, server_url: str) -> dict[str, Any]:
    return {
        "INNGEST_DEV": True,
        "SECRET_KEY": "e2e",
        "DATABASE_URL": database_url,
        "AWS_S3_REGION": REGION,
        "AWS_S3_BUCKET": bucket,
        "AWS_ENDPOINT_URL": s3_endpoint,
        "INNGEST_BASE_URL": server_url,
        "CHUNK_SIZE": 200,
        "CHUNK_OVERLAP": 20,
        "OUTBOX_RELAY_INTERVAL_SECONDS": 0.5,
    }


def create_bucket(s3_endpoint: str, bucket: str) -> None:
    s3 = boto3.client("s3", region_name=REGION, endpoint_url=s3_endpoint)
    s3.create_bucket(Bucket=bucket)
    s3.close()


@pytest.fixture(scope="session")
def stack(s3_endpoint: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    binary = server_binary()
    bucket = "e2e-documents"
    create_bucket(s3_endpoint, bucket)
    server = InngestServer(binary, log_name="dev-server.log")
    overrides = e2e_overrides(s3_endpoint, bucket, f"sqlite:///{tmp_path_factory.mktemp('e2e') / 'app.db'}", server.url)
    database_app = build_app(overrides)
    with app_server(overrides) as app:
        server.app_urls = (f"{app.url}/api/inngest",)
        try:
            server.start()
            sync(app.url)
            stack = Stack(app.url, server, bucket, database_app)
            yield stack
        finally:
            for client in stack.clients:
                client.close()
            server.stop()


def sync(app_url: str) -> None:
    """PUT /api/inngest until the server has registered the app; a refusal fails with the server's message."""

    def attempt() -> str | None:
        response = httpx.put(f"{app_url}/api/inngest", timeout=30)
        problem = registration_problem(response.status_code, response.text)
        if problem and response.status_code < 500 and '"error"' in response.text:
            pytest.fail(f"the Inngest server refused the app's function configuration: {problem}", pytrace=False)
        return problem

    wait_until(lambda: attempt() is None, "the app to sync with the Inngest server", timeout=30)
