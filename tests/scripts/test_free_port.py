"""The stacks' and tests' free ports: never one the kernel may hand out to someone else meanwhile."""

import socket
from pathlib import Path

from stack.ports import free_port


def ephemeral_range() -> range:
    low, high = map(int, Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split())
    return range(low, high + 1)


def test_free_ports_are_outside_the_ephemeral_range_and_not_given_twice():
    ports = [free_port() for _ in range(200)]

    assert not set(ports) & set(ephemeral_range())
    assert len(set(ports)) == len(ports)


def test_a_port_something_listens_on_is_never_given():
    with socket.socket() as listener:
        port = free_port()
        listener.bind(("127.0.0.1", port))
        listener.listen()

        given = {free_port() for _ in range(12000)}

    assert port not in given
