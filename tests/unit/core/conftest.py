"""Kernel fixtures: the leads servicer behind the real kernel interceptor on an in-process gRPC server."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import grpc
import pytest
from grpc_health.v1 import health

from services.core.db import Database
from services.core.settings import Settings
from tests.served import served
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
    with contextlib.ExitStack() as running:

        def _start(servicer_class=None) -> KernelServer:
            service = running.enter_context(
                served("leads", unit_settings(tmp_path), leads_db, servicer_class=servicer_class))
            return KernelServer(service.port, service.channel, service.health, leads_db)

        yield _start
