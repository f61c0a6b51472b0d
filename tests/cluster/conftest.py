"""The real topology (stack.cluster): PostgreSQL, Redis, `inngest start`, HAProxy and two app instances
on free ports, shared by this folder's tests; and a steady load of documents to post while a piece fails.

Never skipped in CI (CI=true): the packages come from `make cluster-system-packages`.
"""

from __future__ import annotations

import os
import random
import re
import shutil
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy

from stack.cluster import Cluster, ClusterPorts
from stack.processes import Supervisor
from stack.services import s3_client
from tests.conftest import PASSWORD, build_app, create_user
from tests.support.inngest_server import InngestApi, server_binary
from tests.support.polling import wait_until

EVENT = "documents/document.uploaded"
INSTANCES = 2
USERS = 4
# Answers a client may get while a piece is down, and what it does then: retry with the same key.
RETRIED_STATUSES = {409, 503}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/cluster/" in str(item.fspath):
            item.add_marker(pytest.mark.cluster)


def require(command: str) -> None:
    if shutil.which(command) is None:
        message = f"{command} is missing (make cluster-system-packages installs it)"
        if os.environ.get("CI") == "true":
            pytest.fail(message, pytrace=False)
        pytest.skip(message)


@dataclass
class RunningCluster:
    cluster: Cluster
    api: InngestApi
    database: sqlalchemy.Engine
    clients: list[httpx.Client] = field(default_factory=list)

    def sign_in(self, email: str, base_url: str | None = None) -> httpx.Client:
        """A client signed in as `email` through the load balancer (or `base_url`).

        The session cookie is `Secure` in production mode, which a client sends only over HTTPS;
        these tests speak plain HTTP on loopback, so the cookie is set by hand.
        """
        client = httpx.Client(base_url=base_url or self.cluster.url, timeout=60)
        self.clients.append(client)
        response = client.post("/auth/login", json={"email": email, "password": PASSWORD})
        assert response.status_code == 200, response.text
        client.headers["Cookie"] = f"session={response.cookies['session']}"
        return client

    def instance_url(self, index: int) -> str:
        return f"http://127.0.0.1:{self.cluster.ports.apps[index - 1]}"

    def query(self, sql: str, **parameters: Any) -> list[tuple[Any, ...]]:
        with self.database.connect() as connection:
            return [tuple(row) for row in connection.execute(sqlalchemy.text(sql), parameters)]


@pytest.fixture(scope="package")
def running_cluster() -> Iterator[RunningCluster]:
    for command in ("haproxy", "redis-server", "runuser"):
        require(command)
    binary = server_binary()
    # Not pytest's tmp_path: PostgreSQL runs as the postgres user, who must reach the folder.
    directory = Path(tempfile.mkdtemp(prefix="cluster-"))
    directory.chmod(0o755)
    supervisor = Supervisor("cluster test")
    overrides = {
        "OUTBOX_RELAY_INTERVAL_SECONDS": "1",
        # A killed instance's claims expire sooner than the default 120 s; still longer than a send can
        # take (5 attempts of INNGEST_SEND_TIMEOUT_SECONDS = 2 s, and 3.5 s of backoff).
        "OUTBOX_CLAIM_SECONDS": "15",
        # Deliveries that started no run are sent again after 10 s rather than the default 60 s.
        "OUTBOX_CONFIRM_AFTER_SECONDS": "10",
        # A key held by a request that died (SIGKILL, or a release refused while PostgreSQL was down)
        # is free again after 20 s rather than 120 s; still longer than the longest request (13.5 s).
        "IDEMPOTENCY_ABANDONED_AFTER_SECONDS": "20",
        "CHUNK_SIZE": "200",
        "CHUNK_OVERLAP": "20",
    }
    cluster = Cluster(supervisor, directory, ClusterPorts.free(INSTANCES), inngest_binary=binary, overrides=overrides)
    # What supervisor.supervise() does in `make cluster`, from a thread, since this one runs the tests.
    try:
        with supervisor.restarting_in_background():
            cluster.start()
            database = sqlalchemy.create_engine(cluster.database_url, pool_pre_ping=True)
            running = RunningCluster(cluster, InngestApi(cluster.inngest_url, cluster.keys.signing_key), database)
            yield running
            for client in running.clients:
                client.close()
            database.dispose()
    finally:
        supervisor.stop_all()
        shutil.rmtree(directory, ignore_errors=True) if os.environ.get("KEEP_CLUSTER") != "1" else None


@pytest.fixture(scope="package")
def create_account(running_cluster: RunningCluster) -> Iterator[Callable[[str], int]]:
    """Adds a user (password tests.conftest.PASSWORD) to the cluster's database."""
    settings = {"INNGEST_DEV": True, "DATABASE_URL": running_cluster.cluster.database_url}
    database_app = build_app({**settings, "OUTBOX_RELAY_ENABLED": False})
    yield lambda email: create_user(database_app, email)
    with database_app.app_context():
        database_app.extensions["sqlalchemy"].engine.dispose()


