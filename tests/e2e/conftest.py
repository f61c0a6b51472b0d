"""The real Inngest server and the app under gunicorn, on free ports: one shared stack per test session,
and `running_stack` for tests that stop, kill or restart a piece of it.

Skipped with a one-line reason when no server binary is at hand, unless
REQUIRE_INNGEST_DEV_SERVER=1 (CI), which installs it or fails.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any, Literal

import boto3
import httpx
import pytest
from flask import Flask

from documents.models import Chunk, Document
from extensions import db
from inngest_functions.registration import registration_problem
from tests.conftest import PASSWORD, REGION, build_app, create_user
from tests.support.app_server import START_TIMEOUT_SECONDS, AppServer
from tests.support.inngest_server import InngestServer, server_binary
from tests.support.polling import wait_until


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)


class Stack:
    """The app (gunicorn), the Inngest server and the database the app writes, as one test sees them."""

    def __init__(self, app: AppServer, server: InngestServer, bucket: str, database_app: Flask) -> None:
        self.app = app
        self.server = server
        self.bucket = bucket
        self.database_app = database_app
        self.clients: list[httpx.Client] = []

    @property
    def app_url(self) -> str:
        return self.app.url

    def user(self, email: str) -> httpx.Client:
        """A signed-in client. In production mode the session cookie is `Secure`, which a client sends
        only over HTTPS; these tests speak plain HTTP on loopback, so the cookie is set by hand."""
        create_user(self.database_app, email)
        client = httpx.Client(base_url=self.app_url, timeout=30)
        self.clients.append(client)
        response = client.post("/auth/login", json={"email": email, "password": PASSWORD})
        assert response.status_code == 200, response.text
        if "secure" in response.headers.get("set-cookie", "").lower():
            client.headers["Cookie"] = f"session={response.cookies['session']}"
        return client

    def key_of(self, client: httpx.Client, name: str) -> str:
        """The S3 key of the signed-in user's document called `name`."""
        return f"users/{client.get('/auth/me').json()['user']['id']}/{name}"

    def upload(self, client: httpx.Client, name: str, content: bytes) -> None:
        s3 = boto3.client("s3", region_name=REGION, endpoint_url=self.s3_endpoint)
        s3.put_object(Bucket=self.bucket, Key=self.key_of(client, name), Body=content)
        s3.close()

    @property
    def s3_endpoint(self) -> str:
        return str(self.database_app.extensions["settings"].aws_endpoint_url)

    def settled(self, client: httpx.Client, name: str, *statuses: str, timeout: float = 60.0) -> dict[str, Any]:
        def document() -> dict[str, Any] | None:
            found: dict[str, Any] = client.get(f"/api/documents/{name}").json()["document"]
            return found if found["status"] in statuses else None

        return wait_until(document, f"{name} to become {' or '.join(statuses)}", timeout)

    def chunks(self, name: str) -> list[tuple[int, str]]:
        """(position, text) of every stored chunk of the document called `name`."""
        with self.database_app.app_context():
            document = db.session.scalar(db.select(Document).where(Document.name == name))
            assert document is not None
            rows = db.session.execute(
                db.select(Chunk.position, Chunk.text).where(Chunk.document_id == document.id).order_by(Chunk.position)
            )
            return [(position, text) for position, text in rows.tuples()]

    def close(self) -> None:
        for client in self.clients:
            client.close()


def create_bucket(s3_endpoint: str) -> str:
    bucket = f"e2e-{uuid.uuid4().hex[:12]}"
    s3 = boto3.client("s3", region_name=REGION, endpoint_url=s3_endpoint)
    s3.create_bucket(Bucket=bucket)
    s3.close()
    return bucket


@contextmanager
def running_stack(
    s3_endpoint: str,
    directory: Path,
    *,
    mode: Literal["dev", "start"] = "dev",
    persist: bool = False,
    app_id: str = "document-service",
    overrides: dict[str, Any] | None = None,
) -> Iterator[Stack]:
    """A fresh database, bucket, app and Inngest server (dev, or self-hosted with keys), the app synced.

    The dev server is told to sync the app (`-u`) and is synced again with a PUT; the self-hosted
    server syncs it itself, signed, as in production.
    """
    bucket = create_bucket(s3_endpoint)
    server = InngestServer(server_binary(), mode=mode, state_directory=directory, persist=persist,
                           log_name=f"inngest-{mode}-{directory.name}.log")  # fmt: skip
    settings: dict[str, Any] = {
        "INNGEST_DEV": mode == "dev",
        "SECRET_KEY": "e2e",
        "INNGEST_APP_ID": app_id,
        "DATABASE_URL": f"sqlite:///{directory / 'app.db'}",
        "AWS_S3_REGION": REGION,
        "AWS_S3_BUCKET": bucket,
        "AWS_ENDPOINT_URL": s3_endpoint,
        "INNGEST_BASE_URL": server.url,
        "CHUNK_SIZE": 200,
        "CHUNK_OVERLAP": 20,
        "OUTBOX_RELAY_INTERVAL_SECONDS": 0.5,
        # Webhook receivers in these tests listen on loopback.
        "WEBHOOK_ALLOW_PRIVATE": True,
    }
    if mode == "start":
        settings.update(INNGEST_SIGNING_KEY=server.prefixed_signing_key, INNGEST_EVENT_KEY=server.event_key)
    settings.update(overrides or {})
    database_app = build_app(settings)
    app = AppServer(settings, workers=2, threads=8)
    server.app_urls = (f"{app.url}/api/inngest",)
    stack = Stack(app, server, bucket, database_app)
    with ExitStack() as cleanup:
        cleanup.callback(stack.close)
        cleanup.callback(server.stop)
        cleanup.callback(app.kill)
        app.start()
        server.start()
        if mode == "dev":
            sync(app.url)
        yield stack


def sync(app_url: str) -> None:
    """PUT /api/inngest until the server has registered the app; a refusal fails with the server's message."""

    def attempt() -> str | None:
        response = httpx.put(f"{app_url}/api/inngest", timeout=30)
        problem = registration_problem(response.status_code, response.text)
        if problem and response.status_code < 500 and '"error"' in response.text:
            pytest.fail(f"the Inngest server refused the app's function configuration: {problem}", pytrace=False)
        return problem

    wait_until(lambda: attempt() is None, "the app to sync with the Inngest server", timeout=START_TIMEOUT_SECONDS)


@pytest.fixture(scope="session")
def stack(s3_endpoint: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    with running_stack(s3_endpoint, tmp_path_factory.mktemp("e2e")) as shared:
        yield shared
