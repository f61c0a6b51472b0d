"""The stacks' restart policy: a child started with `restart=True` is started again when it exits on its
own (as `make cluster` does for the Inngest server, which exits when it loses Redis); any other child
that exits stops the stack."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from stack.processes import RESTART_DELAY_SECONDS, StackError, Supervisor
from tests.support.polling import stays_true, wait_until

# Appends a line to the file it is given, then waits to be stopped (or exits at once with `exit`).
CHILD = "import sys, time; open(sys.argv[1], 'a').write('started\\n'); sys.argv[2:] and sys.exit(3); time.sleep(60)"


def starts(log: Path) -> int:
    return log.read_text().count("started") if log.exists() else 0


@pytest.fixture
def supervisor() -> Iterator[Supervisor]:
    supervisor = Supervisor("restart test")
    yield supervisor
    supervisor.stop_all()


@pytest.fixture
def restartable(supervisor: Supervisor, tmp_path: Path) -> Path:
    """A child named "server" with the restart policy, started once; returns the file that counts its starts."""
    log = tmp_path / "starts.txt"
    supervisor.start("server", [sys.executable, "-c", CHILD, str(log)], {}, restart=True)
    wait_until(lambda: starts(log) == 1, "the first start")
    return log


def test_a_child_with_the_restart_policy_is_started_again_after_it_exits(supervisor, restartable):
    with supervisor.restarting_in_background():
        supervisor.interrupt("server")
        wait_until(lambda: starts(restartable) == 2, "the restart", timeout=10)
    assert supervisor.running("server")
    supervisor.ensure_running()  # nothing left to report
    supervisor.stop_all()
    assert not supervisor.running("server")


def test_a_stopped_child_is_forgotten_and_never_restarted(supervisor, restartable):
    with supervisor.restarting_in_background():
        supervisor.stop("server")
        assert stays_true(lambda: starts(restartable) == 1, RESTART_DELAY_SECONDS + 1)
        supervisor.ensure_running()
    assert not supervisor.running("server")


def test_a_child_without_it_that_exits_stops_the_stack(supervisor, tmp_path):
    log = tmp_path / "starts.txt"
    supervisor.start("migrations", [sys.executable, "-c", CHILD, str(log), "exit"], {})
    wait_until(lambda: not supervisor.running("migrations"), "the child to exit")
    with pytest.raises(StackError, match="migrations exited unexpectedly with code 3"):
        supervisor.ensure_running()
    assert starts(log) == 1
