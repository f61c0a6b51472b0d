"""`make run`'s supervisor stops every child however the stop signals come: two or three, back to back,
SIGTERM and SIGINT mixed (make passes its own SIGTERM on; people press Ctrl-C twice)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading

import pytest

from tests.conftest import free_port
from tests.support.app_server import REPOSITORY
from tests.support.inngest_server import server_binary
from tests.support.polling import wait_until


def port_is_free(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) != 0


@pytest.mark.parametrize(
    "signals",
    [(signal.SIGTERM, signal.SIGTERM), (signal.SIGINT, signal.SIGTERM, signal.SIGINT)],
    ids=["term-term", "int-term-int"],
)
def test_stop_signals_back_to_back_stop_every_child(tmp_path, signals):
    ports = {name: free_port() for name in ("APP", "DEV_SERVER", "LOCAL_S3", "REDIS")}
    connect_ports = [free_port() for _ in range(3)]
    environment = {
        **{key: value for key, value in os.environ.items() if not key.startswith(("INNGEST_", "AWS_"))},
        **{f"MAKE_RUN_{name}_PORT": str(port) for name, port in ports.items()},
        "MAKE_RUN_CONNECT_PORTS": ",".join(map(str, connect_ports)),
        "MAKE_RUN_INSTANCE_DIR": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'app.db'}",
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
        # Minutes on a loaded machine: six processes start one after another, each given READY_TIMEOUT_SECONDS.
        wait_until(lambda: any(line.startswith("[make run] ready") for line in output), "make run to be ready", 300)
        assert not any(port_is_free(port) for port in [*ports.values(), *connect_ports])

        for number in signals:
            supervisor.send_signal(number)

        assert supervisor.wait(60) == 0, "".join(output[-20:])
    finally:
        if supervisor.poll() is None:
            os.killpg(supervisor.pid, signal.SIGKILL)
            supervisor.wait()
    reader.join(10)
    if supervisor.stdout:
        supervisor.stdout.close()
    assert any("stopped" in line for line in output)
    assert [port for port in [*ports.values(), *connect_ports] if not port_is_free(port)] == []
