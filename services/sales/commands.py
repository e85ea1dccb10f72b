"""`crm sales ...`: maintenance commands of the sales service."""

from __future__ import annotations

import click

from services.core.i18n import t


@click.group(name="sales")
def COMMANDS() -> None:  # noqa: N802 - the name the `crm` command looks for
    """Sales: maintenance (announce territories again)."""


@COMMANDS.command(name="publish-territories")
@click.option("--tenant", required=True, help="Tenant whose territories are announced.")
def publish_territories(tenant: str) -> None:
    """Emit territory.updated for every territory of TENANT (through the outbox, so the running sales service
    publishes it): a consumer that missed them, such as a leads database restored from a backup or territories
    made before leads listened, gets the current state. Consumers ignore copies they already have."""
    from services.core.db import Database
    from services.core.settings import load_settings
    from services.sales import territories

    database = Database("sales", load_settings().database_url_for("sales"))
    try:
        with database.session(tenant) as session:
            count = territories.publish_all(session)
    finally:
        database.dispose()
    click.echo(t("{count} territories announced", count=count))
