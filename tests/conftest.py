"""Fixtures shared by the whole suite: the app on a fresh database (a copy of one migrated once a session), a
real S3 endpoint (moto's server mode), a real local HTTP server standing in for the Event API, helpers to create
users and sign in, and a document handed in for real (`submit`) and read back (`stored`)."""

from __future__ import annotations

import functools
import os
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import pytest
from argon2 import PasswordHasher
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from flask_migrate import upgrade
from moto.server import ThreadedMotoServer

from app import create_app
from auth import passwords
from auth.models import User, new_session_token
from auth.passwords import hash_password
from documents.models import Chunk, Document
from extensions import db
from stack.ports import free_port as free_port  # the tests' free ports are the stacks'
from tests.support.event_api import EventApi, running_event_api
from tests.support.migrated_databases import MigratedTemplates
from timestamps import utcnow

PASSWORD = "correct horse battery staple"
REGION = "us-east-1"


@pytest.fixture(scope="session")
def s3_endpoint() -> Iterator[str]:
    # boto3 must never look further than these for credentials.
    os.environ.update(AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing", AWS_DEFAULT_REGION=REGION)
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


@pytest.fixture(scope="session", autouse=True)
def cheap_password_hashing() -> Iterator[None]:
    """argon2id at its lowest cost in this process, as Django's docs advise for tests: a sign-in verifies a
    hash, which at the production cost (t=3, m=64 MiB) took 0.2 s, and hundreds of tests sign in.

    The hash is still argon2id and carries its parameters, so the app under gunicorn (tests/e2e) verifies
    these hashes too, and rehashes them at its own cost on sign-in.
    """
    production = (passwords._hasher, passwords._UNKNOWN_USER_HASH)
    passwords._hasher = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    passwords._UNKNOWN_USER_HASH = passwords._hasher.hash("no user has this password")
    yield
    passwords._hasher, passwords._UNKNOWN_USER_HASH = production


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[str]:
    """A throwaway PostgreSQL server for the session; `create_database(it)` gives a fresh database on it."""
    from tests.support.postgres import running_postgres  # imports this module: only when a test needs PostgreSQL

    with running_postgres() as url_template:
        yield url_template


@pytest.fixture
def s3(s3_endpoint: str) -> Iterator[Any]:
    client = boto3.client("s3", region_name=REGION, endpoint_url=s3_endpoint)
    yield client
    client.close()


@pytest.fixture
def bucket(s3: Any) -> str:
    name = f"documents-{uuid.uuid4().hex[:12]}"
    s3.create_bucket(Bucket=name)
    return name


@pytest.fixture
def event_api() -> Iterator[EventApi]:
    with running_event_api() as api:
        yield api


@pytest.fixture
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh, empty database: a SQLite file, or on PostgreSQL for tests marked `on_both_databases`."""
    if getattr(request, "param", "sqlite") == "postgresql":
        from tests.support.postgres import create_database

        return create_database(request.getfixturevalue("postgres_server"))
    return f"sqlite:///{tmp_path / 'app.db'}"


@pytest.fixture
def settings_overrides(s3_endpoint: str, bucket: str, event_api: EventApi, database_url: str) -> dict[str, Any]:
    """Everything the app reads, for one test: change a key in a test to change the app."""
    return {
        "TESTING": True,
        "INNGEST_DEV": True,
        "SECRET_KEY": "test-secret",
        "DATABASE_URL": database_url,
        "AWS_S3_REGION": REGION,
        "AWS_S3_BUCKET": bucket,
        "AWS_ENDPOINT_URL": s3_endpoint,
        "INNGEST_BASE_URL": event_api.url,
        "INNGEST_SEND_TIMEOUT_SECONDS": 0.5,
        "CHUNK_SIZE": 200,
        "CHUNK_OVERLAP": 20,
        # Tests that need the relay run it themselves, deterministically.
        "OUTBOX_RELAY_ENABLED": False,
        # Tests search in quick bursts; the ones about the limit set their own.
        "SEARCH_RATE_LIMIT": "1000 per second",
        # A loaded CI machine can take over the 1 s default on a ten-word query; the budget tests set their own.
        "SEARCH_TIME_BUDGET_MS": 60_000,
    }


def build_app(overrides: dict[str, Any]) -> Flask:
    """An app on `overrides` with its database migrated to the latest schema."""
    application = create_app(overrides, env_file=None)
    with application.app_context():
        upgrade()
    return application


@pytest.fixture(scope="session")
def migrated_templates(tmp_path_factory: pytest.TempPathFactory) -> MigratedTemplates:
    return MigratedTemplates(tmp_path_factory.mktemp("migrated"))


@pytest.fixture
def app(settings_overrides: dict[str, Any], migrated_templates: MigratedTemplates) -> Iterator[Flask]:
    migrated_templates.restore(settings_overrides, build_app)
    application = build_app(settings_overrides)
    yield application
    if "s3" in application.extensions:
        application.extensions["s3"].close()
    with application.app_context():
        db.engine.dispose()


@pytest.fixture
def app_with(
    settings_overrides: dict[str, Any], migrated_templates: MigratedTemplates
) -> Iterator[Callable[..., Flask]]:
    """Builds an app whose settings differ from the test's: `app_with(PROXY_FIX_X_FOR=1)`."""
    built: list[Flask] = []

    def build(**overrides: Any) -> Flask:
        migrated_templates.restore({**settings_overrides, **overrides}, build_app)
        built.append(build_app({**settings_overrides, **overrides}))
        return built[-1]

    yield build
    for application in built:
        with application.app_context():
            db.engine.dispose()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app: Flask) -> FlaskCliRunner:
    return app.test_cli_runner()


