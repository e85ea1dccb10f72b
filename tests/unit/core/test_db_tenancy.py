"""Tenant scoping in services/core/db.py: a forgotten filter cannot leak another tenant's rows (R-SEC-4)."""

from __future__ import annotations

from datetime import UTC

import pytest
from sqlalchemy import delete, func, insert, select, text, update
from sqlalchemy.orm import Session, aliased

from services.core.db import TenantScopeError
from services.core.errors import PermissionDenied
from services.core.kernel_models import OutboxMessage
from services.leads.models import Lead


def _lead(name: str, **fields) -> Lead:
    return Lead(name=name, channel="web", email=f"{name}@example.com", **fields)


@pytest.fixture
def two_tenants(leads_db):
    """t1 owns leads a1, a2; t2 owns b1. Returns {name: id}."""
    ids = {}
    for tenant, names in (("t1", ("a1", "a2")), ("t2", ("b1",))):
        with leads_db.session(tenant) as session:
            for name in names:
                lead = _lead(name)
                session.add(lead)
                session.flush()
                ids[name] = lead.id
    return ids


def _all_rows(database) -> dict[str, tuple[str, str]]:
    with database.kernel_session() as session:
        return {lead.name: (lead.tenant_id, lead.company) for lead in session.scalars(select(Lead))}


def test_new_rows_get_the_session_tenant(leads_db, two_tenants):
    assert {name: tenant for name, (tenant, _) in _all_rows(leads_db).items()} == {
        "a1": "t1", "a2": "t1", "b1": "t2",
    }


def test_orm_select_sees_only_own_tenant(leads_db, two_tenants):
    with leads_db.session("t1") as session:
        assert sorted(lead.name for lead in session.scalars(select(Lead))) == ["a1", "a2"]
        assert session.scalar(select(func.count()).select_from(Lead)) == 2
        assert sorted(session.scalars(select(Lead.name))) == ["a1", "a2"]
        assert session.scalars(select(Lead).where(Lead.name == "b1")).all() == []
        other = aliased(Lead)
        assert sorted(session.scalars(select(other.name))) == ["a1", "a2"]
        assert len(session.scalars(select(Lead.name).where(Lead.id.in_(select(other.id)))).all()) == 2
    with leads_db.session("t2") as session:
        assert [lead.name for lead in session.scalars(select(Lead))] == ["b1"]


def test_the_filter_built_once_per_tenant_keeps_each_tenant_to_its_rows(leads_db, two_tenants):
    """The tenant filter is cached per tenant and every tenant shares one compiled statement: alternating tenants
    must still each get their own rows, from the same statement object."""
    statement = select(Lead.name).order_by(Lead.name)
    for _ in range(3):
        for tenant, names in (("t1", ["a1", "a2"]), ("t2", ["b1"]), ("t3", [])):
            with leads_db.session(tenant) as session:
                assert session.scalars(statement).all() == names
                found = session.scalars(select(Lead.id).where(Lead.id == two_tenants["b1"])).all()
                assert found == ([two_tenants["b1"]] if tenant == "t2" else [])


def test_get_of_another_tenants_id_returns_none(leads_db, two_tenants):
    with leads_db.session("t1") as session:
        assert session.get(Lead, two_tenants["b1"]) is None
        assert session.get(Lead, two_tenants["a1"]).name == "a1"


def test_bulk_update_and_delete_touch_only_own_tenant(leads_db, two_tenants):
    with leads_db.session("t1") as session:
        assert session.execute(update(Lead).values(company="X")).rowcount == 2
        assert session.execute(update(Lead).where(Lead.id == two_tenants["b1"]).values(company="Y")).rowcount == 0
    assert _all_rows(leads_db) == {"a1": ("t1", "X"), "a2": ("t1", "X"), "b1": ("t2", "")}

    with leads_db.session("t1") as session:
        assert session.execute(delete(Lead).where(Lead.id == two_tenants["b1"])).rowcount == 0
        assert session.execute(delete(Lead)).rowcount == 2
    assert _all_rows(leads_db) == {"b1": ("t2", "")}


def test_bulk_update_by_primary_key_touches_only_own_tenant(leads_db, two_tenants):
    # ORM "bulk UPDATE by primary key" (a list of parameter dicts) is another way of writing rows.
    with leads_db.session("t1") as session:
        session.execute(
            update(Lead), [{"id": two_tenants["b1"], "company": "hacked"}, {"id": two_tenants["a1"], "company": "mine"}]
        )
    rows = _all_rows(leads_db)
    assert rows["a1"] == ("t1", "mine")
    assert rows["b1"] == ("t2", "")


def test_writing_a_row_of_another_tenant_is_denied(leads_db, two_tenants):
    with pytest.raises(PermissionDenied), leads_db.session("t1") as session:
        session.add(_lead("intruder", tenant_id="t2"))
    with pytest.raises(PermissionDenied), leads_db.session("t1") as session:
        session.get(Lead, two_tenants["a1"]).tenant_id = "t2"
    assert _all_rows(leads_db) == {"a1": ("t1", ""), "a2": ("t1", ""), "b1": ("t2", "")}


def test_orm_insert_statement_cannot_write_another_tenant(leads_db):
    # session.execute(insert(Model)...) bypasses the flush; it must not bypass the tenant check.
    with pytest.raises(PermissionDenied), leads_db.session("t1") as session:
        session.execute(
            insert(Lead).values(id="x1", name="intruder", channel="web", tenant_id="t2", company="", email="",
                                phone="", owner_id="", customer_id="")
        )
    assert _all_rows(leads_db) == {}


def test_session_without_tenant_cannot_touch_tenant_data(leads_db, two_tenants):
    with Session(leads_db.engine) as session:
        with pytest.raises(TenantScopeError):
            session.scalars(select(Lead)).all()
        with pytest.raises(TenantScopeError):
            session.execute(update(Lead).values(company="Z"))
        # Kernel tables are not tenant data: the outbox (here the audit events of the fixture's leads) spans tenants.
        assert {row.tenant_id for row in session.scalars(select(OutboxMessage))} == {"t1", "t2"}
    with pytest.raises(TenantScopeError), Session(leads_db.engine) as session:
        session.add(_lead("orphan", tenant_id="t1"))
        session.flush()
    with pytest.raises(TenantScopeError), leads_db.session(""):
        pass


def test_kernel_session_sees_every_tenant_but_writes_need_a_tenant(leads_db, two_tenants):
    with leads_db.kernel_session() as session:
        assert session.scalar(select(func.count()).select_from(Lead)) == 3
        session.add(_lead("kernel-made", tenant_id="t3"))
    assert _all_rows(leads_db)["kernel-made"] == ("t3", "")
    with pytest.raises(TenantScopeError), leads_db.kernel_session() as session:
        session.add(_lead("no-tenant"))


def test_failed_transaction_rolls_back(leads_db):
    with pytest.raises(RuntimeError), leads_db.session("t1") as session:
        session.add(_lead("ghost"))
        session.flush()
        raise RuntimeError("boom")
    assert _all_rows(leads_db) == {}


def test_timestamps_come_back_timezone_aware(leads_db, two_tenants):
    with leads_db.session("t1") as session:
        lead = session.get(Lead, two_tenants["a1"])
        session.expire(lead)
        assert lead.created_at.tzinfo is not None
        assert lead.created_at.utcoffset() == UTC.utcoffset(None)


def test_ping(leads_db):
    leads_db.ping()
    with leads_db.engine.connect() as connection:
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
