"""The development cluster's port choice: ports a server can still bind after other connections have opened."""

from __future__ import annotations

import socket

from services.core import devcluster
from services.core.devcluster import ephemeral_port_range, free_port


def test_a_free_port_lies_below_the_range_the_kernel_gives_outgoing_connections() -> None:
    first_ephemeral, _ = ephemeral_port_range()
    ports = {free_port() for _ in range(50)}
    assert all(1024 <= port < first_ephemeral for port in ports), sorted(ports)
    assert len(ports) > 1  # drawn at random, so that two callers rarely pick the same


def test_a_free_port_can_be_bound_on_every_address_as_the_servers_bind_it() -> None:
    port = free_port()
    with socket.socket(socket.AF_INET6, socket.SOCK_STREAM) as server:
        server.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
        server.bind(("::", port))
        server.listen()


def test_a_port_some_socket_listens_on_is_not_chosen(monkeypatch) -> None:
    first_ephemeral, _ = ephemeral_port_range()
    with socket.socket() as taken:
        for port in range(first_ephemeral - 2_000, first_ephemeral):  # one below the range that we can take
            try:
                taken.bind(("127.0.0.1", port))
                break
            except OSError:
                continue
        taken.listen()
        other = free_port()
        # The taken port is offered twice before the other one: the other must come back.
        offered = iter([port, port, other])
        monkeypatch.setattr(devcluster.random, "choice", lambda _candidates: next(offered))
        assert free_port() == other
