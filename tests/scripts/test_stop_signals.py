"""The stacks' supervisor stops every child however the stop signals come: two or three, back to back,
SIGTERM and SIGINT mixed (make passes its own SIGTERM on; people press Ctrl-C twice).

The supervisor here runs two children that only wait; tests/scripts/test_run_stack_guarantees.py stops
the whole `make run` stack the same way.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from tests.support.app_server import REPOSITORY
from tests.support.polling import wait_until

# A stack of two children, each writing its pid to a file and waiting to be stopped, run as `make run` runs.
STACK = """
import sys
from stack.processes import Supervisor, run_in_foreground

CHILD = "import os, sys, time; open(sys.argv[1], 'w').write(str(os.getpid())); time.sleep(600)"

def run(supervisor):
    for name in ("first", "second"):
        supervisor.start(name, [sys.executable, "-c", CHILD, f"{sys.argv[1]}/{name}.pid"], {})
    supervisor.say("ready")
    supervisor.supervise()

sys.exit(run_in_foreground(Supervisor("stack"), run))
"""


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def child_pids(directory: Path) -> list[int] | None:
    files = [directory / "first.pid", directory / "second.pid"]
    if not all(file.exists() and file.read_text() for file in files):
        return None
    return [int(file.read_text()) for file in files]


@pytest.mark.parametrize(
    "signals",
    [
        (signal.SIGTERM, signal.SIGTERM),
        (signal.SIGINT, signal.SIGINT),
        (signal.SIGINT, signal.SIGTERM, signal.SIGINT),
        (signal.SIGTERM, signal.SIGINT, signal.SIGTERM),
    ],
    ids=["term-term", "int-int", "int-term-int", "term-int-term"],
)
def test_stop_signals_back_to_back_stop_every_child(tmp_path, signals):
    supervisor = subprocess.Popen(
        [sys.executable, "-c", STACK, str(tmp_path)],
        cwd=REPOSITORY, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True,
    )  # fmt: skip
    output: list[str] = []
    reader = threading.Thread(target=lambda: output.extend(supervisor.stdout or []), daemon=True)
    reader.start()
    try:
        wait_until(lambda: any(line.startswith("[stack] ready") for line in output), "the stack to be ready", 60)
        pids = wait_until(lambda: child_pids(tmp_path), "both children to start", 60)
        assert all(alive(pid) for pid in pids)

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
    assert [pid for pid in pids if alive(pid)] == []
