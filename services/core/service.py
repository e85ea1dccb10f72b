"""What a service declares about itself; the kernel does the rest (see services/leads/__init__.py)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import grpc
from sqlalchemy import MetaData

from services.core.consumers import Consumer
from services.core.db import Database
from services.core.plugins import PluginHost
from services.core.settings import Settings


@dataclass(frozen=True)
class ServiceContext:
    """Handed to a service's servicer: everything it may use, nothing of other services."""

    name: str
    settings: Settings
    database: Database
    plugins: PluginHost


@dataclass(frozen=True)
class SchemaDefinition:
    """A schema the kernel migrates: every service's, and the gateway's (accounts, API keys, sessions)."""

    name: str  # the schema (PostgreSQL) or the SQLite file name
    metadata: MetaData
    migrations: Path  # Alembic versions directory, branch label = name


@dataclass(frozen=True)
class ServiceDefinition:
    name: str  # "leads": schema, queue prefix, CRM_LEADS_ADDR
    grpc_service: str  # full proto name, e.g. "crm.leads.v1.LeadsService"
    add_to_server: Callable[[object, grpc.Server], None]  # the generated add_<X>Servicer_to_server
    make_servicer: Callable[[ServiceContext], object]
    metadata: MetaData
    migrations: Path  # this service's Alembic versions directory
    consumers: list[Consumer] = field(default_factory=list)
    # Durable timer kind -> handler(session, FiredTimer) (services/core/timers.py); a worker per process fires them.
    timers: Mapping[str, Callable] = field(default_factory=dict)
