"""The review queue: record/customer pairs the model was unsure about (between its review and auto-link
thresholds). A reviewer accepts (the record's customer is merged into the candidate, through the same audited
merge as MergeCustomers) or rejects; either way the decision teaches the tenant's model."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import case, select
from sqlalchemy.orm import Session

from services.core.auth import Caller
from services.core.db import utcnow
from services.core.errors import FailedPrecondition, NotFound, Validator
from services.core.i18n import t
from services.identity import graph
from services.identity.models import Customer, ReviewPair, SourceRecord

OPEN, ACCEPTED, REJECTED, SUPERSEDED = "open", "accepted", "rejected", "superseded"
STATUSES = (OPEN, ACCEPTED, REJECTED, SUPERSEDED)
DECIDE_ROLES = ("manager", "admin")
READ_ROLES = ("manager", "admin", "auditor")


def open_pair(session: Session, *, record: SourceRecord, candidate, origin: str) -> ReviewPair | None:  # noqa: ANN001
    """Queue `record` against `candidate` (an identities.Match); None when this pair of customers is queued
    already or a reviewer rejected it before."""
    if _already_judged(session, record.customer_id, candidate.customer_id):
        return None
    pair = ReviewPair(
        tenant_id=record.tenant_id, source_record_id=record.id, record_customer_id=record.customer_id,
        candidate_customer_id=candidate.customer_id, candidate_record_id=candidate.source_record_id,
        probability=candidate.probability, match_weight=candidate.match_weight,
        evidence=candidate.evidence_json(), status=OPEN, origin=origin[:40], created_at=utcnow(),
    )
    session.add(pair)
    session.flush()
    return pair


def _already_judged(session: Session, customer_a: str, customer_b: str) -> bool:
    """An open or rejected pair between these two customers, in either direction."""
    found = session.scalar(
        select(ReviewPair.id)
        .join(SourceRecord, SourceRecord.id == ReviewPair.source_record_id)
        .where(
            ReviewPair.status.in_((OPEN, REJECTED)),
            ((SourceRecord.customer_id == customer_a) & (ReviewPair.candidate_customer_id == customer_b))
            | ((SourceRecord.customer_id == customer_b) & (ReviewPair.candidate_customer_id == customer_a)),
        )
        .limit(1)
    )
    return found is not None


@dataclass(frozen=True)
class PairView:
    pair: ReviewPair
    record: SourceRecord
    record_customer_id: str  # the record's customer now
    candidate_customer_id: str  # the candidate's live customer now (after any merges)


def _view(session: Session, pair: ReviewPair, record: SourceRecord | None = None) -> PairView:
    record = record or session.get(SourceRecord, pair.source_record_id)
    return PairView(pair, record, record.customer_id,
                    graph.live_id(session, pair.candidate_customer_id) or pair.candidate_customer_id)


def list_pairs(
    session: Session, *, caller: Caller, status: str = "", offset: int = 0, limit: int = 50,
) -> tuple[list[PairView], bool]:
    """Pairs, open first and most probable first; only `status` when given. Returns (page, more?)."""
    caller.require_role(*READ_ROLES)
    query = select(ReviewPair)
    if status:
        query = query.where(ReviewPair.status == status)
    query = query.order_by(
        case((ReviewPair.status == OPEN, 0), else_=1), ReviewPair.probability.desc(), ReviewPair.id
    )
    pairs = list(session.scalars(query.offset(offset).limit(limit + 1)))
    more = len(pairs) > limit
    pairs = pairs[:limit]
    records = {
        r.id: r for r in session.scalars(select(SourceRecord).where(SourceRecord.id.in_({p.source_record_id
                                                                                           for p in pairs})))
    } if pairs else {}
    return [_view(session, pair, records.get(pair.source_record_id)) for pair in pairs], more


@dataclass(frozen=True)
class Decision:
    view: PairView
    merge_id: str


def decide(session: Session, *, caller: Caller, pair_id: str, accept: bool, reason: str = "") -> Decision:
    """Accept (merge the record's customer into the candidate) or reject an open pair; the model learns."""
    caller.require_role(*DECIDE_ROLES)
    check = Validator()
    check.require(pair_id, "id", max_length=36)
    check.at_most(reason, "reason", 500)
    check.raise_if_any()
    pair = session.get(ReviewPair, pair_id)
    if pair is None:
        raise NotFound(t("review pair {id} not found", id=repr(pair_id)))
    if pair.status != OPEN:
        raise FailedPrecondition(t("review pair {id} was already decided", id=pair_id))
    record = session.get(SourceRecord, pair.source_record_id)
    candidate_record = session.get(SourceRecord, pair.candidate_record_id)

    pair.status = ACCEPTED if accept else REJECTED
    pair.decided_by, pair.decided_at = caller.subject[:100], utcnow()
    merge_id = ""
    if accept:
        survivor = graph.live_customer(session, pair.candidate_customer_id)
        absorbed = session.get(Customer, (session.info["crm_tenant"], record.customer_id))
        if survivor is not None and survivor.id != absorbed.id:
            outcome = graph.merge_customers(
                session, survivor=survivor, absorbed=absorbed, actor=caller.subject,
                reason=reason or f"review pair {pair.id}",
            )
            merge_id = outcome.merge_id
    pair.merge_id = merge_id

    if candidate_record is not None:
        learn(session, record.features or {}, candidate_record.features or {}, is_match=accept)
    session.flush()
    return Decision(_view(session, pair, record), merge_id)


def learn(session: Session, features_a: dict, features_b: dict, *, is_match: bool) -> None:
    """Teach the tenant's model that two records with these features are (not) the same customer."""
    import numpy as np

    from services.identity.matching.realtime import load_model, save_model, score_against
    from services.identity.matching.spec import LEVEL_NAMES

    model = load_model(session)
    [(_, _, evidence)] = score_against(features_a, [features_b], model)
    codes = {name: code for code, name in LEVEL_NAMES.items()}
    model.learn_from_decision(np.array([codes[item.level] for item in evidence], dtype=np.int8), is_match)
    save_model(session, model)
