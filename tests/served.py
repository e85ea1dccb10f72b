"""A service's servicer behind the kernel's gRPC server (interceptor, health, reflection) on a local port, in the
test's own process: for tests that call a service's API without a `crm serve` process, on SQLite or PostgreSQL."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import grpc
from grpc_health.v1 import health

from services.core.db import Database
from services.core.grpc_server import build_server
from services.core.plugins import PluginHost
from services.core.runtime import load_definition
from services.core.service import ServiceContext
from services.core.settings import Settings


@dataclass
class ServedService:
    port: int
    channel: grpc.Channel  # to the service; closed with it
    health: health.HealthServicer

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"


@contextlib.contextmanager
def served(name: str, settings: Settings, database: Database, *,
           servicer_class: Callable[[ServiceContext], object] | None = None) -> Iterator[ServedService]:
    """Service `name` (its own servicer, or `servicer_class` built on the same context) on 127.0.0.1, port chosen at
    bind; stopped, with its channel and plugin host, at the end of the block."""
    definition = load_definition(name)
    plugins = PluginHost(load_entry_points=False)
    context = ServiceContext(name, settings, database, plugins)
    servicer = (servicer_class or definition.make_servicer)(context)
    server, health_servicer = build_server(token_key=settings.token_key,
                                           servicers=[(definition.add_to_server, servicer)],
                                           service_names=[definition.grpc_service], max_workers=4)
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    channel = grpc.insecure_channel(f"127.0.0.1:{port}")
    try:
        yield ServedService(port, channel, health_servicer)
    finally:
        channel.close()
        server.stop(None)
        plugins.close()
