"""Batch dedup jobs (issue #3.6) and the data-quality report (R-ID-4): durable progress, results, auto-merge,
honest failure when the engine fails or the process that ran the job is gone."""

from __future__ import annotations

import time
from datetime import timedelta

import grpc
import numpy as np
import polars as pl
import pytest
from sqlalchemy import select

from crm.identity.v1 import identity_pb2, identity_pb2_grpc
from services.core.db import utcnow
from services.core.errors import FailedPrecondition, NotFound, PermissionDenied
from services.identity import graph, identities, jobs, quality
from services.identity.matching import batch
from services.identity.matching.features import crm_features
from services.identity.models import DedupJob, LinkAudit, MatchModel, ReviewPair, SourceRecord
from tests.unit.services.identity_support import DAY, MANAGER, caller, records_of, seed


@pytest.fixture
def database(migrated_database):
    return migrated_database("identity")


# Two people recorded twice each (format variants), one person once: two duplicate clusters.
PEOPLE = [
    {"record_id": "L1", "name": "王芳", "company": "深圳市华为技术有限公司", "phone": "13800138000",
     "email": "wang.fang@example.cn", "city": "深圳"},
    {"record_id": "C1", "service": "sales", "kind": "contact", "name": "王 芳", "company": "华为技术",
     "phone": "+86 138-0013-8000", "email": "Wang.Fang@Example.cn", "city": "深圳市"},
    {"record_id": "L2", "name": "李雷", "company": "蓝海贸易有限公司", "phone": "13911112222",
     "email": "lilei@lanhai.example", "city": "上海"},
    {"record_id": "T1", "service": "support", "kind": "ticket", "name": "李雷", "company": "蓝海贸易",
     "phone": "139 1111 2222", "email": "lilei@lanhai.example", "city": "上海"},
    {"record_id": "L3", "name": "张伟", "company": "星河网络", "phone": "13700001111", "email": "zw@xinghe.example",
     "city": "北京"},
]


def start(database, *, auto_merge=False, who=MANAGER):  # noqa: ANN001
    with database.session(who.tenant_id) as session:
        return jobs.start_job(session, caller=who, auto_merge=auto_merge).id


def job(database, job_id, tenant="t1"):  # noqa: ANN001
    with database.session(tenant) as session:
        return jobs.get_job(session, caller=MANAGER, job_id=job_id)


def scripted_dedup(monkeypatch, database, scores):  # noqa: ANN001
    """batch.dedup_frame scores these (record, record, probability) pairs and nothing else, clustering at the
    model's auto-link threshold as the engine does; progress goes 50 -> 100."""

    def dedup_frame(frame, *, model=None, progress=None, **options):  # noqa: ANN001, ANN202
        with database.session("t1") as session:
            ids = {r.record_id: str(r.id) for r in session.scalars(select(SourceRecord))}
        progress(50, 100)
        pairs = pl.DataFrame({"left_id": [ids[a] for a, _, _ in scores], "right_id": [ids[b] for _, b, _ in scores],
                              "probability": [p for _, _, p in scores]}, schema={"left_id": pl.String,
                                                                                  "right_id": pl.String,
                                                                                  "probability": pl.Float64})
        rows = {record_id: index for index, record_id in enumerate(frame["record_id"].to_list())}
        links = np.array([[rows[ids[a]], rows[ids[b]]] for a, b, p in scores if p >= model.auto_link],
                         dtype=np.int64).reshape(-1, 2)
        progress(100, 100)
        return batch.DedupResult(clusters=batch.cluster(frame["record_id"], links), pairs=pairs, model=model,
                                 candidate_pairs=len(scores), features=crm_features(frame))

    monkeypatch.setattr(batch, "dedup_frame", dedup_frame)


