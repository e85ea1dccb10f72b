"""Kernel fixtures: the leads servicer behind the real kernel interceptor on an in-process gRPC server."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

import grpc
import pytest
from grpc_health.v1 import health

from services.core.db import Database
from services.core.grpc_server import build_server
from services.core.plugins import PluginHost
from services.core.runtime import load_definition
from services.core.service import ServiceContext
from services.core.settings import Settings
from tests.unit.conftest import TOKEN_KEY


def unit_settings(tmp_path, **overrides) -> Settings:
    fields = dict(data_dir=tmp_path, database_url=None, bus_url="memory://", token_key=TOKEN_KEY, grpc_port=None,
                  metrics_port=0, http_port=0, log_level="INFO")
    fields.update(overrides)
    return Settings(**fields)


@dataclass
class KernelServer:
    port: int
    channel: grpc.Channel
    health: health.HealthServicer
    database: Database

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"


@pytest.fixture
def leads_server(tmp_path, leads_db) -> Iterator[Callable[..., KernelServer]]:
    """leads_server(servicer_class=LeadsApi) -> the leads API served through build_server on 127.0.0.1:0."""
    started = []

    def _start(servicer_class=None) -> KernelServer:
        definition = load_definition("leads")
        plugins = PluginHost(load_entry_points=False)
        context = ServiceContext("leads", unit_settings(tmp_path), leads_db, plugins)
        servicer = (servicer_class or definition.make_servicer)(context)
        server, health_servicer = build_server(
            token_key=TOKEN_KEY, servicers=[(definition.add_to_server, servicer)],
            service_names=[definition.grpc_service], max_workers=4,
        )
        port = server.add_insecure_port("127.0.0.1:0")
        server.start()
        channel = grpc.insecure_channel(f"127.0.0.1:{port}")
        started.append((server, channel, plugins))
        return KernelServer(port, channel, health_servicer, leads_db)

    yield _start
    for server, channel, plugins in started:
        channel.close()
        server.stop(None)
        plugins.close()
