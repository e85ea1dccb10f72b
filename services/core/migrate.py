"""Alembic migrations, one history per service schema plus the kernel branch shared by all of them.

Each service keeps its revisions in services/<name>/migrations/versions (branch label = service name); the
kernel's tables (outbox, inbox, plugin choices) come from services/core/migrations/versions (branch
"kernel"). `upgrade heads` applies both into the service's own schema.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import text

from services.core.db import Database
from services.core.kernel_models import KernelBase
from services.core.service import SchemaDefinition, ServiceDefinition

KERNEL_MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config(definition: ServiceDefinition | SchemaDefinition) -> Config:
    config = Config()
    config.set_main_option("script_location", str(KERNEL_MIGRATIONS))
    config.set_main_option("path_separator", "os")
    config.set_main_option(
        "version_locations", f"{KERNEL_MIGRATIONS / 'versions'}:{definition.migrations}"
    )
    config.attributes["target_metadata"] = [definition.metadata, KernelBase.metadata]
    return config


def upgrade(definition: ServiceDefinition | SchemaDefinition, database: Database) -> None:
    config = alembic_config(definition)
    lock_name = f"crm-migrate-{definition.name}"
    with database.engine.connect() as connection:
        if database.is_postgresql:
            # Several replicas may start at once: one migrates, the others wait and then find nothing to do.
            connection.execute(text("SELECT pg_advisory_lock(hashtext(:name))"), {"name": lock_name})
            connection.execute(text(f'CREATE SCHEMA IF NOT EXISTS "{definition.name}"'))
            connection.commit()
        try:
            config.attributes["connection"] = connection
            command.upgrade(config, "heads")
            connection.commit()
        finally:
            if database.is_postgresql:
                connection.execute(text("SELECT pg_advisory_unlock(hashtext(:name))"), {"name": lock_name})
                connection.commit()


def new_revision(definition: ServiceDefinition | SchemaDefinition, database: Database, message: str) -> None:
    """Autogenerate a revision of `definition`'s schema from its models (against an up-to-date database)."""
    upgrade(definition, database)
    config = alembic_config(definition)
    with database.engine.connect() as connection:
        config.attributes["connection"] = connection
        command.revision(
            config, message=message, autogenerate=True, head=f"{definition.name}@head",
            version_path=str(definition.migrations),
        )
