"""Supervising child processes in the foreground: each child leads its own process group.

`make run` and `make cluster` describe their stacks with this. One stop signal (Ctrl-C or
SIGTERM) stops every group, the last started first; a child that exits on its own stops the rest,
unless it was started with `restart=True`: then it is started again, as systemd's Restart= would.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType
from typing import IO, Any, NoReturn

REPO_ROOT = Path(__file__).resolve().parent.parent
STOP_TIMEOUT_SECONDS = 20.0
# How long a child may take to answer once started. It bounds a start that hangs: a child that exits
# fails the wait at once. Generous, since a busy 2-core machine has taken over 60 s to boot an app
# instance's gunicorn while the rest of a stack started beside it.
READY_TIMEOUT_SECONDS = 180.0
POLL_INTERVAL_SECONDS = 0.2
# A child with the restart policy is started again no sooner than this after its previous start.
RESTART_DELAY_SECONDS = 2.0


class StackError(Exception):
    """A part of the stack could not start or stopped; the message says which and why."""


@dataclass
class Child:
    name: str
    argv: list[str]
    env: Mapping[str, str]
    log: Path | None
    stop_signal: signal.Signals = signal.SIGTERM
    stop_timeout: float = STOP_TIMEOUT_SECONDS
    # Started again when it exits on its own, rather than stopping the stack.
    restart: bool = False
    process: subprocess.Popen[bytes] = field(init=False)
    started_at: float = field(init=False, default=0.0)

    def spawn(self) -> None:
        output: IO[bytes] | None = None
        if self.log is not None:
            self.log.parent.mkdir(parents=True, exist_ok=True)
            output = self.log.open("ab")
        try:
            self.process = subprocess.Popen(
                self.argv,
                cwd=REPO_ROOT,
                env=dict(self.env),
                stdin=subprocess.DEVNULL,
                stdout=output,
                stderr=subprocess.STDOUT if output else None,
                process_group=0,
            )
        finally:
            if output is not None:
                output.close()
        self.started_at = time.monotonic()


@dataclass
class Supervisor:
    """The running children of one stack, and how it speaks to the person who started it.

    Safe to use from two threads (the one that runs the stack, and `restarting_in_background`'s).
    """

    label: str
    children: list[Child] = field(default_factory=list)
    _lock: threading.RLock = field(default_factory=threading.RLock, repr=False)

    def say(self, message: str) -> None:
        print(f"[{self.label}] {message}", flush=True)

    def warn(self, message: str) -> None:
        print(f"[{self.label}] {message}", file=sys.stderr, flush=True)

    def start(
        self,
        name: str,
        argv: list[str],
        env: Mapping[str, str],
        *,
        log: Path | None = None,
        stop_signal: signal.Signals = signal.SIGTERM,
        stop_timeout: float = STOP_TIMEOUT_SECONDS,
        restart: bool = False,
    ) -> None:
        """Start `argv` as `name`; its output goes to `log` when given, else to this terminal.

        With `restart`, the child is started again whenever it exits on its own (see `ensure_running`).
        """
        self.say(f"starting {name}: {' '.join(argv)}" + (f" (log: {log})" if log else ""))
        child = Child(name, argv, env, log, stop_signal, stop_timeout, restart)
        with self._lock:
            child.spawn()
            self.children.append(child)

    def running(self, name: str) -> bool:
        with self._lock:
            return any(child.name == name and child.process.poll() is None for child in self.children)

    def ensure_running(self) -> None:
        """Start again each exited child that has the restart policy; any other exited child raises StackError."""
        with self._lock:
            self._restart_exited()
            for child in self.children:
                code = child.process.poll()
                if code is not None and not child.restart:
                    raise StackError(f"{child.name} exited unexpectedly with code {code}")

    def stop(self, name: str) -> None:
        """Stop `name` the way it shuts down cleanly, and forget it."""
        stop_children(self._take(name))

    def interrupt(self, name: str) -> None:
        """Send `name` its stop signal without forgetting it: it exits, and its restart policy applies."""
        with self._lock:
            for child in self.children:
                if child.name == name:
                    signal_group(child.process, child.stop_signal)

    def kill(self, name: str) -> None:
        """SIGKILL `name`'s whole group: no shutdown hooks, as a crash would leave it."""
        for child in self._take(name):
            signal_group(child.process, signal.SIGKILL)
            child.process.wait()

    def stop_all(self) -> None:
        with self._lock:
            children, self.children = self.children, []
        running = [child.name for child in reversed(children) if child.process.poll() is None]
        if running:
            self.say(f"stopping {', '.join(running)}")
        stop_children(list(reversed(children)))

    def wait_until(self, ready: Callable[[], bool], what: str, timeout: float) -> None:
        """Poll `ready` until true; a child exiting or `timeout` seconds passing raises StackError."""
        deadline = time.monotonic() + timeout
        while not ready():
            self.ensure_running()
            if time.monotonic() > deadline:
                raise StackError(f"{what} did not answer within {timeout:.0f}s")
            time.sleep(POLL_INTERVAL_SECONDS)

    def run_to_completion(
        self, name: str, argv: list[str], env: Mapping[str, str], *, capture_stdout: bool = False
    ) -> tuple[int, str]:
        """Run a one-off command in its own process group; a stop request stops the whole group too.

        Returns the exit code and, if asked, the standard output; standard error goes to the terminal.
        """
        process = subprocess.Popen(
            argv,
            cwd=REPO_ROOT,
            env=dict(env),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE if capture_stdout else None,
            text=True,
            process_group=0,
        )
        try:
            stdout, _ = process.communicate()
        except BaseException:
            signal_group(process, signal.SIGTERM)
            reap_group(name, process, time.monotonic() + STOP_TIMEOUT_SECONDS)
            raise
        return process.returncode, stdout or ""

    def supervise(self) -> NoReturn:
        """Return only by raising: StackError when a child exits, KeyboardInterrupt on a stop signal."""
        while True:
            self.ensure_running()
            time.sleep(0.5)

    @contextlib.contextmanager
    def restarting_in_background(self) -> Iterator[None]:
        """Apply the restart policy from a thread while this one does other work (tests), not just in `supervise`.

        A child without the policy that exits is left for the caller's next `ensure_running` to report.
        """
        stopping = threading.Event()

        def restart_exited() -> None:
            while not stopping.wait(POLL_INTERVAL_SECONDS):
                self._restart_exited()

        thread = threading.Thread(target=restart_exited, name=f"{self.label} restarts", daemon=True)
        thread.start()
        try:
            yield
        finally:
            stopping.set()
            thread.join()

    def _restart_exited(self) -> None:
        """Start again each child with the restart policy that exited at least RESTART_DELAY_SECONDS after its start."""
        with self._lock:
            for child in self.children:
                code = child.process.poll()
                if code is None or not child.restart or time.monotonic() - child.started_at < RESTART_DELAY_SECONDS:
                    continue
                signal_group(child.process, signal.SIGKILL)  # whatever is left of its group
                self.warn(f"{child.name} exited with code {code}; starting it again")
                child.spawn()

    def _take(self, name: str) -> list[Child]:
        with self._lock:
            taken = [child for child in self.children if child.name == name]
            self.children = [child for child in self.children if child.name != name]
        return taken


def signal_group(process: subprocess.Popen[Any], signal_number: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal_number)


def reap_group(name: str, process: subprocess.Popen[Any], deadline: float) -> None:
    """Wait for a group already signalled to stop, then SIGKILL what is left of it, grandchildren included."""
    try:
        process.wait(timeout=max(0.0, deadline - time.monotonic()))
    except subprocess.TimeoutExpired:
        print(f"{name} did not stop in time; killing it", file=sys.stderr, flush=True)
    signal_group(process, signal.SIGKILL)
    process.wait()


def stop_children(children: list[Child]) -> None:
    for child in children:
        signal_group(child.process, child.stop_signal)
    signalled = time.monotonic()
    for child in children:
        reap_group(child.name, child.process, signalled + child.stop_timeout)


def run_in_foreground(supervisor: Supervisor, run: Callable[[Supervisor], NoReturn]) -> int:
    """Run a stack until a stop signal (exit 0) or a failure (exit 1); every child is stopped either way."""
    set_stop_signal_handlers(request_stop)
    try:
        run(supervisor)
    except KeyboardInterrupt as stop:
        supervisor.say(f"{stop} received")
        return 0
    except StackError as error:
        supervisor.warn(f"error: {error}")
        return 1
    finally:
        # A second Ctrl-C must not interrupt the cleanup and leave children behind.
        set_stop_signal_handlers(signal.SIG_IGN)
        supervisor.stop_all()
        supervisor.say("stopped")


def request_stop(signal_number: int, frame: FrameType | None) -> None:
    """Turn SIGTERM into what Ctrl-C already raises, so both stop the stack the same way.

    The first stop signal is the only one: from here on every SIGINT and SIGTERM is
    ignored, so a second one (make passes its own SIGTERM on, Ctrl-C pressed twice)
    cannot interrupt the cleanup and leave children running.
    """
    set_stop_signal_handlers(signal.SIG_IGN)
    raise KeyboardInterrupt(signal.Signals(signal_number).name)


def set_stop_signal_handlers(handler: Callable[[int, FrameType | None], None] | signal.Handlers) -> None:
    for signal_number in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signal_number, handler)


def venv_command(name: str) -> str:
    path = Path(sys.executable).parent / name
    if not path.exists():
        raise StackError(f"{path} is missing; run this with the project's .venv/bin/python, as make does")
    return str(path)
