"""Resolving source records to customer identities at intake (R-ID-1) and stable customer ids (R-ID-5).

Every record is scored against the tenant's identities by the matching engine (services/identity/matching):
at or above the model's auto-link threshold it joins the best candidate; between the review and auto-link
thresholds it gets a new customer and a review pair (record vs candidate) for a person to decide; below, a new
customer. The record, its match keys, the golden record, an audit row and `identity.resolved` are written in
the caller's transaction.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from prometheus_client import Counter
from sqlalchemy import bindparam, insert, select, text
from sqlalchemy.orm import Session

from crm.common.v1.common_pb2 import RecordRef
from crm.events.v1.identity_pb2 import IdentityResolved
from services.core import audit
from services.core.auth import Caller
from services.core.db import BoundRow, check_tenant, insert_values, upsert_insert, utcnow
from services.core.errors import NotFound, Validator
from services.core.events import emit
from services.core.i18n import t
from services.core.plugins import PluginHost
from services.identity import golden, graph
from services.identity.models import Customer, CustomerSequence, LinkAudit, MatchKey, SourceRecord

RESOLUTIONS = Counter("crm_identity_resolutions", "Records resolved, by outcome.", ["outcome"])

# Roles that may read any customer; others read the customers of records they own (R-SEC-2).
SEE_ALL_ROLES = ("manager", "admin", "auditor", "marketing", "service_agent")
# Roles that may submit records for resolution or matching.
RESOLVE_ROLES = ("sales", "manager", "admin", "marketing", "service_agent")

# Decisions for a candidate, by its probability against the tenant model's thresholds.
LINK, REVIEW, NONE = "link", "review", "none"
# Field levels that count as "matched on" when a record joins an existing customer.
AGREEING_LEVELS = ("exact", "close")
MAX_CANDIDATES = 20

FIELD_LIMITS = {"name": 200, "company": 200, "email": 254, "phone": 40, "city": 100, "address": 300,
                "credit_code": 32}


@dataclass(frozen=True)
class RecordInput:
    """A record some service holds, as submitted for matching or resolution."""

    service: str
    kind: str
    record_id: str
    name: str = ""
    company: str = ""
    email: str = ""
    phone: str = ""
    city: str = ""
    address: str = ""
    credit_code: str = ""
    owner_id: str = ""
    # When the source saw these values; now when not given.
    observed_at: datetime | None = None

    def fields(self) -> dict[str, str]:
        return {name: getattr(self, name).strip() for name in golden.GOLDEN_FIELDS}


@dataclass(frozen=True)
class Evidence:
    """How one field of the record compared with the candidate (the engine's FieldEvidence)."""

    field: str
    level: str  # exact | close | fuzzy | disagree | missing
    similarity: float
    weight: float  # log2 Bayes factor


@dataclass(frozen=True)
class Match:
    customer_id: str
    source_record_id: int
    probability: float
    match_weight: float
    fields: tuple[Evidence, ...]
    decision: str  # LINK | REVIEW | NONE

    def agreeing(self) -> tuple[str, ...]:
        return tuple(e.field for e in self.fields if e.level in AGREEING_LEVELS)

    def evidence_json(self) -> list[dict[str, Any]]:
        return [{"field": e.field, "level": e.level, "similarity": e.similarity, "weight": e.weight}
                for e in self.fields]


@dataclass(frozen=True)
class Resolution:
    customer_id: str
    created: bool
    matched_on: tuple[str, ...]
    probability: float = 0.0
    candidates: tuple[Match, ...] = ()
    review_pair_id: str = ""


@dataclass(frozen=True)
class Matching:
    """The answer of a match without writes: candidates best first, and the thresholds that judged them."""

    candidates: tuple[Match, ...]
    auto_link: float
    review: float


def validate(record: RecordInput, features: Mapping[str, str], *, require_ref: bool = True) -> None:
    check = Validator()
    if require_ref:
        check.require(record.service, "record.service", max_length=40)
        check.require(record.kind, "record.kind", max_length=40)
        check.require(record.record_id, "record.id", max_length=64)
    for name, limit in FIELD_LIMITS.items():
        check.at_most(getattr(record, name), name, limit)
    check.at_most(record.owner_id, "owner_id", 64)
    check.check(bool(identifying(features)), "email", t("a valid email, phone or credit code is required"))
    check.raise_if_any()


def identifying(features: Mapping[str, str]) -> tuple[str, ...]:
    """The fields that identify a record on their own: valid e-mail, phone, credit code (engine's flags)."""
    return tuple(name for name in golden.VALIDATED_FIELDS if features.get(f"{name}_valid") == "1")


def features_of(record: RecordInput) -> dict[str, str]:
    from services.identity.matching.features import features_of as engine_features

    return dict(engine_features(record.fields()))


def match(session: Session, *, record: RecordInput, limit: int = 5, plugins: PluginHost | None = None) -> Matching:
    """Candidates for `record` with their scores and field evidence; writes nothing. When the record is stored
    already, it is not its own candidate."""
    from services.identity.matching.realtime import load_model

    features = features_of(record)
    validate(record, features, require_ref=False)
    model = load_model(session)
    own = _stored(session, record) if record.service and record.kind and record.record_id else None
    found = candidates(session, features=features, model=model, limit=limit, plugins=plugins,
                       exclude_record_id=own.id if own is not None else None)
    return Matching(tuple(found), float(model.auto_link), float(model.review))


def candidates(
    session: Session, *, features: Mapping[str, str], model: Any, limit: int = 5,
    exclude_record_id: int | None = None, plugins: PluginHost | None = None, keyed: Sequence[int] | None = None,
) -> list[Match]:
    """The engine's candidates, best first, as Match values judged against the model's thresholds. `keyed`: the
    ids of the records sharing a key, when known already (matching.realtime.probe)."""
    from services.identity.matching.realtime import find_candidates

    limit = max(1, min(limit, MAX_CANDIDATES))
    found = []
    for candidate in find_candidates(session, features=dict(features), model=model, limit=limit,
                                     exclude_record_id=exclude_record_id, plugins=plugins, keyed=keyed):
        probability = float(candidate.probability)
        decision = LINK if probability >= model.auto_link else REVIEW if probability >= model.review else NONE
        found.append(Match(
            customer_id=candidate.customer_id,
            source_record_id=int(candidate.source_record_id),
            probability=probability,
            match_weight=float(candidate.match_weight),
            fields=tuple(Evidence(f.field, f.level, float(f.similarity), float(f.weight)) for f in candidate.fields),
            decision=decision,
        ))
    found.sort(key=lambda c: c.probability, reverse=True)
    return found


_SOURCE_RECORD = SourceRecord.__table__
# A Core statement (a third of the ORM's cost on every resolution), so it names the tenant itself.
_STORED = select(_SOURCE_RECORD.c.id, _SOURCE_RECORD.c.customer_id).where(
    _SOURCE_RECORD.c.tenant_id == bindparam("tenant"), _SOURCE_RECORD.c.service == bindparam("service"),
    _SOURCE_RECORD.c.kind == bindparam("kind"), _SOURCE_RECORD.c.record_id == bindparam("record_id"))


def _stored(session: Session, record: RecordInput):  # noqa: ANN202
    """(id, customer_id) of the record when it is stored already, else None."""
    return session.connection().execute(_STORED, {
        "tenant": session.info["crm_tenant"], "service": record.service, "kind": record.kind,
        "record_id": record.record_id,
    }).first()


def resolve(
    session: Session, *, tenant: str, record: RecordInput, actor: str = "", plugins: PluginHost | None = None,
) -> Resolution:
    """Link `record` to the customer it matches, or create one. Idempotent per (service, kind, record id): a
    record seen before returns its current customer and changes nothing."""
    from services.identity import review
    from services.identity.matching.realtime import load_model, probe

    features = features_of(record)
    validate(record, features)
    model = load_model(session)
    # One round trip: is the record stored already, and which records share a key with it.
    probed = probe(session, features=features, model=model, service=record.service, kind=record.kind,
                   record_id=record.record_id)
    if probed.stored is not None:
        return Resolution(probed.stored.customer_id, False, ())

    found = candidates(session, features=features, model=model, plugins=plugins, keyed=probed.keyed)
    best = found[0] if found else None
    # Candidates come from linked records, which never point at a tombstone; follow one anyway rather than fail.
    customer = graph.live_customer(session, best.customer_id) if best is not None and best.decision == LINK else None
    if customer is not None:
        created, matched_on, probability = False, best.agreeing(), best.probability
    else:
        customer = Customer(id=next_customer_id(session, tenant=tenant), tenant_id=tenant)
        created, matched_on, probability = True, (), best.probability if best else 0.0

    now = utcnow()
    row = SourceRecord(
        tenant_id=tenant, service=record.service, kind=record.kind, record_id=record.record_id,
        customer_id=customer.id, owner_id=record.owner_id, features=features,
        observed_at=record.observed_at or now, linked_at=now, **record.fields(),
    )
    if created:
        # A new customer's golden record is its one record's: computed before the insert, so that the customer is
        # written once, complete (not inserted empty, then updated).
        golden.apply(customer, golden.compute(session, [row]))
        customer.created_at = now
    _insert_resolved(session, customer=customer if created else None, record=row, link=graph.audit_values(
        action=graph.LINK, record=row, to_customer=customer.id, actor=actor,
        reason=f"p={probability:.4f}" if best else ""))
    if not created:
        golden.refresh(session, customer)

    review_pair_id = ""
    if created and best is not None and best.decision == REVIEW:
        review_pair_id = review.open_pair(session, record=row, candidate=best, origin="intake").id

    session.flush()
    emit(
        session,
        IdentityResolved(
            record=RecordRef(service=record.service, kind=record.kind, id=record.record_id),
            customer_id=customer.id, created=created, matched_on=list(matched_on), probability=probability,
        ),
        producer="identity",
    )
    RESOLUTIONS.labels("created" if created else "matched").inc()
    if review_pair_id:
        RESOLUTIONS.labels("review").inc()
    return Resolution(customer.id, created, matched_on, probability, tuple(found), review_pair_id)


def _insert_resolved(session: Session, *, customer: Customer | None, record: SourceRecord, link: dict) -> None:
    """Write a resolution: the new customer (if any), the record (its id filled in), its match keys and its
    link_audit row, with Core statements (one on PostgreSQL instead of four, and no unit of work), and audit the
    customer and the record as created, as their flush would have (services/core/audit.py record_inserted)."""
    from services.identity.matching.realtime import match_keys

    check_tenant(session, record, *((customer,) if customer is not None else ()))
    values = insert_values(record)  # without id: the INSERT makes it
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        keys = _keys_of(match_keys(record.features or {}))
        rows = _RESOLVED_ROWS
        parameters = {**rows["record"].parameters(values),
                      **rows["link"].parameters({name: value for name, value in link.items()
                                                 if name != "source_record_id"}),
                      "kinds": [kind for kind, _ in keys], "key_values": [value for _, value in keys]}
        if customer is not None:
            parameters.update(rows["customer"].parameters(insert_values(customer)))
        record.id = connection.execute(_RESOLVED[customer is not None], parameters).scalar_one()
    else:
        if customer is not None:
            connection.execute(insert(_CUSTOMER), insert_values(customer))
        record.id = connection.execute(insert(_SOURCE_RECORD).returning(_SOURCE_RECORD.c.id), values).scalar_one()
        add_match_keys(session, tenant=record.tenant_id, record=record, link={**link, "source_record_id": record.id})
    audit.record_inserted(session, *((customer,) if customer is not None else ()), record)


def _keys_of(found) -> list[tuple[str, str]]:  # noqa: ANN001
    return list(dict.fromkeys((kind, value[:254]) for kind, value in found if value))


_CUSTOMER = Customer.__table__


_LINK_AUDIT = LinkAudit.__table__
# The rows _insert_resolved writes on PostgreSQL: the record's id and the link row's record id come from the INSERT.
_RESOLVED_ROWS = {
    "customer": BoundRow("customer", _CUSTOMER.columns),
    "record": BoundRow("record", (column for column in _SOURCE_RECORD.columns if column is not _SOURCE_RECORD.c.id)),
    "link": BoundRow("link", (column for column in _LINK_AUDIT.columns
                              if column is not _LINK_AUDIT.c.id and column is not _LINK_AUDIT.c.source_record_id)),
}


def _resolved_statement(with_customer: bool):  # noqa: ANN202
    """_insert_resolved on PostgreSQL: the customer, the record, its link_audit row and its match keys in one
    statement returning the record's id (the keys as two arrays). Parameters: customer_<column>, record_<column>
    (not id), link_<column> (not id, source_record_id), kinds, key_values."""
    customer, record, link = (_RESOLVED_ROWS[name] for name in ("customer", "record", "link"))
    parts = [f"customer AS (INSERT INTO customer ({customer.names}) VALUES ({customer.placeholders}))"] \
        if with_customer else []
    parts += [
        f"record AS (INSERT INTO source_record ({record.names}) VALUES ({record.placeholders}) RETURNING id)",
        f"link AS (INSERT INTO link_audit ({link.names}, source_record_id) SELECT {link.placeholders}, record.id"
        " FROM record)",
        "keys AS (INSERT INTO match_key (tenant_id, kind, value, source_record_id)"
        " SELECT :record_tenant_id, key.kind, key.value, record.id FROM record,"
        " unnest(CAST(:kinds AS varchar[]), CAST(:key_values AS varchar[])) AS key (kind, value))",
    ]
    binds = [*(customer.binds() if with_customer else ()), *record.binds(), *link.binds()]
    return text(f"WITH {', '.join(parts)} SELECT id FROM record").bindparams(*binds)


_RESOLVED = {with_customer: _resolved_statement(with_customer) for with_customer in (False, True)}


def add_match_keys(session: Session, *, tenant: str, record: SourceRecord, link: dict | None = None) -> None:
    """The record's blocking keys (it must be stored: they point at its id), and `link`, its link_audit row
    (graph.audit_values), when given. Written at once with Core statements: nothing reads them back as objects, and
    they are not audited. (Intake on PostgreSQL writes them with the record: _insert_resolved.)"""
    from services.identity.matching.realtime import match_keys

    keys = _keys_of(match_keys(record.features or {}))
    connection = session.connection()
    if keys:
        connection.execute(insert(MatchKey.__table__), [
            {"tenant_id": tenant, "kind": kind, "value": value, "source_record_id": record.id} for kind, value in keys
        ])
    if link is not None:
        connection.execute(insert(LinkAudit.__table__), link)


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


@dataclass(frozen=True)
class CustomerView:
    customer: Customer
    records: Sequence[SourceRecord]
    # The id the caller asked for when a merge absorbed it (customer is then the survivor); else "".
    resolved_from: str = ""


def get_customer(session: Session, *, caller: Caller, customer_id: str) -> CustomerView:
    """The customer with its linked records. An absorbed id resolves to the customer it was merged into."""
    customer = graph.live_customer(session, customer_id) if customer_id else None
    records = golden.records_of(session, customer.id) if customer is not None else []
    readable = caller.has_any_role(*SEE_ALL_ROLES) or any(r.owner_id == caller.subject for r in records)
    if customer is None or not readable:
        raise NotFound(t("customer {id} not found", id=repr(customer_id)))
    return CustomerView(customer, records, customer_id if customer.id != customer_id else "")
