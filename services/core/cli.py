"""The `crm` command."""

from __future__ import annotations

import importlib
import importlib.util
import logging
import os
import signal
import sys
import threading

import click

from services.core.settings import SERVICE_NAMES, load_settings

log = logging.getLogger("crm")

# Everything with a schema and commands of its own: the six services and the gateway (users, API keys).
COMPONENTS = (*SERVICE_NAMES, "gateway")


def _settings(database_url: str | None = None, bus_url: str | None = None):  # noqa: ANN202
    if database_url:
        os.environ["CRM_DATABASE_URL"] = database_url
    if bus_url:
        os.environ["CRM_BUS_URL"] = bus_url
    return load_settings()


def _stop_on_signal() -> threading.Event:
    """Set on SIGINT or SIGTERM. Installed before anything starts, so a signal during start-up still ends in a clean
    stop (the default handler would kill the process mid-way)."""
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    return stop


def _wait_for_signal() -> None:
    _stop_on_signal().wait()


def _start_gateway(settings):  # noqa: ANN001, ANN202
    from waitress.server import create_server

    from services.gateway import housekeeping
    from services.gateway.app import create_app

    app = create_app(settings)
    housekeeping.start(app.extensions["crm.database"])
    server = create_server(app, host="0.0.0.0", port=settings.http_port, threads=8)
    threading.Thread(target=server.run, name="gateway", daemon=True).start()
    return server


