"""The real Inngest server (1.43.0) in a child process on free ports: `inngest dev` or `inngest start`.

Every port it listens on is chosen free, the connect gateway's three included, so two servers
(or two test runs) on one machine never clash. Skips with a one-line reason when no binary is at
hand, unless REQUIRE_INNGEST_DEV_SERVER=1 (CI), which installs it or fails.
"""

from __future__ import annotations

import json
import os
import secrets
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Literal

import httpx
import pytest

from tests.conftest import free_port
from tests.support.app_server import START_TIMEOUT_SECONDS
from tests.support.polling import wait_until

REPOSITORY = Path(__file__).resolve().parent.parent.parent
SERVER_SCRIPT = REPOSITORY / "scripts" / "inngest-dev-server"
ARTIFACTS = REPOSITORY / "test-artifacts"
# The end of the log a server that exits at start shows in the failure (CI keeps no artifacts).
LOG_LINES_SHOWN = 15


def server_binary() -> str:
    """The path of the pinned server binary, or a skip (a failure when REQUIRE_INNGEST_DEV_SERVER=1)."""
    required = os.environ.get("REQUIRE_INNGEST_DEV_SERVER") == "1"
    command = [str(SERVER_SCRIPT)] if required else [str(SERVER_SCRIPT), "--check"]
    found = subprocess.run(command, capture_output=True, text=True, check=False)
    if found.returncode == 0:
        return found.stdout.strip()
    if required:
        pytest.fail(f"REQUIRE_INNGEST_DEV_SERVER=1 but no Inngest server binary:\n{found.stderr}", pytrace=False)
    pytest.skip("no Inngest server binary (run scripts/inngest-dev-server, or set INNGEST_DEV_SERVER_BIN)")


class InngestApi:
    """A running server's REST API and GraphQL API, as its own UI and CLI read them."""

    def __init__(self, url: str, signing_key: str | None) -> None:
        self.url = url
        self.signing_key = signing_key

    def _get(self, path: str, **params: Any) -> Any:
        headers = {"Authorization": f"Bearer {self.signing_key}"} if self.signing_key else {}
        response = httpx.get(f"{self.url}{path}", params=params, headers=headers, timeout=10)
        response.raise_for_status()
        return response.json()["data"]

    def events(self, name: str) -> list[dict[str, Any]]:
        """Every event of that name the server received (each send is one, even with a repeated `id`)."""
        # The server may answer fewer than `limit` (1.43.0 gives at most 51) before the end:
        # only an empty page, or one that brings nothing new, ends the list.
        received: dict[str, dict[str, Any]] = {}
        cursor: str | None = None
        while True:
            params: dict[str, Any] = {"name": name, "limit": 100}
            if cursor:
                params["cursor"] = cursor
            page: list[dict[str, Any]] = self._get("/v1/events", **params)
            new = [event for event in page if event["internal_id"] not in received]
            if not new:
                return list(received.values())
            received.update((event["internal_id"], event) for event in new)
            cursor = page[-1]["internal_id"]

    def runs_of(self, internal_event_id: str) -> list[dict[str, Any]]:
        """The event's runs: `run_id`, `status` (Running, Completed, Failed, Cancelled) and `output`.

        Read through GraphQL, which shows a run's end as it happens. The REST list of an event's runs
        (`/v1/events/<id>/runs`) is cached: polled while a run goes, it shows the run's end about 15 s late.
        """
        query = "query ($id: ID!) { event(query: {eventId: $id}) { functionRuns { id status output } } }"
        answer = self._graphql_answer(query, id=internal_event_id)
        errors = answer.get("errors") or []
        # An event the server has not stored yet is "no rows", which means it has no runs yet.
        if errors and all("no rows" in error.get("message", "") for error in errors):
            return []
        assert not errors, errors
        return [
            {
                "run_id": run["id"],
                "status": run["status"].capitalize(),
                "output": json.loads(run["output"]) if run["output"] is not None else None,
            }
            # An event that started no run has `functionRuns: null`.
            for run in answer["data"]["event"]["functionRuns"] or []
        ]

    def graphql(self, query: str, **variables: Any) -> dict[str, Any]:
        """The server's GraphQL API, which its UI reads: run traces and synced apps."""
        answer = self._graphql_answer(query, **variables)
        assert not answer.get("errors"), answer["errors"]
        data: dict[str, Any] = answer["data"]
        return data

    def _graphql_answer(self, query: str, **variables: Any) -> dict[str, Any]:
        headers = {"Authorization": f"Bearer {self.signing_key}"} if self.signing_key else {}
        response = httpx.post(
            f"{self.url}/v0/gql", json={"query": query, "variables": variables}, headers=headers, timeout=10
        )
        response.raise_for_status()
        answer: dict[str, Any] = response.json()
        return answer

    def apps(self) -> list[dict[str, Any]]:
        """The apps synced to the server: name, url, functionCount and the sync error if any."""
        apps: list[dict[str, Any]] = self.graphql("{ apps { externalID url functionCount error } }")["apps"]
        return apps

    def steps_of(self, run_id: str) -> list[dict[str, Any]]:
        """The run's steps as the server traced them: name, status, attempts, startedAt and endedAt."""
        query = """query ($runID: String!) { runTrace(runID: $runID) {
            childrenSpans { name status attempts startedAt endedAt } } }"""
        steps: list[dict[str, Any]] = self.graphql(query, runID=run_id)["runTrace"]["childrenSpans"]
        return steps

    def call_in_flight(self, run_id: str) -> bool:
        """Whether the server is waiting now for the app to answer a call of the run.

        While the app runs a step the server cannot yet name it (the step's id comes back with the
        answer), so its trace shows the call as a span still RUNNING beside the finished steps.
        """
        query = """query ($runID: String!) { runTrace(runID: $runID) { childrenSpans { status } } }"""
        # A run the server has only just scheduled may have no trace yet: an error, meaning "not yet".
        trace = (self._graphql_answer(query, runID=run_id).get("data") or {}).get("runTrace")
        return trace is not None and any(span["status"] == "RUNNING" for span in trace["childrenSpans"])

    def finished_run(self, internal_event_id: str, status: str = "Completed", timeout: float = 60.0) -> dict[str, Any]:
        """The event's run once it has ended with `status` and, when completed, its output is stored.

        A run can show `Completed` a moment before it carries the output.
        """

        def ended() -> dict[str, Any] | None:
            for run in self.runs_of(internal_event_id):
                if run["status"] == status and (status != "Completed" or run["output"] is not None):
                    return run
            return None

        return wait_until(ended, f"a {status} run for event {internal_event_id}", timeout)