@pytest.fixture(scope="package")
def users(create_account: Callable[[str], int]) -> list[str]:
    emails = [f"cluster-{number}@example.com" for number in range(USERS)]
    for email in emails:
        create_account(email)
    return emails


@dataclass
class Answer:
    name: str
    status: int | str  # an HTTP status, or the transport error's name
    retry_after: str | None
    at: float


@dataclass
class LoadResult:
    answers: list[Answer]
    accepted: dict[str, int]  # document name -> the final 200 or 202
    fault_at: float
    fault_done_at: float

    def statuses(self) -> Counter[int | str]:
        return Counter(answer.status for answer in self.answers)


class SteadyLoad:
    """Posts one document every `interval` seconds, spread over the users, while `fault` runs `fault_after` s in.

    Each POST carries an Idempotency-Key; on 409 or 503 the client waits (Retry-After, at most 5 s)
    and sends the same request again, as a well-behaved client does. Every answer is kept.
    """

    def __init__(self, running: RunningCluster, users: list[str]) -> None:
        self.running = running
        self.clients = [running.sign_in(email) for email in users]
        self.answers: list[Answer] = []
        self._lock = threading.Lock()

    def upload(self, names: list[str]) -> None:
        """Each document into the bucket, in the folder of the user who will post it."""
        for number, name in enumerate(names):
            self.upload_as(self.clients[number % len(self.clients)], [name])

    def upload_as(self, client: httpx.Client, names: list[str]) -> None:
        settings = self.running.cluster.s3_settings
        s3 = s3_client(settings)
        user_id = client.get("/auth/me").json()["user"]["id"]
        for name in names:
            key = f"users/{user_id}/{name}"
            s3.put_object(Bucket=settings["AWS_S3_BUCKET"], Key=key, Body=document_text(name).encode())
        s3.close()

    def run(self, names: list[str], *, interval: float, fault: Callable[[], None], fault_after: float) -> LoadResult:
        self.upload(names)
        started = time.monotonic()
        timings: dict[str, float] = {}

        def inject() -> None:
            time.sleep(fault_after)
            timings["fault_at"] = time.monotonic() - started
            fault()
            timings["fault_done_at"] = time.monotonic() - started

        injector = threading.Thread(target=inject, daemon=True)
        injector.start()
        with ThreadPoolExecutor(32) as pool:
            futures = {}
            for number, name in enumerate(names):
                time.sleep(max(0.0, started + number * interval - time.monotonic()))
                client = self.clients[number % len(self.clients)]
                futures[name] = pool.submit(self._post_until_accepted, client, name, started)
            accepted = {name: future.result() for name, future in futures.items()}
        injector.join(120)
        assert not injector.is_alive(), "the fault did not finish within 120 s"
        return LoadResult(list(self.answers), accepted, timings["fault_at"], timings["fault_done_at"])

    def _post_until_accepted(self, client: httpx.Client, name: str, started: float) -> int:
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline:
            try:
                response = client.post(
                    "/api/route", json={"documentName": name}, headers={"Idempotency-Key": f"load-{name}"}
                )
            except httpx.TransportError as error:
                self._keep(Answer(name, type(error).__name__, None, time.monotonic() - started))
                time.sleep(1)
                continue
            retry_after = response.headers.get("Retry-After")
            self._keep(Answer(name, response.status_code, retry_after, time.monotonic() - started))
            if response.status_code not in RETRIED_STATUSES:
                return response.status_code
            time.sleep(min(5.0, float(retry_after or 1)))
        raise AssertionError(f"{name} was not accepted within 300 s")

    def _keep(self, answer: Answer) -> None:
        with self._lock:
            self.answers.append(answer)


def document_text(name: str) -> str:
    """About 1.5 KB of words, different for every name, so every document is chunked into several pieces."""
    words = random.Random(name).choices(  # noqa: S311 - test data, not security
        ["durable", "queue", "instance", "balancer", "replica", "ledger", "steady", "retry", "harbour", "signal"],
        k=220,
    )
    return f"{name}\n" + " ".join(words) + "\n"


