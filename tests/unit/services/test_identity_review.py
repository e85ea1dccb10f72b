"""The review queue (issue #3.5): pairs between the thresholds, accept (merge) or reject, and the model learns."""

from __future__ import annotations

import grpc
import pytest
from sqlalchemy import select

from crm.common.v1.common_pb2 import PageRequest
from crm.identity.v1 import identity_pb2, identity_pb2_grpc
from services.core.errors import FailedPrecondition, InvalidArgument, NotFound, PermissionDenied
from services.identity import graph, identities, review
from services.identity.matching.realtime import load_model
from services.identity.models import CustomerMerge, LinkAudit, ReviewPair, SourceRecord
from tests.unit.services.identity_support import (
    DAY,
    MANAGER,
    caller,
    customer,
    record,
    records_of,
    resolve,
    scripted_candidates,
    seed,
)


@pytest.fixture
def database(migrated_database):
    return migrated_database("identity")


ANN = {"record_id": "L1", "name": "Ann Lee", "email": "ann@example.com", "phone": "13800138000"}


def queue(database, monkeypatch, probabilities=(0.7,)):  # noqa: ANN001
    """One known customer and, per probability, a new record queued against it. Returns (customer, resolutions)."""
    [ann] = seed(database, [ANN])
    scripted_candidates(monkeypatch, [[(ann, p)] for p in probabilities])
    found = [resolve(database, record(f"L{n + 2}", name="Ann Lee", phone=f"1380013800{n + 1}"))
             for n in range(len(probabilities))]
    assert all(r.review_pair_id for r in found)
    return ann, found


def decide(database, pair_id, accept, who=MANAGER, reason=""):  # noqa: ANN001
    with database.session(who.tenant_id) as session:
        return review.decide(session, caller=who, pair_id=pair_id, accept=accept, reason=reason)


def decided_counts(database, tenant="t1"):  # noqa: ANN001
    with database.session(tenant) as session:
        model = load_model(session)
        return float(model.decided_match.sum()), float(model.decided_non_match.sum())


def test_the_queue_lists_open_pairs_first_most_probable_first(database, monkeypatch):
    ann, found = queue(database, monkeypatch, (0.6, 0.9, 0.75))
    decide(database, found[1].review_pair_id, accept=False)
    with database.session("t1") as session:
        views, more = review.list_pairs(session, caller=caller("auditor"))
        assert not more
        assert [(v.pair.probability, v.pair.status) for v in views] == [
            (0.75, "open"), (0.6, "open"), (0.9, "rejected"),
        ]
        assert all(v.candidate_customer_id == ann for v in views)
        assert [v.record.record_id for v in views] == ["L4", "L2", "L3"]
        page, more = review.list_pairs(session, caller=MANAGER, limit=1, offset=1)
        assert more and [v.pair.probability for v in page] == [0.6]
        assert [v.pair.status for v in review.list_pairs(session, caller=MANAGER, status="rejected")[0]] == \
            ["rejected"]
        with pytest.raises(PermissionDenied):
            review.list_pairs(session, caller=caller("sales"))


def test_accept_merges_the_records_customer_into_the_candidate_and_teaches_the_model(database, monkeypatch):
    ann, [queued] = queue(database, monkeypatch)
    assert decided_counts(database) == (0.0, 0.0)

    decision = decide(database, queued.review_pair_id, accept=True, reason="same phone owner")

    assert decision.merge_id
    assert records_of(database, ann) == ["L1", "L2"]
    assert customer(database, queued.customer_id).merged_into == ann
    with database.session("t1") as session:
        pair = session.get(ReviewPair, queued.review_pair_id)
        assert (pair.status, pair.decided_by, pair.merge_id) == ("accepted", "boss", decision.merge_id)
        assert pair.decided_at is not None
        merge = session.get(CustomerMerge, decision.merge_id)
        assert (merge.survivor_id, merge.absorbed_id, merge.merged_by, merge.reason) == \
            (ann, queued.customer_id, "boss", "same phone owner")
        assert session.scalar(select(LinkAudit.action).where(LinkAudit.merge_id == decision.merge_id)) == "merge"
    assert decision.view.record_customer_id == ann == decision.view.candidate_customer_id
    matched, non_matched = decided_counts(database)
    assert matched > 0 and non_matched == 0