def test_a_job_runs_the_engine_over_the_stored_records(database):
    """On the real engine: whatever it scores, the job reports it consistently and queues every pair of
    different customers at or above the review threshold."""
    seed(database, PEOPLE)
    job_id = start(database)
    assert job(database, job_id).state == jobs.QUEUED

    jobs.DedupRunner(database).run("t1", job_id)

    done = job(database, job_id)
    assert (done.state, done.error, done.done, done.total, done.records) == (jobs.SUCCEEDED, "", 100, 100, 5)
    assert done.started_at <= done.finished_at
    assert done.pairs_scored >= 2  # the two people recorded twice, at least
    assert done.review_pairs_opened + done.merges >= 2 and done.merges == 0
    assert done.duplicate_clusters == len(done.clusters)
    with database.session("t1") as session:
        pairs = session.scalars(select(ReviewPair)).all()
        assert len(pairs) == done.review_pairs_opened and {(p.origin, p.status) for p in pairs} == {(job_id, "open")}
        queued = {frozenset((session.get(SourceRecord, p.source_record_id).record_id,
                             session.get(SourceRecord, p.candidate_record_id).record_id)) for p in pairs}
        assert {frozenset(("L1", "C1")), frozenset(("L2", "T1"))} <= queued
        # Each pair carries the engine's per-field evidence, as at intake.
        assert all({e["field"] for e in p.evidence} >= {"name", "phone", "email"} for p in pairs)
        assert session.get(MatchModel, "t1") is not None  # what the engine learned from the data is kept

    # A second run queues nothing new: the same pairs are open already.
    again = start(database)
    jobs.DedupRunner(database).run("t1", again)
    assert job(database, again).review_pairs_opened == 0


def test_sure_pairs_cluster_and_unsure_pairs_are_queued(database, monkeypatch):
    ids = seed(database, PEOPLE)
    scripted_dedup(monkeypatch, database, [("L1", "C1", 0.99), ("L2", "T1", 0.8), ("L3", "L2", 0.3)])
    job_id = start(database)

    jobs.DedupRunner(database).run("t1", job_id)

    done = job(database, job_id)
    assert (done.state, done.records, done.pairs_scored) == (jobs.SUCCEEDED, 5, 3)
    assert (done.duplicate_clusters, done.duplicate_records, done.review_pairs_opened, done.merges) == (1, 2, 2, 0)
    assert done.clusters == [{"customer_ids": sorted(ids[:2]), "records": 2}]
    with database.session("t1") as session:
        pairs = {(session.get(SourceRecord, p.source_record_id).record_id, p.candidate_customer_id)
                 for p in session.scalars(select(ReviewPair))}
    # Equal customers (one record each): the older one survives, the other's record is the one reviewed.
    assert pairs == {("C1", ids[0]), ("T1", ids[2])}


def test_auto_merge_merges_the_sure_pairs_reversibly(database, monkeypatch):
    ids = seed(database, PEOPLE)
    scripted_dedup(monkeypatch, database, [("L1", "C1", 0.99), ("L2", "T1", 0.8)])
    job_id = start(database, auto_merge=True)

    jobs.DedupRunner(database).run("t1", job_id)

    done = job(database, job_id)
    assert (done.state, done.merges, done.review_pairs_opened) == (jobs.SUCCEEDED, 1, 1)
    assert records_of(database, ids[0]) == ["L1", "C1"]
    with database.session("t1") as session:
        assert graph.live_id(session, ids[1]) == ids[0]
        [audit] = session.scalars(select(LinkAudit).where(LinkAudit.action == "merge")).all()
        assert audit.actor == f"dedup-job:{job_id}"
        graph.unmerge(session, caller=MANAGER, merge_id=audit.merge_id)
    assert [records_of(database, customer_id) for customer_id in ids] == [["L1"], ["C1"], ["L2"], ["T1"], ["L3"]]


def test_auto_merge_joins_a_group_into_the_customer_with_most_records(database, monkeypatch):
    ids = seed(database, PEOPLE)
    with database.session("t1") as session:  # the third customer holds two records
        graph.merge(session, caller=MANAGER, survivor_id=ids[2], absorbed_id=ids[3])
    scripted_dedup(monkeypatch, database, [("L1", "C1", 0.99), ("C1", "L2", 0.98), ("L1", "T1", 0.97)])
    job_id = start(database, auto_merge=True)

    jobs.DedupRunner(database).run("t1", job_id)

    assert job(database, job_id).merges == 2
    assert records_of(database, ids[2]) == ["L1", "C1", "L2", "T1"]


