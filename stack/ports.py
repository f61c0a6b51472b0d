"""Ports for the stacks' servers: one nothing holds (handed out so that no other program can take it
meanwhile), and a check that the fixed ports a stack wants are free before it starts."""

from __future__ import annotations

import functools
import itertools
import secrets
import socket
import threading
from collections.abc import Iterator, Mapping
from pathlib import Path

from stack.processes import StackError


def ensure_ports_free(ports: Mapping[int, str], what_else: str) -> None:
    for port, purpose in ports.items():
        if port_in_use(port):
            raise StackError(f"port {port} ({purpose}) is already in use; is {what_else} still running?")


def port_in_use(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.settimeout(1.0)
        return probe.connect_ex(("127.0.0.1", port)) == 0


def free_port() -> int:
    """A port nothing holds now, taken in turn from outside the kernel's ephemeral range.

    A port from `bind(0)` is free only until the probe closes it: the kernel may hand it out again
    at once, to another `bind(0)` or as the local end of an outgoing connection (the Inngest server
    alone binds four such ports as it starts). It never hands out ports outside its range, and
    taking them in turn from a random start keeps one run from reusing a port it has just given.
    """
    candidates, sequence = _port_sequence()
    with _PORT_LOCK:
        for port in itertools.islice(sequence, len(candidates)):
            if _bindable(port):
                return port
    raise StackError(f"no free port left in {candidates.start}-{candidates.stop - 1}; stop some servers")


_PORT_LOCK = threading.Lock()


@functools.cache
def _port_sequence() -> tuple[range, Iterator[int]]:
    # Linux gives its range in /proc; 32768-60999 is its default.
    try:
        low, high = map(int, Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split())
    except (OSError, ValueError):
        low, high = 32768, 60999
    candidates = range(max(1024, low - 12000), low) if low - 1024 >= 4096 else range(high + 1, 65536)
    start = secrets.randbelow(len(candidates))
    return candidates, itertools.islice(itertools.cycle(candidates), start, None)


def _bindable(port: int) -> bool:
    # No SO_REUSEADDR, and on every address: the servers bind their ports on all of them.
    with socket.socket() as probe:
        try:
            probe.bind(("", port))
        except OSError:
            return False
        return True
