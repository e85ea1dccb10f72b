"""The identity graph: records linked to customers, merges and unmerges, and the audit of every link change.

Records are never deleted and customers never disappear (ADR 0008). A merge moves every record of the absorbed
customer to the survivor, recomputes the survivor's golden record and leaves the absorbed customer as a
tombstone (`merged_into` = survivor) so its id keeps resolving. The merge row remembers exactly which records
moved and both golden records before, so an unmerge moves back exactly those records (records linked to the
survivor later stay), restores the absorbed customer's golden record and un-tombstones it. Every moved record
gets a `link_audit` row (R-SEC-3); `identity.merged` / `identity.unmerged` tell other services to re-key.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session

from crm.common.v1.common_pb2 import RecordRef
from crm.events.v1.identity_pb2 import IdentityMerged, IdentityUnmerged
from services.core.auth import Caller
from services.core.db import utcnow
from services.core.errors import FailedPrecondition, NotFound, Validator
from services.core.events import emit
from services.core.i18n import t
from services.identity import golden
from services.identity.models import Customer, CustomerMerge, LinkAudit, ReviewPair, SourceRecord

LINK, MERGE, UNMERGE, RELINK = "link", "merge", "unmerge", "relink"
ACTIONS = (LINK, MERGE, UNMERGE, RELINK)
# Merging and unmerging change who a customer is: managers and admins (and services acting for them).
MERGE_ROLES = ("manager", "admin")
# Reading the audit log (R-SEC-3).
AUDIT_ROLES = ("manager", "admin", "auditor")
# Tombstone chains longer than this are a bug, not data: resolution stops rather than loop.
MAX_CHAIN = 64


def audit(
    session: Session, *, action: str, record: SourceRecord, from_customer: str = "", to_customer: str = "",
    merge_id: str = "", actor: str = "", reason: str = "",
) -> None:
    session.add(LinkAudit(**audit_values(action=action, record=record, from_customer=from_customer,
                                         to_customer=to_customer, merge_id=merge_id, actor=actor, reason=reason)))


def audit_values(
    *, action: str, record: SourceRecord, from_customer: str = "", to_customer: str = "", merge_id: str = "",
    actor: str = "", reason: str = "",
) -> dict:
    """The link_audit row of one link change (`record` flushed: the row names its id)."""
    return dict(tenant_id=record.tenant_id, action=action, source_record_id=record.id,
                from_customer_id=from_customer, to_customer_id=to_customer, merge_id=merge_id, actor=actor[:100],
                reason=reason[:500], at=utcnow())


def live_customer(session: Session, customer_id: str) -> Customer | None:
    """The customer `customer_id` is now: itself, or the survivor its merges lead to; None when unknown."""
    tenant = session.info["crm_tenant"]
    customer = session.get(Customer, (tenant, customer_id))
    for _ in range(MAX_CHAIN):
        if customer is None or not customer.merged_into:
            return customer
        customer = session.get(Customer, (tenant, customer.merged_into))
    return None


def live_id(session: Session, customer_id: str) -> str:
    customer = live_customer(session, customer_id)
    return customer.id if customer is not None else ""


@dataclass(frozen=True)
class MergeOutcome:
    """A merge, applied (merge_id set) or a dry run (merge_id empty)."""

    merge_id: str
    survivor_id: str
    absorbed_id: str
    changes: Sequence[tuple[str, str, str]]  # survivor's golden record: (field, before, after)
    records: Sequence[SourceRecord]  # the records that move (moved)
    golden_after: dict[str, str]


@dataclass(frozen=True)
class UnmergeOutcome:
    merge_id: str
    survivor_id: str
    restored_id: str
    survivor_changes: Sequence[tuple[str, str, str]]
    restored: dict[str, str]  # the restored customer's golden record
    records: Sequence[SourceRecord]  # records that move (moved) back
    dry_run: bool


def merge(
    session: Session, *, caller: Caller, survivor_id: str, absorbed_id: str, dry_run: bool = False, reason: str = "",
) -> MergeOutcome:
    """Merge `absorbed_id` into `survivor_id`; with dry_run, only say what would change."""
    caller.require_role(*MERGE_ROLES)
    check = Validator()
    check.require(survivor_id, "survivor_id", max_length=32)
    if check.require(absorbed_id, "absorbed_id", max_length=32):
        check.check(absorbed_id != survivor_id, "absorbed_id", t("must differ from survivor_id"))
    check.at_most(reason, "reason", 500)
    check.raise_if_any()
    survivor, absorbed = _mergeable(session, survivor_id), _mergeable(session, absorbed_id)
    return merge_customers(session, survivor=survivor, absorbed=absorbed, actor=caller.subject, reason=reason,
                           dry_run=dry_run)


def _mergeable(session: Session, customer_id: str) -> Customer:
    customer = session.get(Customer, (session.info["crm_tenant"], customer_id))
    if customer is None:
        raise NotFound(t("customer {id} not found", id=repr(customer_id)))
    if customer.merged_into:
        raise FailedPrecondition(
            t("customer {id} was merged into {survivor}", id=customer.id, survivor=customer.merged_into)
        )
    return customer


def merge_customers(
    session: Session, *, survivor: Customer, absorbed: Customer, actor: str, reason: str = "", dry_run: bool = False,
) -> MergeOutcome:
    """The merge itself, for callers that checked rights already (the API above, review decisions, dedup jobs)."""
    rules = golden.load_rules(session)
    moving = golden.records_of(session, absorbed.id)
    staying = golden.records_of(session, survivor.id)
    before = golden.snapshot(survivor)
    after = golden.compute(session, [*staying, *moving], rules)
    changes = golden.diff(before, after)
    if dry_run:
        return MergeOutcome("", survivor.id, absorbed.id, changes, moving, after)

    row = CustomerMerge(
        tenant_id=survivor.tenant_id, survivor_id=survivor.id, absorbed_id=absorbed.id,
        record_ids=[record.id for record in moving], survivor_before=before,
        absorbed_before=golden.snapshot(absorbed), merged_by=actor[:100], reason=reason[:500], merged_at=utcnow(),
    )
    session.add(row)
    session.flush()
    for record in moving:
        record.customer_id = survivor.id
        audit(session, action=MERGE, record=record, from_customer=absorbed.id, to_customer=survivor.id,
              merge_id=row.id, actor=actor, reason=reason)
    absorbed.merged_into = survivor.id
    golden.apply(survivor, after)
    session.flush()
    _supersede_review_pairs(session, survivor_id=survivor.id, merge_id=row.id)
    emit(
        session,
        IdentityMerged(merge_id=row.id, survivor_customer_id=survivor.id, absorbed_customer_id=absorbed.id,
                       records=[_ref(record) for record in moving]),
        producer="identity",
    )
    return MergeOutcome(row.id, survivor.id, absorbed.id, changes, moving, after)


def _supersede_review_pairs(session: Session, *, survivor_id: str, merge_id: str) -> None:
    """Open pairs whose record and candidate are now one customer have nothing left to decide."""
    pairs = session.scalars(
        select(ReviewPair).where(
            ReviewPair.status == "open",
            ReviewPair.source_record_id.in_(select(SourceRecord.id).where(SourceRecord.customer_id == survivor_id)),
        )
    )
    for pair in pairs:
        if live_id(session, pair.candidate_customer_id) == survivor_id:
            pair.status, pair.merge_id = "superseded", merge_id


def unmerge(
    session: Session, *, caller: Caller, merge_id: str, dry_run: bool = False, reason: str = "",
) -> UnmergeOutcome:
    """Undo a merge: exactly the records it moved go back, the absorbed customer lives again with its golden
    record from before the merge; records linked to the survivor since stay with it."""
    caller.require_role(*MERGE_ROLES)
    check = Validator()
    check.require(merge_id, "merge_id", max_length=36)
    check.at_most(reason, "reason", 500)
    check.raise_if_any()
    row = session.get(CustomerMerge, merge_id)
    if row is None:
        raise NotFound(t("merge {id} not found", id=repr(merge_id)))
    if row.undone_at is not None:
        raise FailedPrecondition(t("merge {id} was already undone", id=merge_id))
    tenant = session.info["crm_tenant"]
    survivor = session.get(Customer, (tenant, row.survivor_id))
    absorbed = session.get(Customer, (tenant, row.absorbed_id))
    if survivor.merged_into:
        # Its records (with the ones this merge moved) now belong to another customer: undo that merge first.
        raise FailedPrecondition(
            t("customer {id} was merged into {survivor} after this merge: undo that merge first",
              id=survivor.id, survivor=survivor.merged_into)
        )
    moved_ids = set(row.record_ids or [])
    staying, moving = [], []
    for record in golden.records_of(session, survivor.id):
        (moving if record.id in moved_ids else staying).append(record)
    before = golden.snapshot(survivor)
    after = golden.compute(session, staying)
    restored = {name: (row.absorbed_before or {}).get(name, "") for name in golden.GOLDEN_FIELDS}
    if dry_run:
        return UnmergeOutcome(row.id, survivor.id, absorbed.id, golden.diff(before, after), restored, moving, True)

    actor = caller.subject
    for record in moving:
        record.customer_id = absorbed.id
        audit(session, action=UNMERGE, record=record, from_customer=survivor.id, to_customer=absorbed.id,
              merge_id=row.id, actor=actor, reason=reason)
    absorbed.merged_into = ""
    golden.apply(absorbed, restored)
    golden.apply(survivor, after)
    row.undone_at, row.undone_by = utcnow(), actor[:100]
    session.execute(
        update(ReviewPair).where(ReviewPair.status == "superseded", ReviewPair.merge_id == row.id)
        .values(status="open", merge_id="").execution_options(synchronize_session="fetch")
    )
    session.flush()
    emit(
        session,
        IdentityUnmerged(merge_id=row.id, survivor_customer_id=survivor.id, restored_customer_id=absorbed.id,
                         records=[_ref(record) for record in moving]),
        producer="identity",
    )
    return UnmergeOutcome(row.id, survivor.id, absorbed.id, golden.diff(before, after), restored, moving, False)


def _ref(record: SourceRecord) -> RecordRef:
    return RecordRef(service=record.service, kind=record.kind, id=record.record_id)


# -- reading the audit log ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AuditEntry:
    entry: LinkAudit
    record: SourceRecord | None


def list_audit(
    session: Session, *, caller: Caller, customer_id: str = "", merge_id: str = "", offset: int = 0, limit: int = 50,
) -> tuple[list[AuditEntry], bool]:
    """Link changes, newest first, optionally of one customer (from or to it) or one merge; (page, more?)."""
    caller.require_role(*AUDIT_ROLES)
    query = select(LinkAudit)
    if customer_id:
        query = query.where(or_(LinkAudit.from_customer_id == customer_id, LinkAudit.to_customer_id == customer_id))
    if merge_id:
        query = query.where(LinkAudit.merge_id == merge_id)
    rows = list(session.scalars(query.order_by(LinkAudit.id.desc()).offset(offset).limit(limit + 1)))
    more = len(rows) > limit
    rows = rows[:limit]
    records = {
        record.id: record
        for record in session.scalars(
            select(SourceRecord).where(SourceRecord.id.in_({row.source_record_id for row in rows}))
        )
    } if rows else {}
    return [AuditEntry(row, records.get(row.source_record_id)) for row in rows], more


def count_customers(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Customer).where(Customer.merged_into == "")) or 0

