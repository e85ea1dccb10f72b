"""Batch dedup jobs (R-ID-1 batch, R-ID-4): the matching engine over all of a tenant's stored records.

A job is a durable row: StartDedupJob writes it (queued) and a background thread of the service runs it,
persisting progress (the engine's percent done) and a heartbeat every few seconds. When it finishes it stores
its counts and the duplicate clusters for the data-quality report. Pairs of customers the engine scores at or
above the auto-link threshold are merged when the job was started with auto_merge (each merge audited and
reversible like any other), otherwise queued for review like the pairs between the thresholds.

A process that dies mid-job cannot finish it. Jobs are not resumed: a queued or running job whose heartbeat is
older than STALE_AFTER is marked failed with that reason whenever jobs are read or started (by any replica), so
the row never claims a run that no longer exists, and a new job can be started.
"""

from __future__ import annotations

import logging
import math
import threading
import time
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from services.core.auth import Caller
from services.core.db import Database, utcnow
from services.core.errors import FailedPrecondition, NotFound, Validator
from services.core.i18n import t
from services.identity import graph, identities, review
from services.identity.golden import GOLDEN_FIELDS
from services.identity.models import Customer, DedupJob, SourceRecord

log = logging.getLogger("crm.identity.jobs")

QUEUED, RUNNING, SUCCEEDED, FAILED = "queued", "running", "succeeded", "failed"
ACTIVE = (QUEUED, RUNNING)
JOB_ROLES = ("manager", "admin")
READ_ROLES = ("manager", "admin", "auditor")

HEARTBEAT_SECONDS = 5.0
STALE_AFTER = timedelta(minutes=2)
PROGRESS_EVERY_SECONDS = 1.0
# Review pairs are opened this many per transaction; merges one per transaction.
APPLY_BATCH = 200
# Clusters kept on the job row for the report (the counts are always complete).
MAX_STORED_CLUSTERS = 5000
ABANDONED = "abandoned: the service stopped while the job ran (no heartbeat since {since}); start a new job"


def start_job(session: Session, *, caller: Caller, auto_merge: bool = False) -> DedupJob:
    """Queue a job for the caller's tenant; the caller runs it (DedupRunner.submit) after committing."""
    caller.require_role(*JOB_ROLES)
    fail_abandoned(session)
    active = session.scalar(select(DedupJob).where(DedupJob.state.in_(ACTIVE)).limit(1))
    if active is not None:
        raise FailedPrecondition(t("dedup job {id} is still running", id=active.id))
    job = DedupJob(tenant_id=session.info["crm_tenant"], state=QUEUED, auto_merge=auto_merge,
                   requested_by=caller.subject[:100], created_at=utcnow(), heartbeat_at=utcnow())
    session.add(job)
    session.flush()
    return job


def get_job(session: Session, *, caller: Caller, job_id: str) -> DedupJob:
    caller.require_role(*READ_ROLES)
    check = Validator()
    check.require(job_id, "id", max_length=36)
    check.raise_if_any()
    fail_abandoned(session)
    job = session.get(DedupJob, job_id)
    if job is None:
        raise NotFound(t("dedup job {id} not found", id=repr(job_id)))
    return job


def list_jobs(session: Session, *, caller: Caller, offset: int = 0, limit: int = 50) -> tuple[list[DedupJob], bool]:
    caller.require_role(*READ_ROLES)
    fail_abandoned(session)
    jobs = list(session.scalars(
        select(DedupJob).order_by(DedupJob.created_at.desc(), DedupJob.id.desc()).offset(offset).limit(limit + 1)
    ))
    return jobs[:limit], len(jobs) > limit


def last_succeeded(session: Session) -> DedupJob | None:
    return session.scalar(
        select(DedupJob).where(DedupJob.state == SUCCEEDED).order_by(DedupJob.finished_at.desc()).limit(1)
    )


