"""Supervising child processes in the foreground: each child leads its own process group.

`make run` and `make cluster` describe their stacks with this. One stop signal (Ctrl-C or
SIGTERM) stops every group, the last started first; a child that exits on its own stops the rest.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType
from typing import IO, Any, NoReturn

import httpx

REPO_ROOT = Path(__file__).resolve().parent.parent
STOP_TIMEOUT_SECONDS = 20.0
POLL_INTERVAL_SECONDS = 0.2


class StackError(Exception):
    """A part of the stack could not start or stopped; the message says which and why."""


@dataclass
class Child:
    name: str
    process: subprocess.Popen[bytes]
    stop_signal: signal.Signals = signal.SIGTERM
    stop_timeout: float = STOP_TIMEOUT_SECONDS


@dataclass
class Supervisor:
    """The running children of one stack, and how it speaks to the person who started it."""

    label: str
    children: list[Child] = field(default_factory=list)

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
    ) -> None:
        """Start `argv` as `name`; its output goes to `log` when given, else to this terminal."""
        self.say(f"starting {name}: {' '.join(argv)}" + (f" (log: {log})" if log else ""))
        output: IO[bytes] | None = None
        if log is not None:
            log.parent.mkdir(parents=True, exist_ok=True)
            output = log.open("ab")
        try:
            process = subprocess.Popen(
                argv,
                cwd=REPO_ROOT,
                env=dict(env),
                stdin=subprocess.DEVNULL,
                stdout=output,
                stderr=subprocess.STDOUT if output else None,
                process_group=0,
            )
        finally:
            if output is not None:
                output.close()
        self.children.append(Child(name, process, stop_signal, stop_timeout))

    def running(self, name: str) -> bool:
        return any(child.name == name and child.process.poll() is None for child in self.children)

    def ensure_running(self) -> None:
        for child in self.children:
            code = child.process.poll()
            if code is not None:
                raise StackError(f"{child.name} exited unexpectedly with code {code}")

    def stop(self, name: str) -> None:
        """Stop `name` the way it shuts down cleanly, and forget it."""
        stop_children(self._take(name))

    def kill(self, name: str) -> None:
        """SIGKILL `name`'s whole group: no shutdown hooks, as a crash would leave it."""
        for child in self._take(name):
            signal_group(child.process, signal.SIGKILL)
            child.process.wait()

    def stop_all(self) -> None:
        running = [child.name for child in reversed(self.children) if child.process.poll() is None]
        if running:
            self.say(f"stopping {', '.join(running)}")
        stop_children(list(reversed(self.children)))
        self.children = []

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

    def _take(self, name: str) -> list[Child]:
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


def ensure_ports_free(ports: Mapping[int, str], what_else: str) -> None:
    for port, purpose in ports.items():
        if port_in_use(port):
            raise StackError(f"port {port} ({purpose}) is already in use; is {what_else} still running?")


def port_in_use(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.settimeout(1.0)
        return probe.connect_ex(("127.0.0.1", port)) == 0


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def responds(url: str, *, require_ok: bool = False, headers: Mapping[str, str] | None = None) -> bool:
    try:
        response = httpx.get(url, timeout=2.0, headers=headers)
    except httpx.HTTPError:
        return False
    return response.status_code == 200 or not require_ok


def venv_command(name: str) -> str:
    path = Path(sys.executable).parent / name
    if not path.exists():
        raise StackError(f"{path} is missing; run this with the project's .venv/bin/python, as make does")
    return str(path)