def test_reject_keeps_them_apart_and_teaches_the_model(database, monkeypatch):
    ann, [queued] = queue(database, monkeypatch)

    decision = decide(database, queued.review_pair_id, accept=False)

    assert decision.merge_id == ""
    assert records_of(database, ann) == ["L1"] and records_of(database, queued.customer_id) == ["L2"]
    matched, non_matched = decided_counts(database)
    assert matched == 0 and non_matched > 0
    # The same two customers are not queued again.
    with database.session("t1") as session:
        row = session.scalar(select(SourceRecord).where(SourceRecord.record_id == "L2"))
        candidate = identities.Match(ann, 1, 0.8, 1.0, (), identities.REVIEW)
        assert review.open_pair(session, record=row, candidate=candidate, origin="intake") is None


def test_a_pair_is_decided_once_by_a_manager_or_admin(database, monkeypatch):
    _, [first, second] = queue(database, monkeypatch, (0.7, 0.8))
    for role in ("sales", "auditor", "marketing"):
        with pytest.raises(PermissionDenied):
            decide(database, first.review_pair_id, accept=True, who=caller(role))
    decide(database, first.review_pair_id, accept=False, who=caller("admin"))
    with pytest.raises(FailedPrecondition):
        decide(database, first.review_pair_id, accept=True)
    with pytest.raises(NotFound):
        decide(database, "no-such-pair", accept=True)
    with pytest.raises(InvalidArgument):
        decide(database, "", accept=True)
    with pytest.raises(NotFound):
        decide(database, second.review_pair_id, accept=True, who=caller("manager", tenant="t2"))


def test_a_pair_whose_sides_were_merged_meanwhile_leaves_the_queue(database, monkeypatch):
    ann, [first, second] = queue(database, monkeypatch, (0.7, 0.8))
    decide(database, first.review_pair_id, accept=True)
    with database.session("t1") as session:  # the second record's customer is merged by hand
        graph.merge(session, caller=MANAGER, survivor_id=ann, absorbed_id=second.customer_id)
        assert session.get(ReviewPair, second.review_pair_id).status == review.SUPERSEDED
        assert [v.pair.id for v in review.list_pairs(session, caller=MANAGER, status=review.OPEN)[0]] == []
    with pytest.raises(FailedPrecondition):
        decide(database, second.review_pair_id, accept=True)


# -- through the gRPC API ------------------------------------------------------------------------------------


@pytest.fixture
def service(grpc_service, monkeypatch):
    monkeypatch.setattr(identities, "utcnow", lambda: DAY)
    return grpc_service("identity")


def test_api_review_queue(service, monkeypatch):
    stub = identity_pb2_grpc.IdentityServiceStub(service.channel)
    ann, [queued] = queue(service.database, monkeypatch)
    boss = service.metadata("manager", subject="boss")

    listed = stub.ListReviewPairs(identity_pb2.ListReviewPairsRequest(
        status=identity_pb2.REVIEW_STATUS_OPEN, page=PageRequest(page_size=10)), metadata=boss, timeout=5)
    [pair] = listed.pairs
    assert (pair.id, pair.record.id, pair.record_customer_id, pair.candidate_customer_id, pair.status,
            pair.origin) == (queued.review_pair_id, "L2", queued.customer_id, ann, identity_pb2.REVIEW_STATUS_OPEN,
                             "intake")
    assert pair.probability == pytest.approx(0.7)
    assert [(f.field, f.level) for f in pair.fields] == [("name", identity_pb2.MATCH_LEVEL_CLOSE),
                                                         ("phone", identity_pb2.MATCH_LEVEL_DISAGREE)]

    with pytest.raises(grpc.RpcError) as error:
        stub.DecideReviewPair(identity_pb2.DecideReviewPairRequest(id=pair.id), metadata=boss, timeout=5)
    assert error.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert set(service.violations(error.value)) == {"decision"}

    decided = stub.DecideReviewPair(identity_pb2.DecideReviewPairRequest(
        id=pair.id, decision=identity_pb2.REVIEW_DECISION_ACCEPT), metadata=boss, timeout=5)
    assert decided.merge_id and decided.pair.status == identity_pb2.REVIEW_STATUS_ACCEPTED
    assert decided.pair.decided_by == "boss" and decided.pair.decide_time.seconds > 0
    assert stub.ListReviewPairs(identity_pb2.ListReviewPairsRequest(status=identity_pb2.REVIEW_STATUS_OPEN),
                                metadata=boss, timeout=5).pairs == []

    with pytest.raises(grpc.RpcError) as error:
        stub.ListReviewPairs(identity_pb2.ListReviewPairsRequest(), metadata=service.metadata("sales"), timeout=5)
    assert error.value.code() == grpc.StatusCode.PERMISSION_DENIED
