"""Resolving source records to customer identities (R-ID-1) with exact keys, and stable ids (R-ID-5)."""

from __future__ import annotations

import threading
from dataclasses import dataclass

from prometheus_client import Counter
from sqlalchemy import select
from sqlalchemy.orm import Session

from crm.common.v1.common_pb2 import RecordRef
from crm.events.v1.identity_pb2 import IdentityResolved
from services.core.auth import Caller
from services.core.db import upsert_insert, utcnow
from services.core.errors import NotFound, Validator
from services.core.events import emit
from services.core.i18n import t
from services.identity.models import Customer, CustomerSequence, IdentityKey, RecordLink
from services.identity.normalize import email_key, phone_key

RESOLUTIONS = Counter("crm_identity_resolutions", "Records resolved, by outcome.", ["outcome"])

# Roles that may read any customer; others read the customers of records they own (R-SEC-2).
SEE_ALL_ROLES = ("manager", "admin", "auditor", "marketing", "service_agent")
# Key kinds in the order they decide a match: an e-mail is more specific than a shared office phone.
KEY_PRIORITY = ("email", "phone")


@dataclass(frozen=True)
class SourceRecord:
    service: str
    kind: str
    record_id: str
    name: str = ""
    company: str = ""
    email: str = ""
    phone: str = ""
    owner_id: str = ""


@dataclass(frozen=True)
class Resolution:
    customer_id: str
    created: bool
    matched_on: tuple[str, ...]


def validate(record: SourceRecord) -> None:
    check = Validator()
    check.require(record.service, "record.service", max_length=40)
    check.require(record.kind, "record.kind", max_length=40)
    check.require(record.record_id, "record.id", max_length=64)
    keys = identifying_keys(record)
    check.check(bool(keys), "email", t("a valid email or phone is required"))
    check.raise_if_any()


def resolve(session: Session, *, tenant: str, record: SourceRecord) -> Resolution:
    """Link `record` to the customer its keys identify, creating one if none does. Idempotent per record."""
    validate(record)
    link = session.scalar(
        select(RecordLink).where(
            RecordLink.service == record.service, RecordLink.kind == record.kind,
            RecordLink.record_id == record.record_id,
        )
    )
    if link is not None:
        return Resolution(link.customer_id, False, ())

    keys = identifying_keys(record)
    found = {
        key.kind: key.customer_id
        for key in session.scalars(
            select(IdentityKey).where(IdentityKey.kind.in_(keys), IdentityKey.value.in_(keys.values()))
        )
        if keys.get(key.kind) == key.value
    }
    matched_on = tuple(kind for kind in KEY_PRIORITY if kind in found)
    if matched_on:
        customer_id, created = found[matched_on[0]], False
    else:
        customer = Customer(
            id=next_customer_id(session, tenant=tenant), tenant_id=tenant, name=record.name,
            company=record.company, email=record.email, phone=record.phone,
        )
        session.add(customer)
        customer_id, created = customer.id, True
    for kind, value in keys.items():
        if kind not in found:
            # A value already pointing at another customer stays there: merging is the review queue's job.
            session.add(IdentityKey(tenant_id=tenant, kind=kind, value=value, customer_id=customer_id))
    session.add(
        RecordLink(tenant_id=tenant, service=record.service, kind=record.kind, record_id=record.record_id,
                   customer_id=customer_id, owner_id=record.owner_id)
    )
    session.flush()
    emit(
        session,
        IdentityResolved(
            record=RecordRef(service=record.service, kind=record.kind, id=record.record_id),
            customer_id=customer_id, created=created, matched_on=list(matched_on),
        ),
        producer="identity",
    )
    RESOLUTIONS.labels("created" if created else "matched").inc()
    return Resolution(customer_id, created, matched_on)


def identifying_keys(record: SourceRecord) -> dict[str, str]:
    keys = {"email": email_key(record.email), "phone": phone_key(record.phone)}
    return {kind: value for kind, value in keys.items() if value}


# PostgreSQL hands out customer numbers in blocks, kept per process: (database url, tenant, day) -> next, end.
NUMBER_BLOCK = 20
_number_blocks: dict[tuple[str, str, str], tuple[int, int]] = {}
_number_lock = threading.Lock()


def next_customer_id(session: Session, *, tenant: str) -> str:
    """C + UTC day + per-tenant daily sequence of at least three digits: C20240501001 (R-ID-5).

    On PostgreSQL numbers are reserved NUMBER_BLOCK at a time in a short transaction of their own, so concurrent
    resolutions neither queue on the sequence row nor pay a round trip each; like a cached database sequence,
    numbers are unique but may leave gaps (a failed resolution, a restart) and interleave across replicas.
    SQLite has one writer anyway, so there the number is taken in the caller's transaction.
    """
    day = utcnow().strftime("%Y%m%d")
    bind = session.get_bind().engine  # the session may be bound to a connection (batched consumers)
    if bind.dialect.name != "postgresql":
        number = session.execute(_reserve(upsert_insert(bind), tenant, day, 1)).scalar_one()
        return f"C{day}{number:03d}"
    key = (str(bind.url), tenant, day)
    with _number_lock:
        number, end = _number_blocks.get(key, (0, 0))
        if number >= end:
            with bind.connect() as connection:
                end = connection.execute(_reserve(upsert_insert(bind), tenant, day, NUMBER_BLOCK)).scalar_one() + 1
                connection.commit()
            number = end - NUMBER_BLOCK
        _number_blocks[key] = (number + 1, end)
    return f"C{day}{number:03d}"


def _reserve(dialect_insert, tenant: str, day: str, count: int):  # noqa: ANN001, ANN202
    """Upsert that advances the tenant's daily counter by `count` and returns the new last number."""
    table = CustomerSequence.__table__
    return (
        dialect_insert(table)
        .values(tenant_id=tenant, day=day, last=count)
        .on_conflict_do_update(index_elements=[table.c.tenant_id, table.c.day], set_={"last": table.c.last + count})
        .returning(table.c.last)
    )


def get_customer(session: Session, *, caller: Caller, customer_id: str) -> tuple[Customer, list[RecordLink]]:
    customer = session.get(Customer, (session.info["crm_tenant"], customer_id)) if customer_id else None
    links = (
        list(session.scalars(select(RecordLink).where(RecordLink.customer_id == customer_id).order_by(RecordLink.id)))
        if customer is not None else []
    )
    readable = caller.has_any_role(*SEE_ALL_ROLES) or any(link.owner_id == caller.subject for link in links)
    if customer is None or customer.tenant_id != session.info["crm_tenant"] or not readable:
        raise NotFound(t("customer {id} not found", id=repr(customer_id)))
    return customer, links
