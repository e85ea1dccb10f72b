"""Every service's Alembic history builds exactly the tables its models declare (no drift, one head)."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from services.core.kernel_models import KernelBase
from services.core.migrate import alembic_config
from services.core.runtime import load_definition

SERVICES = ["identity", "leads", "sales", "support", "marketing", "analytics"]


@pytest.mark.parametrize("name", SERVICES)
def test_migrations_match_the_models(migrated_database, name):
    database = migrated_database(name)
    definition = load_definition(name)
    with database.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, [definition.metadata, KernelBase.metadata]) == []


@pytest.mark.parametrize("name", SERVICES)
def test_the_service_branch_has_one_head_and_is_labelled_with_its_name(name):
    scripts = ScriptDirectory.from_config(alembic_config(load_definition(name)))
    [head] = scripts.get_revisions(f"{name}@head")
    history = list(scripts.iterate_revisions(head.revision, "base"))
    assert all(revision.revision.startswith(f"{name}_") for revision in history)
    assert name in history[-1].branch_labels
