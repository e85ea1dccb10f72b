"""Running services: one (`crm serve leads`) or all of them in one process (`crm up`).

Start order: migrate (if asked), subscribe consumers, start the bus, open the gRPC ports (NOT_SERVING), start
the outbox relays and timer workers; a health loop then reports SERVING once the database and the bus answer,
and NOT_SERVING again whenever they stop answering.
"""

from __future__ import annotations

import gc
import importlib
import logging
import threading
import time
from datetime import timedelta

from grpc_health.v1 import health_pb2

from services.core.bus import Bus, create_bus
from services.core.consumers import InboxDispatcher, purge_inbox
from services.core.db import Database
from services.core.grpc_server import build_server
from services.core.migrate import upgrade
from services.core.outbox import OutboxRelay
from services.core.plugins import PluginHost
from services.core.service import ServiceContext, ServiceDefinition
from services.core.settings import SERVICE_NAMES, Settings
from services.core.timers import TimerWorker

log = logging.getLogger("crm.runtime")

HOUSEKEEPING_SECONDS = 3600
WARNING_INTERVAL_SECONDS = 60  # a health probe that keeps failing the same way is logged at most this often
SERVING = health_pb2.HealthCheckResponse.SERVING
NOT_SERVING = health_pb2.HealthCheckResponse.NOT_SERVING


def load_definition(name: str) -> ServiceDefinition:
    if name not in SERVICE_NAMES:
        raise ValueError(f"unknown service {name!r}; expected one of {', '.join(SERVICE_NAMES)}")
    return importlib.import_module(f"services.{name}").SERVICE


# Young-generation threshold of the cyclic garbage collector (CPython's default: 700 allocations). A request allocates
# thousands of short-lived objects (ORM states, statements, protobuf messages) that reference counting frees anyway.
GC_THRESHOLD = (50_000, 20, 100)