def test_progress_is_persisted_while_the_job_runs(database, monkeypatch):
    seed(database, PEOPLE)
    seen = []
    real = batch.dedup_frame

    def observed(frame, *, model=None, progress=None, **options):  # noqa: ANN001, ANN202
        def report(done, total):  # noqa: ANN001, ANN202
            progress(done, total)
            with database.session("t1") as session:
                row = session.get(DedupJob, job_id)
                seen.append((row.state, row.done, row.total))

        return real(frame, model=model, progress=report, **options)

    monkeypatch.setattr(batch, "dedup_frame", observed)
    monkeypatch.setattr(jobs, "PROGRESS_EVERY_SECONDS", 0.0)
    job_id = start(database)
    jobs.DedupRunner(database).run("t1", job_id)

    assert seen and all(state == jobs.RUNNING for state, _, _ in seen)
    assert [done for _, done, _ in seen] == sorted(done for _, done, _ in seen)
    assert seen[-1][1:] == (100, 100)


def test_an_engine_failure_fails_the_job_with_its_reason(database, monkeypatch):
    seed(database, PEOPLE)

    def broken(frame, **options):  # noqa: ANN001, ANN202
        raise RuntimeError("out of memory")

    monkeypatch.setattr(batch, "dedup_frame", broken)
    job_id = start(database)
    jobs.DedupRunner(database).run("t1", job_id)  # does not raise
    failed = job(database, job_id)
    assert (failed.state, failed.error) == (jobs.FAILED, "RuntimeError: out of memory")
    assert failed.finished_at is not None
    start(database)  # a failed job does not block the next


def test_a_job_whose_process_died_is_reported_failed_not_running(database):
    with database.session("t1") as session:
        stale = DedupJob(tenant_id="t1", state=jobs.RUNNING, heartbeat_at=utcnow() - timedelta(minutes=10),
                         started_at=utcnow() - timedelta(minutes=11))
        alive = DedupJob(tenant_id="t2", state=jobs.RUNNING, heartbeat_at=utcnow())
        session.add(stale)
    with database.session("t2") as session:
        session.add(alive)

    reported = job(database, stale.id)
    assert reported.state == jobs.FAILED and reported.error.startswith("abandoned: the service stopped")
    assert reported.finished_at is not None
    assert job(database, alive.id, tenant="t2").state == jobs.RUNNING  # its heartbeat is fresh
    start(database)  # t1 may start again
    with pytest.raises(FailedPrecondition):
        start(database, who=caller("manager", tenant="t2"))  # one job per tenant at a time


def test_who_may_run_and_read_jobs(database):
    for role in ("sales", "marketing", "auditor", "service_agent"):
        with pytest.raises(PermissionDenied):
            start(database, who=caller(role))
    job_id = start(database)
    with database.session("t1") as session:
        assert jobs.get_job(session, caller=caller("auditor"), job_id=job_id).id == job_id
        with pytest.raises(PermissionDenied):
            jobs.get_job(session, caller=caller("sales"), job_id=job_id)
        with pytest.raises(NotFound):
            jobs.get_job(session, caller=MANAGER, job_id="nope")
    with database.session("t2") as session, pytest.raises(NotFound):
        jobs.get_job(session, caller=caller("manager", tenant="t2"), job_id=job_id)


# -- the data-quality report ----------------------------------------------------------------------------------


