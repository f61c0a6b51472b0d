"""What `make run` promises beyond starting: it listens on loopback only, its two workers share one sign-in
throttle (Redis), a sync registers the app's own URL whatever Host header the PUT carries, and stop signals
back to back stop every piece. The last test stops the stack the others share."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from stack.run import DEMO_EMAIL
from tests.conftest import free_port
from tests.support.app_server import REPOSITORY
from tests.support.inngest_server import server_binary
from tests.support.polling import wait_until

LOOPBACK_HEX = "0100007F"  # 127.0.0.1 as /proc/net/tcp writes it
FORGED_HOST = "127.0.0.1:3999"


@dataclass
class RunningStack:
    ports: dict[str, int]
    connect_ports: list[int]
    output: list[str]
    supervisor: subprocess.Popen[str]

    def url(self, name: str) -> str:
        return f"http://127.0.0.1:{self.ports[name]}"


@pytest.fixture(scope="module")
def make_run(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningStack]:
    directory = tmp_path_factory.mktemp("make-run")
    ports = {name: free_port() for name in ("APP", "DEV_SERVER", "LOCAL_S3", "REDIS")}
    connect_ports = [free_port() for _ in range(3)]
    environment = {
        **{key: value for key, value in os.environ.items() if not key.startswith(("INNGEST_", "AWS_", "RATELIMIT"))},
        **{f"MAKE_RUN_{name}_PORT": str(port) for name, port in ports.items()},
        "MAKE_RUN_CONNECT_PORTS": ",".join(map(str, connect_ports)),
        "MAKE_RUN_INSTANCE_DIR": str(directory),
        "DATABASE_URL": f"sqlite:///{directory / 'app.db'}",
        "INNGEST_DEV_SERVER_BIN": server_binary(),
    }
    supervisor = subprocess.Popen(
        [sys.executable, "-m", "stack.run"],
        cwd=REPOSITORY, env=environment, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        start_new_session=True,
    )  # fmt: skip
    output: list[str] = []
    reader = threading.Thread(target=lambda: output.extend(supervisor.stdout or []), daemon=True)
    reader.start()
    try:
        # Minutes on a loaded machine: the migrations and gunicorn's start alone may take one.
        try:
            wait_until(lambda: any(line.startswith("[make run] ready") for line in output), "make run to be ready", 300)
        except AssertionError:
            pytest.fail("make run did not get ready:\n" + "".join(output[-30:]), pytrace=False)
        yield RunningStack(ports, connect_ports, output, supervisor)
    finally:
        if supervisor.poll() is None:
            supervisor.send_signal(signal.SIGTERM)
        try:
            supervisor.wait(60)
        except subprocess.TimeoutExpired:
            os.killpg(supervisor.pid, signal.SIGKILL)
            supervisor.wait()
        reader.join(10)
        if supervisor.stdout:
            supervisor.stdout.close()


def listening_addresses(port: int) -> set[str]:
    """The local addresses (hex, as the kernel lists them) of every socket listening on `port`."""
    addresses = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        if not Path(table).exists():
            continue
        for line in Path(table).read_text().splitlines()[1:]:
            local, state = line.split()[1], line.split()[3]
            address, port_hex = local.rsplit(":", 1)
            if state == "0A" and int(port_hex, 16) == port:  # 0A: LISTEN
                addresses.add(address)
    return addresses


@pytest.mark.parametrize("name", ["APP", "DEV_SERVER", "LOCAL_S3", "REDIS"])
def test_every_piece_listens_on_loopback_only(make_run, name):
    assert listening_addresses(make_run.ports[name]) == {LOOPBACK_HEX}


def test_the_sixth_wrong_password_is_refused_whichever_worker_counts_it(make_run):
    answers = []
    for _ in range(10):
        # A new connection each time, so gunicorn hands the attempts to both workers.
        response = httpx.post(
            f"{make_run.url('APP')}/auth/login", json={"email": DEMO_EMAIL, "password": "wrong"}, timeout=30
        )
        answers.append(response.status_code)
    assert answers == [401] * 5 + [429] * 5


def test_an_unsigned_sync_with_a_foreign_host_still_registers_the_apps_own_url(make_run):
    response = httpx.put(f"{make_run.url('APP')}/api/inngest", headers={"Host": FORGED_HOST}, timeout=30)
    assert response.status_code == 200, response.text

    apps = httpx.post(f"{make_run.url('DEV_SERVER')}/v0/gql", json={"query": "{ apps { url } }"}, timeout=30)
    assert apps.status_code == 200, apps.text
    # The dev server lists 127.0.0.1 as localhost.
    registered = [app["url"].replace("//localhost:", "//127.0.0.1:") for app in apps.json()["data"]["apps"]]
    assert registered == [f"{make_run.url('APP')}/api/inngest"]


def port_is_free(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) != 0


def test_stop_signals_back_to_back_stop_every_piece(make_run):
    every_port = [*make_run.ports.values(), *make_run.connect_ports]
    assert not any(port_is_free(port) for port in every_port)

    for number in (signal.SIGINT, signal.SIGTERM, signal.SIGINT):
        make_run.supervisor.send_signal(number)

    assert make_run.supervisor.wait(60) == 0, "".join(make_run.output[-20:])
    assert any("stopped" in line for line in make_run.output)
    assert [port for port in every_port if not port_is_free(port)] == []