class ServerExitedError(AssertionError):
    """The server process ended before it answered; the message ends with the end of its log."""


class InngestServer(InngestApi):
    """One server process. `mode="dev"` is the dev server; `mode="start"` the self-hosted one with keys."""

    def __init__(
        self,
        binary: str,
        *,
        mode: Literal["dev", "start"] = "dev",
        app_urls: tuple[str, ...] = (),
        state_directory: Path | None = None,
        log_name: str = "inngest-server.log",
        port: int | None = None,
        persist: bool = False,
    ) -> None:
        self.binary = binary
        self.mode = mode
        self.app_urls = app_urls
        self.port = port or free_port()
        super().__init__(f"http://127.0.0.1:{self.port}", secrets.token_hex(32) if mode == "start" else None)
        self.event_key = secrets.token_hex(16) if mode == "start" else None
        self.state_directory = state_directory
        self.persist = persist
        self.log_path = ARTIFACTS / log_name
        self._connect_ports = (free_port(), free_port(), free_port())
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def prefixed_signing_key(self) -> str:
        """The signing key as the SDK wants it (`signkey-prod-<hex>`)."""
        assert self.signing_key is not None
        return f"signkey-prod-{self.signing_key}"

    def command(self) -> list[str]:
        gateway, gateway_grpc, executor_grpc = self._connect_ports
        command = [self.binary, self.mode, "--port", str(self.port)]
        command += ["--connect-gateway-port", str(gateway), "--connect-gateway-grpc-port", str(gateway_grpc)]
        command += ["--connect-executor-grpc-port", str(executor_grpc)]
        if self.mode == "dev":
            command += ["--no-discovery", "--no-poll", "--retry-interval", "1"]
            if self.persist:  # its state in <state_directory>/.inngest, kept across restarts
                command += ["--persist"]
        else:
            command += ["--signing-key", str(self.signing_key), "--event-key", str(self.event_key)]
            command += ["--retry-interval", "1"]
            if self.state_directory:
                command += ["--sqlite-dir", str(self.state_directory)]
        for url in self.app_urls:
            command += ["-u", url]
        return command

    def start(self, timeout: float = START_TIMEOUT_SECONDS) -> None:
        """Start it and wait for /health; a server that exits at start is started once more.

        1.43.0 moves off a port it finds taken but can still lose one between its look and its
        bind, and then exits 1: the second start gets new connect ports (its API port is already
        in the app's settings, so it keeps that one). Two exits fail with the end of its log.
        """
        try:
            self._start(timeout)
        except ServerExitedError as exited:
            print(f"{exited}\nstarting it once more", file=sys.stderr)
            self._connect_ports = (free_port(), free_port(), free_port())
            self._start(timeout)

    def _start(self, timeout: float) -> None:
        # Kept after the run (git-ignored): it shows every function run the test caused.
        self.log_path.parent.mkdir(exist_ok=True)
        with self.log_path.open("a") as log:
            self._process = subprocess.Popen(
                self.command(), stdout=log, stderr=subprocess.STDOUT, start_new_session=True, cwd=self.state_directory
            )
        wait_until(self.answers, f"the Inngest server ({self.mode}) to answer on {self.url}", timeout)

    def answers(self) -> bool:
        if self._process is not None and self._process.poll() is not None:
            last_lines = "\n".join(self.log_path.read_text(errors="replace").splitlines()[-LOG_LINES_SHOWN:])
            raise ServerExitedError(
                f"the Inngest server exited with {self._process.returncode}; the end of {self.log_path}:\n{last_lines}"
            )
        try:
            return httpx.get(f"{self.url}/health", timeout=2).status_code == 200
        except httpx.HTTPError:
            return False

    def stop(self, sig: signal.Signals = signal.SIGTERM) -> None:
        if self._process is None or self._process.poll() is not None:
            return
        os.killpg(self._process.pid, sig)
        try:
            self._process.wait(20)
        except subprocess.TimeoutExpired:
            os.killpg(self._process.pid, signal.SIGKILL)
            self._process.wait(10)


@contextmanager
def running_inngest_server(binary: str, **options: Any) -> Iterator[InngestServer]:
    server = InngestServer(binary, **options)
    try:
        server.start()
        yield server
    finally:
        server.stop()
