"""identity_0002 keeps every link of identity_0001: record links become source records with features and match
keys, so intake keeps finding the customers that existed before the upgrade; the downgrade gives them back."""

from __future__ import annotations

from alembic import command
from sqlalchemy import select, text

from services.core.db import Database
from services.core.migrate import alembic_config, upgrade
from services.core.runtime import load_definition
from services.identity.models import Customer, MatchKey, SourceRecord
from tests.unit.services.identity_support import record, resolve

OLD_ROWS = [
    "INSERT INTO customer (tenant_id, id, name, company, email, phone, created_at) VALUES "
    "('t1', 'C20240501001', 'Ann Lee', 'Acme', 'ann@example.com', '13800138000', '2024-05-01 09:00:00'),"
    "('t2', 'C20240501001', 'Bob', '', 'bob@example.com', '', '2024-05-01 09:00:00')",
    "INSERT INTO record_link (tenant_id, service, kind, record_id, customer_id, owner_id, linked_at) VALUES "
    "('t1', 'leads', 'lead', 'L1', 'C20240501001', 'rep-1', '2024-05-01 09:00:00'),"
    "('t1', 'sales', 'contact', 'C7', 'C20240501001', 'rep-2', '2024-05-02 09:00:00'),"
    "('t2', 'leads', 'lead', 'L1', 'C20240501001', '', '2024-05-01 10:00:00')",
    "INSERT INTO identity_key (tenant_id, kind, value, customer_id) VALUES "
    "('t1', 'email', 'ann@example.com', 'C20240501001'), ('t1', 'phone', '13800138000', 'C20240501001'),"
    "('t2', 'email', 'bob@example.com', 'C20240501001')",
]


def _at(database: Database, revision: str, *, down: bool = False) -> None:
    config = alembic_config(load_definition("identity"))
    with database.engine.connect() as connection:
        config.attributes["connection"] = connection
        (command.downgrade if down else command.upgrade)(config, revision)
        connection.commit()


def test_links_survive_the_upgrade_and_still_match(tmp_path):
    database = Database("identity", f"sqlite:///{tmp_path}/identity.db")
    try:
        _at(database, "identity@identity_0001")
        _at(database, "kernel@head")
        with database.engine.begin() as connection:
            for statement in OLD_ROWS:
                connection.execute(text(statement))

        upgrade(load_definition("identity"), database)

        with database.session("t1") as session:
            rows = session.scalars(select(SourceRecord).order_by(SourceRecord.id)).all()
            assert [(r.service, r.record_id, r.customer_id, r.owner_id) for r in rows] == [
                ("leads", "L1", "C20240501001", "rep-1"), ("sales", "C7", "C20240501001", "rep-2"),
            ]
            # The record that created the customer carries its values; the other one's were never kept.
            assert (rows[0].name, rows[0].email, rows[0].phone, rows[0].features["email"]) == \
                ("Ann Lee", "ann@example.com", "13800138000", "ann@example.com")
            assert (rows[1].name, rows[1].email, rows[1].features.get("email")) == ("", "", "")
            keys = {(k.kind, k.value) for k in session.scalars(select(MatchKey))}
            assert {("email", "ann@example.com"), ("phone", "13800138000")} <= keys
            assert session.get(Customer, ("t1", "C20240501001")).merged_into == ""
        with database.session("t2") as session:
            assert [r.record_id for r in session.scalars(select(SourceRecord))] == ["L1"]

        # Intake after the upgrade finds the customer that existed before it.
        again = resolve(database, record("L8", name="Ann Lee", email="ann@example.com", phone="13800138000"))
        assert (again.customer_id, again.created) == ("C20240501001", False)

        _at(database, "identity@identity_0001", down=True)
        with database.engine.connect() as connection:
            links = connection.execute(text("SELECT tenant_id, record_id, customer_id FROM record_link "
                                            "ORDER BY id")).all()
            keys = set(connection.execute(text("SELECT tenant_id, kind, value FROM identity_key")).all())
        assert [tuple(link) for link in links] == [
            ("t1", "L1", "C20240501001"), ("t1", "C7", "C20240501001"), ("t2", "L1", "C20240501001"),
            ("t1", "L8", "C20240501001"),
        ]
        assert {("t1", "email", "ann@example.com"), ("t1", "phone", "13800138000"),
                ("t2", "email", "bob@example.com")} <= {tuple(key) for key in keys}
    finally:
        database.dispose()
