"""Migrations: each service's branch plus the kernel branch, in the service's own database."""

from __future__ import annotations

import pytest
from sqlalchemy import inspect, text

from services.core.db import Database
from services.core.migrate import upgrade
from services.core.runtime import load_definition

KERNEL_TABLES = {"crm_outbox", "crm_inbox", "crm_plugin_choice"}


def _tables(database: Database) -> set[str]:
    return set(inspect(database.engine).get_table_names())


@pytest.mark.parametrize("name", ["leads", "identity"])
def test_upgrade_creates_service_and_kernel_tables_and_is_idempotent(tmp_path, name):
    definition = load_definition(name)
    database = Database(name, f"sqlite:///{tmp_path}/{name}.db")
    try:
        upgrade(definition, database)
        tables = _tables(database)
        assert set(definition.metadata.tables) | KERNEL_TABLES <= tables
        with database.engine.connect() as connection:
            heads = set(connection.execute(text("SELECT version_num FROM alembic_version")).scalars())
        assert len(heads) == 2  # the service's head and the kernel's head
        assert any(head.startswith(name) for head in heads)

        upgrade(definition, database)  # a second run finds nothing to do

        assert _tables(database) == tables
        with database.engine.connect() as connection:
            assert set(connection.execute(text("SELECT version_num FROM alembic_version")).scalars()) == heads
    finally:
        database.dispose()


@pytest.mark.parametrize("name", ["leads", "identity"])
def test_migrated_schema_matches_the_models(tmp_path, name):
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from services.core.kernel_models import KernelBase

    definition = load_definition(name)
    database = Database(name, f"sqlite:///{tmp_path}/{name}.db")
    try:
        upgrade(definition, database)
        with database.engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            differences = compare_metadata(context, [definition.metadata, KernelBase.metadata])
        assert differences == []  # a model change without its migration would show here
    finally:
        database.dispose()
