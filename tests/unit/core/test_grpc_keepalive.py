"""Keepalive pings between the platform's gRPC clients and servers (ADR 0030): a connection whose peer stopped
answering is replaced, and the servers allow the pings their clients send.

The timings are shortened (pings every second, gRPC's floor) so that the tests take seconds; the options are the
production ones."""

from __future__ import annotations

import contextlib
import select
import socket
import threading
import time
from collections.abc import Iterator

import grpc
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc

from services.core.client import open_channel
from services.core.grpc_server import Keepalive, build_server

FAST = Keepalive(time_ms=300, timeout_ms=1000)
# What open_channel set before ADR 0030: a ping after 30 s, and only with a call open.
OLD_CLIENT = Keepalive(time_ms=30_000, timeout_ms=20_000)


class FreezingProxy:
    """A TCP proxy in front of a server that can freeze the connections it carries: it stops forwarding in both
    directions but keeps the sockets open, so the client sees what a hung or vanished peer looks like (its bytes
    are accepted by the kernel, no answer ever comes). Connections made after a freeze are forwarded as usual."""

    def __init__(self, backend_port: int):
        self.backend_port = backend_port
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.frozen: set[socket.socket] = set()
        self.open: list[tuple[socket.socket, socket.socket]] = []
        self.connections = 0
        self.closing = False
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while not self.closing:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            backend = socket.create_connection(("127.0.0.1", self.backend_port))
            self.open.append((client, backend))
            self.connections += 1
            threading.Thread(target=self._pump, args=(client, backend), daemon=True).start()

    def _pump(self, client: socket.socket, backend: socket.socket) -> None:
        peers = {client: backend, backend: client}
        while not self.closing:
            if client in self.frozen:
                time.sleep(0.05)  # hold the sockets open, read nothing, answer nothing
                continue
            try:
                readable, _, _ = select.select(list(peers), [], [], 0.05)
                for source in readable:
                    data = source.recv(65536)
                    if not data:
                        return
                    peers[source].sendall(data)
            except OSError:  # closed by either side, or by close()
                return

    def freeze(self) -> None:
        self.frozen.update(client for client, _ in self.open)

    def close(self) -> None:
        self.closing = True
        self.listener.close()
        for pair in self.open:
            for sock in pair:
                sock.close()


@contextlib.contextmanager
def health_server(keepalive: Keepalive) -> Iterator[int]:
    server, health_servicer = build_server(token_key="k" * 32, servicers=[], service_names=[], keepalive=keepalive)
    health_servicer.set("", health_pb2.HealthCheckResponse.SERVING)
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    try:
        yield port
    finally:
        server.stop(None)


def check(channel: grpc.Channel, timeout: float = 2) -> int:
    return health_pb2_grpc.HealthStub(channel).Check(health_pb2.HealthCheckRequest(), timeout=timeout).status


@pytest.fixture
def proxy() -> Iterator[FreezingProxy]:
    with health_server(FAST) as port:
        running = FreezingProxy(port)
        yield running
        running.close()


def test_a_client_replaces_a_connection_whose_server_stopped_answering(proxy) -> None:
    with open_channel(f"127.0.0.1:{proxy.port}", keepalive=FAST) as channel:
        assert check(channel) == health_pb2.HealthCheckResponse.SERVING
        proxy.freeze()
        time.sleep(3.5)  # a ping goes unanswered; the client drops the connection and dials again
        assert check(channel) == health_pb2.HealthCheckResponse.SERVING
        assert proxy.connections == 2


def test_without_pings_calls_keep_going_into_the_dead_connection(proxy) -> None:
    """The case the pings are for, and proof that the proxy's freeze is a real one."""
    with open_channel(f"127.0.0.1:{proxy.port}", keepalive=OLD_CLIENT) as channel:
        check(channel)
        proxy.freeze()
        time.sleep(1)
        with pytest.raises(grpc.RpcError) as failure:
            check(channel, timeout=1)
        assert failure.value.code() == grpc.StatusCode.DEADLINE_EXCEEDED
        assert proxy.connections == 1


def test_a_server_allows_the_pings_of_an_idle_client() -> None:
    """A gRPC server by default closes the connection of a client that pings more often than every 5 minutes or
    without a call open ("too_many_pings"); the platform's servers accept their clients' pings, so the connection of
    an idle client stays up."""
    with health_server(FAST) as port, open_channel(f"127.0.0.1:{port}", keepalive=FAST) as channel:
        states: list[grpc.ChannelConnectivity] = []
        check(channel)
        channel.subscribe(states.append, try_to_connect=False)
        time.sleep(5)  # a ping a second; a server that refuses them closes the connection at the third
        assert set(states) == {grpc.ChannelConnectivity.READY}