def fail_abandoned(session: Session) -> int:
    """Mark the tenant's queued/running jobs without a recent heartbeat failed; returns how many."""
    cutoff = utcnow() - STALE_AFTER
    stale = list(session.scalars(select(DedupJob).where(DedupJob.state.in_(ACTIVE), DedupJob.heartbeat_at < cutoff)))
    for job in stale:
        job.state, job.finished_at = FAILED, utcnow()
        job.error = ABANDONED.format(since=job.heartbeat_at.isoformat(timespec="seconds"))
        log.warning("dedup job %s of tenant %s abandoned (last heartbeat %s)", job.id, job.tenant_id,
                    job.heartbeat_at)
    if stale:
        session.flush()
    return len(stale)


@dataclass
class _Outcome:
    records: int = 0
    pairs_scored: int = 0
    duplicate_clusters: int = 0
    duplicate_records: int = 0
    review_pairs_opened: int = 0
    merges: int = 0
    clusters: list | None = None


class DedupRunner:
    """Runs jobs in background threads of the service process (one thread per job)."""

    def __init__(self, database: Database):
        self.database = database
        self._threads: dict[str, threading.Thread] = {}

    def submit(self, tenant: str, job_id: str) -> threading.Thread:
        thread = threading.Thread(target=self.run, args=(tenant, job_id), name=f"dedup-{job_id[-8:]}", daemon=True)
        self._threads = {key: value for key, value in self._threads.items() if value.is_alive()}
        self._threads[job_id] = thread
        thread.start()
        return thread

    def run(self, tenant: str, job_id: str) -> None:
        """Run one job to its end (succeeded or failed); never raises."""
        stop = threading.Event()
        beat = threading.Thread(target=self._heartbeat, args=(tenant, job_id, stop), name="dedup-heartbeat",
                                daemon=True)
        try:
            with self.database.session(tenant) as session:
                job = session.get(DedupJob, job_id)
                if job is None or job.state != QUEUED:
                    return
                job.state, job.started_at, job.heartbeat_at, job.total = RUNNING, utcnow(), utcnow(), 100
                auto_merge, actor = job.auto_merge, f"dedup-job:{job.id}"
            beat.start()
            outcome = self._execute(tenant, job_id, auto_merge=auto_merge, actor=actor)
            with self.database.session(tenant) as session:
                job = session.get(DedupJob, job_id)
                job.state, job.finished_at, job.heartbeat_at, job.done, job.error = (
                    SUCCEEDED, utcnow(), utcnow(), job.total, "",
                )
                for name in ("records", "pairs_scored", "duplicate_clusters", "duplicate_records",
                             "review_pairs_opened", "merges"):
                    setattr(job, name, getattr(outcome, name))
                job.clusters = outcome.clusters or []
            log.info("dedup job %s of tenant %s: %s", job_id, tenant, outcome)
        except Exception as exc:  # noqa: BLE001 - the job records its failure; the service keeps serving
            log.exception("dedup job %s of tenant %s failed", job_id, tenant)
            try:
                with self.database.session(tenant) as session:
                    job = session.get(DedupJob, job_id)
                    if job is not None:
                        job.state, job.finished_at = FAILED, utcnow()
                        job.error = f"{type(exc).__name__}: {exc}"[:500]
            except Exception:  # noqa: BLE001
                log.exception("could not record the failure of dedup job %s", job_id)
        finally:
            stop.set()
            if beat.is_alive():
                beat.join(timeout=HEARTBEAT_SECONDS)

    def _heartbeat(self, tenant: str, job_id: str, stop: threading.Event) -> None:
        while not stop.wait(HEARTBEAT_SECONDS):
            try:
                with self.database.session(tenant) as session:
                    session.execute(
                        update(DedupJob).where(DedupJob.id == job_id, DedupJob.state.in_(ACTIVE))
                        .values(heartbeat_at=utcnow()).execution_options(synchronize_session=False)
                    )
            except Exception as exc:  # noqa: BLE001 - the next beat tries again
                log.warning("dedup job %s heartbeat failed: %r", job_id, exc)

    def _progress(self, tenant: str, job_id: str):  # noqa: ANN202
        last = [0.0]

        def report(done: int, total: int) -> None:
            now = time.monotonic()
            if done < total and now - last[0] < PROGRESS_EVERY_SECONDS:
                return
            last[0] = now
            with self.database.session(tenant) as session:
                session.execute(
                    update(DedupJob).where(DedupJob.id == job_id)
                    .values(done=int(done), total=int(total), heartbeat_at=utcnow())
                    .execution_options(synchronize_session=False)
                )

        return report

    # -- the work ---------------------------------------------------------------------------------------------

    def _execute(self, tenant: str, job_id: str, *, auto_merge: bool, actor: str) -> _Outcome:
        import polars as pl

        from services.identity.matching.batch import dedup_frame
        from services.identity.matching.realtime import load_model, save_model

        with self.database.session(tenant) as session:
            rows = session.execute(
                select(SourceRecord.id, *(getattr(SourceRecord, name) for name in GOLDEN_FIELDS))
            ).all()
            model = load_model(session)
        frame = pl.DataFrame(
            {"record_id": [str(row[0]) for row in rows],
             **{name: [row[i + 1] or "" for row in rows] for i, name in enumerate(GOLDEN_FIELDS)}},
            schema={"record_id": pl.String, **dict.fromkeys(GOLDEN_FIELDS, pl.String)},
        )
        outcome = _Outcome(records=len(rows))
        if len(rows) < 2:
            outcome.clusters = []
            return outcome
        result = dedup_frame(frame, model=model, progress=self._progress(tenant, job_id))
        trained = result.model

        with self.database.session(tenant) as session:
            owner = {row.id: row.customer_id for row in session.execute(select(SourceRecord.id,
                                                                                 SourceRecord.customer_id))}
            save_model(session, trained)
        clusters = _duplicate_clusters(result.clusters, owner)
        outcome.duplicate_clusters = len(clusters)
        outcome.duplicate_records = sum(cluster["records"] for cluster in clusters)
        outcome.clusters = sorted(clusters, key=lambda c: (-c["records"], c["customer_ids"]))[:MAX_STORED_CLUSTERS]

        best = _best_pairs(result.pairs, owner)
        outcome.pairs_scored = result.pairs.height
        auto_link = float(trained.auto_link)
        if auto_merge:
            outcome.merges = self._merge_components(
                tenant, [(a, b) for (a, b), (p, _, _) in best.items() if p >= auto_link], actor=actor
            )
            reviewable = {key: value for key, value in best.items() if value[0] < auto_link}
        else:
            reviewable = best
        outcome.review_pairs_opened = self._open_review_pairs(tenant, job_id, reviewable, trained)
        return outcome

    def _merge_components(self, tenant: str, links: Iterable[tuple[str, str]], *, actor: str) -> int:
        """Merge each connected group of customers into its survivor: most records, then oldest, then id."""
        parent: dict[str, str] = {}

        def root(node: str) -> str:
            while parent.setdefault(node, node) != node:
                parent[node] = parent[parent[node]]
                node = parent[node]
            return node

        for a, b in links:
            parent[root(a)] = root(b)
        groups: dict[str, list[str]] = defaultdict(list)
        for node in list(parent):
            groups[root(node)].append(node)
        merges = 0
        for members in groups.values():
            if len(members) < 2:
                continue
            with self.database.session(tenant) as session:
                survivor_id = _survivor(session, members)
            for absorbed_id in sorted(set(members) - {survivor_id}):
                with self.database.session(tenant) as session:
                    survivor = graph.live_customer(session, survivor_id)
                    absorbed = graph.live_customer(session, absorbed_id)
                    if survivor is None or absorbed is None or survivor.id == absorbed.id:
                        continue
                    graph.merge_customers(session, survivor=survivor, absorbed=absorbed, actor=actor,
                                          reason="dedup job: scored at or above the auto-link threshold")
                    merges += 1
        return merges

    def _open_review_pairs(self, tenant: str, job_id: str, best: dict, model) -> int:  # noqa: ANN001
        opened = 0
        items = sorted(best.items(), key=lambda item: -item[1][0])
        for start in range(0, len(items), APPLY_BATCH):
            with self.database.session(tenant) as session:
                for (a, b), (probability, record_a, record_b) in items[start : start + APPLY_BATCH]:
                    if probability < model.review:
                        continue
                    live_a, live_b = graph.live_id(session, a), graph.live_id(session, b)
                    if not live_a or not live_b or live_a == live_b:
                        continue
                    survivor_id = _survivor(session, [live_a, live_b])
                    # The record on the side that would be absorbed, against the survivor as the candidate.
                    record_id, candidate_record_id = (record_b, record_a) if survivor_id == live_a else (record_a,
                                                                                                       record_b)
                    record = session.get(SourceRecord, record_id)
                    if record is None or record.customer_id == survivor_id:
                        continue
                    candidate = _explained(session, record, survivor_id, candidate_record_id, probability, model)
                    if review.open_pair(session, record=record, candidate=candidate, origin=job_id) is not None:
                        opened += 1
        return opened