@functools.cache
def password_hash(password: str) -> str:
    """The argon2id hash of `password`, made once a session (at the cost `cheap_password_hashing` sets)."""
    return hash_password(password)


def create_user(app: Flask, email: str, password: str = PASSWORD) -> int:
    with app.app_context():
        # Only the columns every revision since 0002 has: migration tests add users before the newer ones exist.
        user_id: int = db.session.execute(
            db.insert(User)
            .values(
                email=email,
                password_hash=password_hash(password),
                created_at=utcnow(),
                session_token=new_session_token(),
            )
            .returning(User.id)
        ).scalar_one()
        db.session.commit()
        return user_id


class AuthActions:
    def __init__(self, app: Flask, client: FlaskClient) -> None:
        self._app = app
        self._client = client
        self.user_id: int | None = None

    def login(self, email: str = "alice@example.com", password: str = PASSWORD) -> Any:
        with self._app.app_context():
            existing = db.session.scalar(db.select(User).where(User.email == email))
            self.user_id = existing.id if existing else create_user(self._app, email, password)
        return self._client.post("/auth/login", json={"email": email, "password": password})

    def logout(self) -> Any:
        return self._client.post("/auth/logout")


@pytest.fixture
def auth(app: Flask, client: FlaskClient) -> AuthActions:
    return AuthActions(app, client)


@dataclass
class Submission:
    name: str
    key: str
    event: dict[str, Any]


@pytest.fixture
def submit(app, client, s3, bucket, event_api):
    """submit(name, content) -> Submission: the object is in S3 (unless content is None) and the event was sent."""
    auth = AuthActions(app, client)
    auth.login()

    def submit_document(name: str, content: bytes | None) -> Submission:
        key = f"users/{auth.user_id}/{name}"
        if content is not None:
            s3.put_object(Bucket=bucket, Key=key, Body=content)
        response = client.post("/api/route", json={"documentName": name})
        assert response.status_code == 200, response.get_json()
        return Submission(name=name, key=key, event=event_api.received[-1])

    return submit_document


@pytest.fixture
def stored(app):
    """stored(name) -> (Document as JSON, [chunk texts]) straight from the database."""

    def read(name: str) -> tuple[dict[str, Any], list[str]]:
        with app.app_context():
            document = db.session.scalar(db.select(Document).where(Document.name == name))
            chunks = db.session.scalars(
                db.select(Chunk.text).where(Chunk.document_id == document.id).order_by(Chunk.position)
            ).all()
            return document.to_json(), list(chunks)

    return read