def tune_garbage_collector() -> None:
    """For a server process, once it has started (modules imported, mappers configured, servers built): move
    everything alive into the collector's permanent generation, so that collections no longer walk it, and collect
    the young generation every GC_THRESHOLD[0] allocations instead of 700. About 5% less CPU per request. `crm serve`
    and `crm up` call it; not Platform.start, which tests call in a process that goes on."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLD)


class ServiceRuntime:
    def __init__(self, definition: ServiceDefinition, settings: Settings, bus: Bus, plugins: PluginHost, port: int):
        self.definition = definition
        self.database = Database(definition.name, settings.database_url_for(definition.name),
                                 pool_size=settings.db_pool_size)
        self.context = ServiceContext(definition.name, settings, self.database, plugins)
        self.relay = OutboxRelay(self.database, bus, poll_seconds=settings.outbox_poll_seconds)
        self.timers = (
            TimerWorker(self.database, definition.timers, poll_seconds=settings.timer_poll_seconds)
            if definition.timers else None
        )
        for consumer in definition.consumers:
            bus.subscribe(
                consumer.queue_for(definition.name),
                consumer.routing_keys(),
                InboxDispatcher(definition.name, consumer, self.database),
            )
        self.server, self.health = build_server(
            token_key=settings.token_key,
            servicers=[(definition.add_to_server, definition.make_servicer(self.context))],
            service_names=[definition.grpc_service],
            max_workers=settings.grpc_workers,
        )
        self.port = self.server.add_insecure_port(f"[::]:{port}")
        self.serving = False

    def start(self) -> None:
        self.server.start()
        self.relay.start()
        if self.timers is not None:
            self.timers.start()
        log.info("%s listening on port %d", self.definition.name, self.port)

    def set_serving(self, serving: bool) -> None:
        if serving != self.serving:
            status = SERVING if serving else NOT_SERVING
            for name in ("", self.definition.grpc_service):
                self.health.set(name, status)
            self.serving = serving
            log.info("%s is %s", self.definition.name, "SERVING" if serving else "NOT_SERVING")

    def stop_serving(self, grace: float) -> None:
        self.set_serving(False)
        self.server.stop(grace).wait()

    def close(self) -> None:
        if self.timers is not None:
            self.timers.stop()
        self.relay.stop()
        self.database.dispose()


class Platform:
    """Some or all services sharing one process, one bus connection set and one plugin host."""

    def __init__(self, settings: Settings, service_names: list[str], *, migrate: bool = False):
        self.settings = settings
        self.definitions = [load_definition(name) for name in service_names]
        self.migrate = migrate
        self.bus = create_bus(settings)
        self.plugins = PluginHost()
        self.runtimes: list[ServiceRuntime] = []
        self._stopping = threading.Event()
        self._next_housekeeping = time.monotonic() + 60  # not during start-up
        self._last_warnings: dict[str, tuple[str, float]] = {}  # subject -> (message, when logged)
        self._health_thread = threading.Thread(target=self._health_loop, name="health", daemon=True)

    def start(self) -> None:
        for definition in self.definitions:
            runtime = ServiceRuntime(
                definition, self.settings, self.bus, self.plugins, self.settings.grpc_port_for(definition.name)
            )
            if self.migrate:
                upgrade(definition, runtime.database)
            self.runtimes.append(runtime)
        self.bus.start()
        for runtime in self.runtimes:
            runtime.start()
        self._health_thread.start()

    def runtime(self, name: str) -> ServiceRuntime:
        return next(r for r in self.runtimes if r.definition.name == name)

    def _housekeeping(self) -> None:
        """Hourly: forget inbox entries past their retention (see purge_inbox)."""
        if time.monotonic() < self._next_housekeeping:
            return
        self._next_housekeeping = time.monotonic() + HOUSEKEEPING_SECONDS
        retention = timedelta(hours=self.settings.inbox_retention_hours)
        for runtime in self.runtimes:
            try:
                removed = purge_inbox(runtime.database, retention)
                if removed:
                    log.info("%s forgot %d inbox entries older than %s", runtime.definition.name, removed, retention)
            except Exception as exc:  # noqa: BLE001 - retried next hour; serving is unaffected
                log.warning("%s inbox purge failed: %r", runtime.definition.name, exc)

    def _health_loop(self) -> None:
        while not self._stopping.is_set():
            self._housekeeping()
            try:
                self.bus.check()
                bus_ok = True
            except Exception as exc:  # noqa: BLE001
                self._warn("bus", f"bus unreachable: {exc!r}")
                bus_ok = False
            all_serving = True
            for runtime in self.runtimes:
                try:
                    runtime.database.ping()
                    db_ok = True
                except Exception as exc:  # noqa: BLE001
                    self._warn(runtime.definition.name, f"{runtime.definition.name} database unreachable: {exc!r}")
                    db_ok = False
                runtime.set_serving(bus_ok and db_ok)
                all_serving = all_serving and runtime.serving
            # Probe fast until everything serves, then at a relaxed pace.
            self._stopping.wait(5.0 if all_serving else 0.5)

    def _warn(self, subject: str, message: str) -> None:
        """Log a failed probe when its message changes, else once a minute: the loop probes twice a second while
        something is down, and an outage should not flood the log."""
        last = self._last_warnings.get(subject)
        now = time.monotonic()
        if last is None or last[0] != message or now - last[1] >= WARNING_INTERVAL_SECONDS:
            log.warning("%s", message)
            self._last_warnings[subject] = (message, now)

    def wait_until_serving(self, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.runtimes and all(r.serving for r in self.runtimes):
                return True
            time.sleep(0.05)
        return False

    def stop(self, grace: float = 5.0) -> None:
        self._stopping.set()
        for runtime in self.runtimes:
            runtime.set_serving(False)
        for runtime in self.runtimes:
            runtime.stop_serving(grace)
        # Consumers stop before the databases close, so no handler is cut off mid-transaction.
        self.bus.stop()
        for runtime in self.runtimes:
            runtime.close()
        self.plugins.close()