def _duplicate_clusters(clusters, owner: dict[int, str]) -> list[dict]:  # noqa: ANN001
    """Clusters (record_id, cluster_id) whose records belong to more than one customer."""
    members: dict[str, list[int]] = defaultdict(list)
    for record_id, cluster_id in clusters.select("record_id", "cluster_id").iter_rows():
        members[cluster_id].append(int(record_id))
    found = []
    for records in members.values():
        customers = sorted({owner[r] for r in records if r in owner})
        if len(customers) > 1:
            found.append({"customer_ids": customers, "records": len(records)})
    return found


def _best_pairs(pairs, owner: dict[int, str]) -> dict[tuple[str, str], tuple[float, int, int]]:  # noqa: ANN001
    """{(customer a, customer b): (probability, record of a, record of b)}: the best-scored record pair of each
    pair of different customers."""
    best: dict[tuple[str, str], tuple[float, int, int]] = {}
    for left, right, probability in pairs.select("left_id", "right_id", "probability").iter_rows():
        left, right = int(left), int(right)
        a, b = owner.get(left), owner.get(right)
        if a is None or b is None or a == b:
            continue
        key, value = ((a, b), (float(probability), left, right)) if a < b else ((b, a), (float(probability), right,
                                                                                           left))
        if key not in best or value[0] > best[key][0]:
            best[key] = value
    return best