def test_the_report_lists_invalid_and_missing_values(database):
    seed(database, [
        *PEOPLE,
        {"record_id": "B1", "name": "赵六", "phone": "12345", "email": "zhao@example.com"},  # invalid phone
        {"record_id": "B2", "name": "钱七", "email": "qian@", "credit_code": "91110000600037341X"},
        {"record_id": "B3", "company": "无名公司", "phone": "13600000000"},  # no name
        {"record_id": "B4", "name": "孙八", "company": "星河网络", "credit_code": "914403001922038216"},  # no contact
    ])
    with database.session("t1") as session:
        found = quality.report(session, caller=caller("auditor"))
        assert (found.records, found.customers, found.records_with_issues) == (9, 9, 4)
        assert dict(found.counts) == {"invalid_phone": 1, "invalid_email": 1, "invalid_credit_code": 1,
                                      "missing_contact": 1, "missing_name": 1}
        assert {(e.record_id, e.issues) for e in found.examples} == {
            ("B1", ("invalid_phone",)),
            ("B2", ("invalid_email", "invalid_credit_code")),  # an invalid e-mail is still a contact, a wrong one
            ("B3", ("missing_name",)),
            ("B4", ("missing_contact",)),
        }
        assert found.job is None and found.clusters == []
        assert len(quality.report(session, caller=MANAGER, max_examples=1).examples) == 1
        with pytest.raises(PermissionDenied):
            quality.report(session, caller=caller("sales"))


# -- through the gRPC API ------------------------------------------------------------------------------------


@pytest.fixture
def service(grpc_service, monkeypatch):
    monkeypatch.setattr(identities, "utcnow", lambda: DAY)
    return grpc_service("identity")


def test_api_job_in_the_background_then_the_report(service):
    stub = identity_pb2_grpc.IdentityServiceStub(service.channel)
    seed(service.database, PEOPLE)
    boss = service.metadata("manager", subject="boss")

    started = stub.StartDedupJob(identity_pb2.StartDedupJobRequest(), metadata=boss, timeout=5).job
    assert started.state == identity_pb2.DEDUP_JOB_STATE_QUEUED and started.requested_by == "boss"
    with pytest.raises(grpc.RpcError) as error:
        stub.StartDedupJob(identity_pb2.StartDedupJobRequest(), metadata=boss, timeout=5)
    assert error.value.code() == grpc.StatusCode.FAILED_PRECONDITION

    deadline = time.monotonic() + 60
    while True:
        current = stub.GetDedupJob(identity_pb2.GetDedupJobRequest(id=started.id), metadata=boss, timeout=5).job
        if current.state in (identity_pb2.DEDUP_JOB_STATE_SUCCEEDED, identity_pb2.DEDUP_JOB_STATE_FAILED):
            break
        assert time.monotonic() < deadline, "the job did not finish"
        time.sleep(0.05)
    assert (current.state, current.error) == (identity_pb2.DEDUP_JOB_STATE_SUCCEEDED, "")
    assert (current.done, current.total, current.records) == (100, 100, 5)
    assert current.start_time.seconds > 0 and current.finish_time.seconds > 0

    listed = stub.ListDedupJobs(identity_pb2.ListDedupJobsRequest(), metadata=boss, timeout=5)
    assert [j.id for j in listed.jobs] == [started.id]

    report = stub.GetDataQualityReport(identity_pb2.GetDataQualityReportRequest(),
                                       metadata=service.metadata("auditor"), timeout=5)
    assert (report.records, report.customers, report.records_with_issues) == (5, 5, 0)
    assert report.dedup_job.id == started.id
    assert len(report.duplicate_clusters) == current.duplicate_clusters
    assert {c.issue: c.records for c in report.issue_counts} == {
        identity_pb2.DATA_ISSUE_INVALID_PHONE: 0, identity_pb2.DATA_ISSUE_INVALID_EMAIL: 0,
        identity_pb2.DATA_ISSUE_INVALID_CREDIT_CODE: 0, identity_pb2.DATA_ISSUE_MISSING_NAME: 0,
        identity_pb2.DATA_ISSUE_MISSING_CONTACT: 0,
    }
    assert report.generate_time.seconds > 0

    with pytest.raises(grpc.RpcError) as error:
        stub.StartDedupJob(identity_pb2.StartDedupJobRequest(), metadata=service.metadata("sales"), timeout=5)
    assert error.value.code() == grpc.StatusCode.PERMISSION_DENIED