class _WithServiceCommands(click.Group):
    """`crm <service> ...` runs a service's own commands (COMMANDS in services/<service>/commands.py), imported
    only when asked for, so `crm up` does not load every service's batch tooling."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted([*super().list_commands(ctx), *filter(_has_commands, COMPONENTS)])

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        command = super().get_command(ctx, name)
        if command is None and name in COMPONENTS and _has_commands(name):
            command = importlib.import_module(f"services.{name}.commands").COMMANDS
        return command


def _has_commands(service: str) -> bool:
    return importlib.util.find_spec(f"services.{service}.commands") is not None


@click.group(cls=_WithServiceCommands)
def main() -> None:
    """CRM platform: six gRPC services, a gateway, one command."""


@main.command()
@click.option("--database-url", help="PostgreSQL URL instead of one SQLite file per service.")
@click.option("--bus-url", help="amqp:// URL instead of the in-process bus.")
@click.option("--no-gateway", is_flag=True, help="Run the services only.")
@click.option("--demo/--no-demo", default=True, show_default=True,
              help="Create the demo tenant with demo data on the first start (see `crm demo-data`).")
def up(database_url: str | None, bus_url: str | None, no_gateway: bool, demo: bool) -> None:
    """Run every service and the gateway in one process (migrates first)."""
    from services.core.logs import configure_logging
    from services.core.metrics import start_metrics_server
    from services.core.runtime import Platform, tune_garbage_collector

    stop = _stop_on_signal()
    settings = _settings(database_url, bus_url)
    configure_logging(settings.log_level)
    platform = Platform(settings, list(SERVICE_NAMES), migrate=True)
    start_metrics_server(settings.metrics_port)
    platform.start()
    gateway = None if no_gateway else _start_gateway(settings)
    tune_garbage_collector()
    if platform.wait_until_serving(30):
        log.info("all services SERVING; gateway on http://localhost:%d", settings.http_port)
        if demo and gateway is not None:
            threading.Thread(target=_seed_demo, args=(settings,), name="demo-data", daemon=True).start()
    try:
        stop.wait()
    finally:
        if gateway is not None:
            gateway.close()
        platform.stop()


def _seed_demo(settings, echo=log.info) -> None:  # noqa: ANN001
    from services.gateway.app import gateway_database
    from services.gateway.demo import DEMO_PASSWORD, DEMO_TENANT, seed

    database = gateway_database(settings)
    try:
        secrets = seed(settings, database)
    except Exception:  # the platform keeps running without demo data; the log says why
        log.exception("demo data could not be created")
        return
    finally:
        database.dispose()
    if secrets:
        echo(f"demo tenant '{DEMO_TENANT}': log in at http://localhost:{settings.http_port} with organisation "
             f"{DEMO_TENANT}, password {DEMO_PASSWORD}; add a user's key to any authenticator app (TOTP):")
        for employee_id, secret in secrets.items():
            echo(f"  {employee_id:<8} {secret}")


@main.command("demo-data")
def demo_data() -> None:
    """Create the demo tenant, its users and demo leads and deals in the running platform (once)."""
    settings = load_settings()
    from services.core.migrate import upgrade
    from services.gateway.app import gateway_database
    from services.gateway.schema import SCHEMA

    database = gateway_database(settings)
    upgrade(SCHEMA, database)
    database.dispose()
    _seed_demo(settings, echo=click.echo)


@main.command()
@click.argument("service", type=click.Choice([*SERVICE_NAMES, "gateway"]))
@click.option("--migrate/--no-migrate", default=False, help="Run this service's migrations before serving.")
def serve(service: str, migrate: bool) -> None:
    """Run one service (or the gateway) in this process."""
    from services.core.logs import configure_logging
    from services.core.metrics import start_metrics_server

    settings = load_settings()
    configure_logging(settings.log_level)
    start_metrics_server(settings.metrics_port)
    if service == "gateway":
        server = _start_gateway(settings)
        _wait_for_signal()
        server.close()
        return
    from services.core.runtime import Platform, tune_garbage_collector

    platform = Platform(settings, [service], migrate=migrate)
    platform.start()
    tune_garbage_collector()
    try:
        _wait_for_signal()
    finally:
        platform.stop()


@main.command()
@click.argument("services", nargs=-1, type=click.Choice(COMPONENTS))
def migrate(services: tuple[str, ...]) -> None:
    """Bring the schemas of SERVICES (default: all, and the gateway's) to the newest revision."""
    from services.core.db import Database
    from services.core.migrate import upgrade
    from services.core.runtime import load_definition
    from services.gateway.schema import SCHEMA

    settings = load_settings()
    for name in services or COMPONENTS:
        database = Database(name, settings.database_url_for(name))
        try:
            upgrade(SCHEMA if name == "gateway" else load_definition(name), database)
        finally:
            database.dispose()
        click.echo(f"{name}: up to date")


@main.command()
@click.option("--timeout", default=2.0, show_default=True, help="Seconds to wait for each service.")
def health(timeout: float) -> None:
    """Print each service's gRPC health; exit 1 unless all are SERVING."""
    from services.core.client import health_of

    settings = load_settings()
    all_serving = True
    for name in SERVICE_NAMES:
        address = settings.addr_of(name)
        status = health_of(address, timeout)
        all_serving = all_serving and status == "SERVING"
        click.echo(f"{name:<10} {address:<22} {status}")
    sys.exit(0 if all_serving else 1)


@main.command()
@click.option("--tenant", required=True)
@click.option("--subject", required=True, help="User id, or service name with --service.")
@click.option("--role", "roles", multiple=True, help="Repeat for several roles.")
@click.option("--service", "is_service", is_flag=True, help="Mint a service token.")
@click.option("--ttl", default=3600, show_default=True, help="Lifetime in seconds.")
def token(tenant: str, subject: str, roles: tuple[str, ...], is_service: bool, ttl: int) -> None:
    """Mint a signed caller token (for scripts, grpcurl, tests) with this machine's CRM_TOKEN_KEY."""
    from services.core.auth import mint_token

    try:
        click.echo(mint_token(load_settings().token_key, tenant_id=tenant, subject=subject,
                              kind="service" if is_service else "user", roles=roles, ttl_seconds=ttl))
    except ValueError as error:
        raise click.BadParameter(str(error)) from None


@main.group()
def events() -> None:
    """Inspect the event bus."""


@events.group()
def dlq() -> None:
    """Dead-letter queues: events that failed every retry or could not be read."""


def _consumer_queues() -> list[str]:
    from services.core.runtime import load_definition

    return [c.queue_for(n) for n in SERVICE_NAMES for c in load_definition(n).consumers]


def _admin_bus():  # noqa: ANN202
    from services.core.bus import create_bus

    settings = load_settings()
    if settings.bus_url.startswith("memory://"):
        raise click.UsageError("the in-process bus keeps dead letters in the running process; set CRM_BUS_URL")
    return create_bus(settings)


@dlq.command("list")
@click.option("--queue", "queues", multiple=True, help="Consumer queue, e.g. identity.intake (default: all).")
@click.option("--limit", default=100, show_default=True)
def dlq_list(queues: tuple[str, ...], limit: int) -> None:
    """List dead letters (left in place)."""
    from services.core.events import MalformedEvent, parse_envelope

    bus = _admin_bus()
    for queue in queues or _consumer_queues():
        for letter in bus.dead_letters(queue, limit=limit):
            try:
                envelope = parse_envelope(letter.body)
                what = f"{envelope.type} tenant={envelope.tenant_id}"
            except MalformedEvent:
                what = f"<unreadable, {len(letter.body)} bytes>"
            click.echo(f"{queue}\t{letter.message_id or '-'}\t{what}\tattempts={letter.attempts}\t{letter.error}")


@dlq.command("replay")
@click.option("--queue", "queues", multiple=True, help="Consumer queue (default: all).")
@click.option("--id", "message_ids", multiple=True, help="Only these message ids (default: all).")
def dlq_replay(queues: tuple[str, ...], message_ids: tuple[str, ...]) -> None:
    """Send dead letters back to their queue for another try."""
    bus = _admin_bus()
    for queue in queues or _consumer_queues():
        count = bus.replay_dead_letters(queue, list(message_ids) or None)
        click.echo(f"{queue}: replayed {count}")


if __name__ == "__main__":
    main()