def settle(running: RunningCluster, names: list[str], timeout: float = 300.0) -> dict[str, tuple[str, int]]:
    """Each document's (status, chunk count) once none is queued or processing any more, and every event
    of theirs is confirmed: the server listed a run for it (outbox/confirmation.py).

    Waiting for the confirmations too, since one can still send an event again after its document is
    processed: after the PostgreSQL restart the server may list no run for an event that had one.
    """

    def states() -> dict[str, tuple[str, int]] | None:
        rows = running.query(
            "SELECT name, status, chunk_count FROM documents WHERE name = ANY(:names)", names=list(names)
        )
        found = {name: (status, chunks) for name, status, chunks in rows}
        if len(found) < len(names) or any(status in {"queued", "processing"} for status, _ in found.values()):
            return None
        [[unconfirmed]] = running.query(
            "SELECT count(*) FROM outbox_events o JOIN documents d ON d.id = o.document_id"
            " WHERE d.name = ANY(:names) AND o.confirmed_at IS NULL",
            names=list(names),
        )
        return found if unconfirmed == 0 else None

    return wait_until(states, f"{len(names)} documents processed and their events confirmed", timeout, interval=0.5)


class BalancerLog:
    """HAProxy's log from the moment this is made: it logs every answer that did not end normally."""

    # `... apps/app1 0/0/0/10/10 200 79 - - SD-- ... "POST /api/route HTTP/1.1"`: the fourth field
    # after the timers is the termination state, whose first letter S means the server's side ended it.
    CUT_OFF = re.compile(r" apps/(?P<server>\S+) \S+ -?\d+ \d+ \S+ \S+ S[A-Z]-- .*\"POST /api/route ")

    def __init__(self, running: RunningCluster) -> None:
        self.path = running.cluster.directory / "logs" / "haproxy.log"
        self.start = self.path.stat().st_size

    def cut_off(self, server: str) -> int:
        """POST /api/route answers `server` began and died before finishing (HAProxy's SD): the
        balancer had passed the status line on, so it could not send the request elsewhere."""
        with self.path.open("rb") as log:
            log.seek(self.start)
            lines = log.read().decode(errors="replace").splitlines()
        return sum(1 for line in lines if (found := self.CUT_OFF.search(line)) and found["server"] == server)


def assert_nothing_lost(running: RunningCluster, result: LoadResult, names: list[str], *, cut_off: int = 0) -> None:
    """Every accepted document processed, its chunks stored once, its event received by the server once.

    `cut_off`: answers the balancer saw an instance die in the middle of. Their clients lose the
    connection, and only they may; each sends the same request again, with its Idempotency-Key.
    """
    assert set(result.accepted) == set(names)
    assert set(result.accepted.values()) <= {200, 202}, result.accepted
    dropped = [answer for answer in result.answers if isinstance(answer.status, str)]
    assert len(dropped) <= cut_off, (dropped[:10], f"the balancer logged {cut_off} answers cut off")
    answered = [answer for answer in result.answers if isinstance(answer.status, int)]
    unexpected = [answer for answer in answered if answer.status not in {200, 202, *RETRIED_STATUSES}]
    assert unexpected == [], unexpected[:10]
    assert all(answer.retry_after for answer in result.answers if answer.status == 503)

    states = settle(running, names)
    outbox = running.query(
        "SELECT d.name, o.event_id, o.status FROM outbox_events o JOIN documents d ON d.id = o.document_id"
        " WHERE d.name = ANY(:names)",
        names=list(names),
    )
    events_per_document = Counter(name for name, _, _ in outbox)
    # One event per document, unless an instance died holding a request's Idempotency-Key: the key is
    # free again after IDEMPOTENCY_ABANDONED_AFTER_SECONDS and the retry sends the document once more.
    assert set(events_per_document) == set(names)
    assert {status for _, _, status in outbox} == {"delivered"}

    # "unchanged": a second run found the document already processed (a resend after a crash).
    assert {name: status for name, (status, _) in states.items() if status not in {"processed", "unchanged"}} == {}

    chunks = running.query(
        "SELECT d.name, c.position FROM chunks c JOIN documents d ON d.id = c.document_id WHERE d.name = ANY(:names)",
        names=list(names),
    )
    positions: dict[str, list[int]] = {name: [] for name in names}
    for name, position in chunks:
        positions[name].append(position)
    assert {
        name: sorted(found) for name, found in positions.items() if sorted(found) != list(range(states[name][1]))
    } == {}
    assert all(count > 0 for _, count in states.values())

    received: dict[str, list[str]] = {}
    for event in running.api.events(EVENT):
        received.setdefault(event["id"], []).append(event["internal_id"])
    assert [event_id for _, event_id, _ in outbox if event_id not in received] == []
    # Received twice: an instance died after its send reached the server and before it could record it,
    # so the relay sent the same id again once the claim expired. The server de-duplicates on the id.
    resent = {event_id: copies for _, event_id, _ in outbox if len(copies := received[event_id]) > 1}
    runs = {event_id: sum(len(running.api.runs_of(copy)) for copy in copies) for event_id, copies in resent.items()}
    assert {event_id: count for event_id, count in runs.items() if count != 1} == {}
