"""Assignment and the public pool under real concurrency on PostgreSQL (issue #4 items 4 and 5): threads that start
together at a barrier race for the same lead, the same capacity slot and the same round-robin turn."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from services.core.db import Database
from services.core.errors import DomainError, FailedPrecondition, NotFound
from services.core.migrate import upgrade
from services.core.runtime import load_definition
from services.core.timers import fire_due, pending
from services.leads import assignment, pool
from services.leads.models import Lead, LeadOwnership
from services.leads.timers import TIMERS
from tests.integration.helpers import new_tenant
from tests.unit.services.leads_pool_support import T0, add_lead, add_rep, assign_new, caller, set_pool

pytestmark = pytest.mark.integration

THREADS = 8


@pytest.fixture
def database(pg_url: str) -> Iterator[Database]:
    database = Database("leads", pg_url)
    upgrade(load_definition("leads"), database)
    yield database
    database.dispose()


def race(calls: list[Callable[[], object]]) -> list[object]:
    """Run the calls in threads released together; each result is its return value or the exception it raised."""
    barrier = threading.Barrier(len(calls))
    results: list[object] = [None] * len(calls)

    def run(index: int) -> None:
        barrier.wait()
        try:
            results[index] = calls[index]()
        except Exception as error:  # noqa: BLE001 - reported to the test
            results[index] = error

    threads = [threading.Thread(target=run, args=(index,)) for index in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def claim_call(database: Database, tenant: str, rep: str, lead_id: str, now=T0):  # noqa: ANN001, ANN201
    def call() -> str:
        with database.session(tenant) as session:
            return pool.claim(session, caller=caller("sales", tenant=tenant, subject=rep), lead_id=lead_id,
                              now=now).owner_id
    return call


def unexpected(results: list[object]) -> list[object]:
    """Errors that are not a domain refusal (deadlocks, serialization failures, crashes)."""
    return [r for r in results if isinstance(r, Exception) and not isinstance(r, DomainError)]


def test_of_reps_claiming_one_lead_at_once_exactly_one_wins(database):
    tenant = new_tenant()
    reps = [f"rep-{n}" for n in range(THREADS)]
    for rep in reps:
        add_rep(database, rep, tenant=tenant)
    for round_number in range(5):
        lead_id = add_lead(database, tenant, pooled_at=T0 - timedelta(days=1), email=f"p{round_number}@example.com")
        results = race([claim_call(database, tenant, rep, lead_id) for rep in reps])
        winners = [r for r in results if isinstance(r, str)]
        assert unexpected(results) == []
        assert len(winners) == 1, results
        assert all(isinstance(r, NotFound) for r in results if not isinstance(r, str))
        with database.session(tenant) as session:
            assert session.get(Lead, lead_id).owner_id == winners[0]
            claims = session.scalar(select(func.count()).select_from(LeadOwnership)
                                    .where(LeadOwnership.lead_id == lead_id))
            assert claims == 1


def test_a_rep_claiming_many_leads_at_once_stays_within_the_daily_limit(database):
    tenant = new_tenant()
    add_rep(database, "ana", tenant=tenant)
    set_pool(database, tenant, claims_per_day=3)
    leads = [add_lead(database, tenant, pooled_at=T0 - timedelta(days=1), email=f"p{n}@example.com")
             for n in range(THREADS)]
    results = race([claim_call(database, tenant, "ana", lead_id) for lead_id in leads])
    assert unexpected(results) == []
    assert results.count("ana") == 3
    assert sum(isinstance(r, FailedPrecondition) for r in results) == THREADS - 3


def test_simultaneous_assignments_never_share_a_last_capacity_slot(database):
    tenant = new_tenant()
    add_rep(database, "ana", tenant=tenant, holding_limit=2)
    add_rep(database, "ben", tenant=tenant, daily_cap=1)
    leads = [add_lead(database, tenant, email=f"n{n}@example.com") for n in range(THREADS)]

    def assign(lead_id: str) -> Callable[[], object]:
        return lambda: assign_new(database, lead_id, T0, tenant)

    outcomes = race([assign(lead_id) for lead_id in leads])
    assert unexpected(outcomes) == []
    assert Counter(o.owner_id for o in outcomes if o.assigned) == {"ana": 2, "ben": 1}
    assert Counter(o.reason for o in outcomes if not o.assigned) == {"capacity": THREADS - 3}


def test_simultaneous_assignments_take_turns_in_the_round(database):
    tenant = new_tenant()
    reps = [f"rep-{n}" for n in range(THREADS)]
    for rep in reps:
        add_rep(database, rep, tenant=tenant)
    for round_number in range(3):
        leads = [add_lead(database, tenant, email=f"r{round_number}-{n}@example.com") for n in range(THREADS)]
        outcomes = race([lambda lead_id=lead_id: assign_new(database, lead_id, T0, tenant) for lead_id in leads])
        assert unexpected(outcomes) == []
        assert sorted(o.owner_id for o in outcomes) == reps  # each rep once per round, nobody twice


def test_claims_reassignments_and_reclaims_together_neither_deadlock_nor_double_book(database):
    """Every writer locks leads before reps: a bulk reassignment, claims and the reclaim timers run side by side."""
    tenant = new_tenant()
    for rep in ("ana", "ben", "cai", "dan"):
        add_rep(database, rep, tenant=tenant, holding_limit=6)
    owned = [add_lead(database, tenant, email=f"o{n}@example.com") for n in range(6)]
    for lead_id in owned:
        assign_new(database, lead_id, T0, tenant)
    pooled = [add_lead(database, tenant, pooled_at=T0, email=f"p{n}@example.com") for n in range(6)]
    admin = caller("admin", tenant=tenant, subject="admin")

    def bulk() -> object:
        with database.session(tenant) as session:
            return assignment.bulk_reassign(session, caller=admin, lead_ids=owned + pooled[:2], now=T0 + 40 * HOUR)

    calls: list[Callable[[], object]] = [bulk]
    calls += [claim_call(database, tenant, rep, lead_id, T0 + 40 * HOUR)
              for rep in ("ana", "ben", "cai") for lead_id in pooled[:3]]
    calls.append(lambda: fire_due(database, TIMERS, now=T0 + 49 * HOUR))
    results = race(calls)
    assert unexpected(results) == []
    with database.session(tenant) as session:
        holding = Counter(session.scalars(select(Lead.owner_id).where(Lead.owner_id != "", Lead.status == "open")))
        assert all(count <= 6 for count in holding.values())
        # Each lead's history is a chain: every change starts from the owner the previous one left.
        for lead_id in owned + pooled:
            chain = session.execute(select(LeadOwnership.from_owner, LeadOwnership.to_owner)
                                    .where(LeadOwnership.lead_id == lead_id)
                                    .order_by(LeadOwnership.at, LeadOwnership.id)).all()
            for before, after in zip(chain, chain[1:], strict=False):
                assert after.from_owner == before.to_owner, chain
            assert (chain[-1].to_owner if chain else "") == session.get(Lead, lead_id).owner_id


HOUR = timedelta(hours=1)


def test_a_reclaim_never_waits_for_a_busy_lead_it_tries_again_soon(database):
    """A request holds the lead (and will restart its clocks); the reclaim timer must not wait for it while holding
    its own timer rows, or the two would deadlock. It fires again a little later instead."""
    tenant = new_tenant()
    add_rep(database, "ana", tenant=tenant)
    lead_id = add_lead(database, tenant)
    assign_new(database, lead_id, T0, tenant)
    with database.session(tenant) as holder:
        holder.scalars(select(Lead).where(Lead.id == lead_id).with_for_update()).one()
        fire_due(database, TIMERS, now=T0 + 48 * HOUR + timedelta(seconds=1))
        with database.session(tenant) as session:
            assert session.get(Lead, lead_id).owner_id == "ana"
            due, payload = pending(session, pool.timer_kind(pool.FOLLOW_UP, pool.RECLAIM), lead_id)
            assert (due, payload["busy"]) == (T0 + 48 * HOUR + pool.RETRY_BUSY_AFTER, 1)
    fire_due(database, TIMERS, now=T0 + 49 * HOUR)
    with database.session(tenant) as session:
        assert session.get(Lead, lead_id).owner_id == ""


def test_a_capture_writes_its_lead_history_and_clocks_in_one_statement_and_the_clocks_strike(database):
    """Capture by a rep on PostgreSQL: the lead, its ownership row and its four reclaim timers go in one statement
    (ADR 0024); the timers are the ones schedule() would have written, and the follow-up clock reclaims the lead."""
    from sqlalchemy import event as sa_event

    from services.core.auth import reset_caller, set_caller
    from services.leads import leads

    tenant = new_tenant()
    rep = caller("sales", tenant=tenant, subject="rep-1")
    statements = []
    listen = lambda conn, cursor, statement, *args: statements.append(" ".join(statement.split()[:4]))  # noqa: E731
    sa_event.listen(database.engine, "before_cursor_execute", listen)
    token = set_caller(rep)
    try:
        with database.session(tenant) as session:
            lead = leads.create_lead(session, tenant=tenant, caller=rep, name="Ann Lee", channel="web",
                                     email="ann@example.com")
    finally:
        reset_caller(token)
        sa_event.remove(database.engine, "before_cursor_execute", listen)
    assert [statement.split()[0] for statement in statements] == ["SELECT", "WITH", "INSERT"]  # reads, rows, outbox
    with database.session(tenant) as session:
        kinds = [pool.timer_kind(clock, stage) for clock in pool.CLOCKS for stage in (pool.WARNING, pool.RECLAIM)]
        due = {kind: pending(session, kind, lead.id) for kind in kinds}
        [history] = session.scalars(select(LeadOwnership).where(LeadOwnership.lead_id == lead.id)).all()
    assert (history.to_owner, history.reason) == ("rep-1", assignment.CAPTURE)
    reclaim_at, payload = due[pool.timer_kind(pool.FOLLOW_UP, pool.RECLAIM)]
    assert reclaim_at == lead.assigned_at + timedelta(hours=48)
    assert payload == {"owner": "rep-1", "assigned_at": lead.assigned_at.isoformat(),
                       "reclaim_at": reclaim_at.isoformat()}
    assert due[pool.timer_kind(pool.FOLLOW_UP, pool.WARNING)][0] == reclaim_at - timedelta(hours=4)
    assert due[pool.timer_kind(pool.CONVERSION, pool.RECLAIM)][0] == lead.assigned_at + timedelta(days=30)

    fire_due(database, TIMERS, now=lead.assigned_at + timedelta(hours=49))
    with database.session(tenant) as session:
        stored = session.get(Lead, lead.id)
        assert (stored.owner_id, stored.pooled_at is not None) == ("", True)
