"""Helpers of the identity service tests: records, resolving, seeding unlinked duplicates, scripted candidates."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from services.core.auth import Caller
from services.identity import golden, identities
from services.identity.matching import realtime
from services.identity.models import Customer, SourceRecord

DAY = datetime(2024, 5, 1, 9, 30, tzinfo=UTC)


def caller(*roles: str, tenant: str = "t1", subject: str = "u1", kind: str = "user") -> Caller:
    return Caller(tenant_id=tenant, subject=subject, kind=kind, roles=frozenset(roles))


MANAGER = caller("manager", subject="boss")


def record(record_id: str = "L1", *, service: str = "leads", kind: str = "lead", owner_id: str = "rep-1",
           **fields) -> identities.RecordInput:
    return identities.RecordInput(service=service, kind=kind, record_id=record_id, owner_id=owner_id, **fields)


def resolve(database, rec: identities.RecordInput, tenant: str = "t1") -> identities.Resolution:  # noqa: ANN001
    with database.session(tenant) as session:
        return identities.resolve(session, tenant=tenant, record=rec, actor="tester")


def seed(database, people: Iterable[dict], tenant: str = "t1") -> list[str]:  # noqa: ANN001
    """Store each record under a customer of its own without matching (data from before matching existed, or
    an import): the duplicates a dedup job is for. Returns the customer ids."""
    ids = []
    with database.session(tenant) as session:
        for number, person in enumerate(people):
            person = dict(person)
            service, kind = person.pop("service", "leads"), person.pop("kind", "lead")
            observed_at = person.pop("observed_at", None)
            rec = record(person.pop("record_id", f"S{number}"), service=service, kind=kind, observed_at=observed_at,
                         **person)
            customer = Customer(id=identities.next_customer_id(session, tenant=tenant), tenant_id=tenant)
            session.add(customer)
            row = SourceRecord(tenant_id=tenant, service=rec.service, kind=rec.kind, record_id=rec.record_id,
                               customer_id=customer.id, owner_id=rec.owner_id, features=identities.features_of(rec),
                               observed_at=rec.observed_at or DAY, **rec.fields())
            session.add(row)
            session.flush()
            identities.add_match_keys(session, tenant=tenant, record=row)
            golden.refresh(session, customer)
            ids.append(customer.id)
    return ids


def records_of(database, customer_id: str, tenant: str = "t1") -> list[str]:  # noqa: ANN001
    with database.session(tenant) as session:
        return [r.record_id for r in session.scalars(
            select(SourceRecord).where(SourceRecord.customer_id == customer_id).order_by(SourceRecord.id))]


def customer(database, customer_id: str, tenant: str = "t1") -> Customer:  # noqa: ANN001
    with database.session(tenant) as session:
        return session.get(Customer, (tenant, customer_id))


def scripted_candidates(monkeypatch: pytest.MonkeyPatch, answers: list[list[tuple[str, float]]]) -> None:
    """The engine's find_candidates answers these (customer id, probability) lists in turn, each candidate
    pointing at that customer's first record, with one line of evidence; then nothing."""
    queue = list(answers)

    def find_candidates(session, *, features, model, limit=5, exclude_record_id=None, plugins=None,  # noqa: ANN001, ANN202, ARG001
                        keyed=None):
        found = []
        for customer_id, probability in queue.pop(0) if queue else []:
            first = session.scalar(select(SourceRecord.id).where(SourceRecord.customer_id == customer_id)
                                   .order_by(SourceRecord.id).limit(1))
            evidence = (realtime.FieldEvidence("name", "close", 0.93, 3.5),
                        realtime.FieldEvidence("phone", "disagree", 0.4, -6.0))
            found.append(realtime.Candidate(customer_id, first, probability, 1.0, evidence))
        return found[:limit]

    monkeypatch.setattr(realtime, "find_candidates", find_candidates)