def _survivor(session: Session, customer_ids: list[str]) -> str:
    """The customer that survives a merge of these: the one with most records, then the oldest, then by id."""
    counts: dict[str, int] = defaultdict(int)
    for customer_id in session.scalars(select(SourceRecord.customer_id).where(
            SourceRecord.customer_id.in_(customer_ids))):
        counts[customer_id] += 1
    created = {row.id: row.created_at for row in session.execute(
        select(Customer.id, Customer.created_at).where(Customer.id.in_(customer_ids)))}
    return min(customer_ids, key=lambda c: (-counts[c], created.get(c) or utcnow(), c))


def _explained(session: Session, record: SourceRecord, customer_id: str, candidate_record_id: int,
               probability: float, model) -> identities.Match:  # noqa: ANN001
    """The candidate with the engine's per-field evidence when intake matching finds it too; else the batch
    score alone."""
    for candidate in identities.candidates(session, features=record.features or {}, model=model,
                                           limit=identities.MAX_CANDIDATES):
        if candidate.customer_id == customer_id and candidate.source_record_id != record.id:
            return candidate
    clipped = min(max(probability, 1e-9), 1 - 1e-9)
    return identities.Match(customer_id, candidate_record_id, probability, math.log2(clipped / (1 - clipped)), (),
                            identities.REVIEW)
