"""Durable timers: "do X for tenant T at time D", kept in the service's own database (`crm_timer`).

A service declares handlers, `ServiceDefinition(..., timers={"reclaim": on_reclaim})`; domain code schedules
with `schedule(session, kind=..., key=..., due_at=..., payload=...)` in its own transaction, so a timer exists
exactly when the change that wanted it committed. There is one pending timer per (tenant, kind, key):
scheduling again replaces its due time and payload; `cancel` removes it.

Firing (TimerWorker, one thread per service process, or `fire_due` synchronously in tests): one statement
claims and removes a batch of due rows, `DELETE ... WHERE pk IN (SELECT ... ORDER BY due_at LIMIT n FOR UPDATE
SKIP LOCKED) RETURNING ...` (SQLite has a single writer: the same statement without the lock clause), and the
handlers run in tenant-scoped sessions in that same transaction. The effect and the removal commit together,
so a timer fires exactly once however many replicas run, and a timer that fell due while no replica ran fires
at the next start. The row is removed before its handler runs, so a handler may schedule the same (kind, key)
again (a recurring timer).

A handler marked `@in_batches` gets all timers of its kind and tenant of one batch at once (a few set-based
statements instead of a few per timer: 100k reminders falling due together). A handler that raises: the batch
is rolled back and its timers are fired one per transaction, so only the failing timer is put back, with
attempts + 1, an exponential back-off on its due time and the error text (`crm_timer_failures_total`). Timers
whose kind has no handler in this process are never claimed (a replica of an older version must not consume a
newer kind during a rolling upgrade): they wait, are counted in the backlog gauge and logged, and fire once a
replica that knows the kind runs.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
import weakref
from collections import Counter as Tally
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import delete, event, func, select, tuple_, update
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from services.core.auth import Caller, reset_caller, set_caller
from services.core.db import DATABASE, TENANT, Database, upsert_insert, utcnow
from services.core.kernel_models import Timer
from services.core.metrics import TIMER_BACKLOG, TIMER_FAILURES, TIMER_LAG_SECONDS, TIMERS_FIRED

log = logging.getLogger("crm.timers")

BATCH_SIZE = 500
BACKOFF_BASE_SECONDS = 5.0  # a failed timer retries after 5 s, 10 s, 20 s, ... at most an hour later
BACKOFF_MAX_SECONDS = 3600.0
MIN_SLEEP_SECONDS = 0.05  # never spin: rows another replica holds stay "due" until it commits
BACKLOG_REFRESH_SECONDS = 5.0
UNHANDLED_WARNING_SECONDS = 300.0
WORKER_FAILURE_BACKOFF_SECONDS = (0.1, 0.5, 1.0, 2.0, 5.0)
MAX_KIND = 64
MAX_KEY = 200
MAX_ERROR = 2000

_SCHEDULED_DUE = "crm_timer_scheduled_due"  # Session.info: earliest due time scheduled in this transaction


@dataclass(frozen=True)
class FiredTimer:
    kind: str
    key: str
    due_at: datetime
    payload: dict
    tenant: str
    attempts: int = 0  # failed firings before this one


# handler(session, timer): runs in a session scoped to timer.tenant, in the transaction that removes the timer.
TimerHandler = Callable[[Session, FiredTimer], Any]

_IN_BATCHES = "crm_timer_in_batches"


def in_batches(handler: Callable[[Session, list[FiredTimer]], Any]) -> Callable:
    """Mark a handler that takes (session, timers): it is called once per tenant and kind of a claimed batch, with
    those timers in due order, so it can apply them with a few set-based statements instead of a few per timer.
    After a failure it is called with one timer at a time, like any handler."""
    setattr(handler, _IN_BATCHES, True)
    return handler


def _utc(moment: datetime, name: str) -> datetime:
    if not isinstance(moment, datetime) or moment.tzinfo is None:
        raise ValueError(f"{name} must be a timezone-aware datetime, got {moment!r}")
    return moment.astimezone(UTC)


def _tenant_of(session: Session) -> str:
    tenant = session.info.get(TENANT)
    if not isinstance(tenant, str):
        raise RuntimeError("timers are scheduled from a tenant session")
    return tenant


def _check_identity(kind: str, key: object) -> str:
    key = str(key)
    if not kind or len(kind) > MAX_KIND:
        raise ValueError(f"timer kind must be 1..{MAX_KIND} characters, got {kind!r}")
    if not key or len(key) > MAX_KEY:
        raise ValueError(f"timer key must be 1..{MAX_KEY} characters, got {key!r}")
    return key


@dataclass(frozen=True)
class Due:
    """One timer to schedule with schedule_many."""

    kind: str
    key: object
    due_at: datetime
    payload: dict | None = None


def schedule(session: Session, *, kind: str, key: object, due_at: datetime, payload: dict | None = None) -> None:
    """Fire `kind` for `key` at `due_at` in the session's tenant; replaces a pending timer of the same kind and key.

    Part of the caller's transaction: nothing is scheduled if it rolls back. `payload` must be JSON-serialisable.
    """
    schedule_many(session, [Due(kind, key, due_at, payload)])


def schedule_many(session: Session, timers: Sequence[Due]) -> None:
    """schedule() for several timers in one statement (several clocks of one lead, say): one round trip."""
    if not timers:
        return
    tenant, now = _tenant_of(session), utcnow()
    rows = {}
    for timer in timers:
        key = _check_identity(timer.kind, timer.key)
        # A later entry for the same kind and key wins, as a later schedule() call would.
        rows[(timer.kind, key)] = {
            "tenant_id": tenant, "kind": timer.kind, "key": key, "due_at": _utc(timer.due_at, "due_at"),
            "payload": timer.payload or {}, "attempts": 0, "last_error": None, "created_at": now,
        }
    staged = session.info.get(_STAGED)
    if staged is not None:
        staged.update(rows)  # written by the caller of staged(), in a statement of its own
    else:
        # The rows as parameters of one statement built once, so that its compiled form is cached (a multi-row
        # VALUES is compiled anew on every call). SQLAlchemy sends them as ONE multi-row INSERT: an upsert qualifies
        # when it has RETURNING and no bound parameters in its SET clause; psycopg's own executemany (a pipeline)
        # would busy-wait for the server's answer, costly in a busy process.
        write(session, list(rows.values()))
    soonest = min(row["due_at"] for row in rows.values())
    earliest = session.info.get(_SCHEDULED_DUE)
    if earliest is None or soonest < earliest:
        session.info[_SCHEDULED_DUE] = soonest


_STAGED = "crm_timer_staged"  # Session.info: {(kind, key): row} while staged() collects


@contextlib.contextmanager
def staged(session: Session) -> Iterator[list[dict]]:
    """Collect the timers scheduled inside instead of writing them: the caller writes them in a statement of its own
    with other rows (UPSERT_CONFLICT; write() elsewhere: capture writes a lead, its history and its clocks in one),
    before anything reads or cancels them. Yields the list of crm_timer rows, filled when the block ends; the
    wake-up of the timer workers at commit is kept."""
    rows: list[dict] = []
    collected: dict[tuple[str, str], dict] = {}
    session.info[_STAGED] = collected
    try:
        yield rows
    finally:
        session.info.pop(_STAGED, None)
    rows.extend(collected.values())


def _not_staging(session: Session) -> None:
    if _STAGED in session.info:
        raise RuntimeError("timers scheduled inside timers.staged() are not written yet: no cancel() or pending()")


def write(session: Session, rows: Sequence[dict]) -> None:
    """Upsert crm_timer rows (schedule_many's, or what staged() collected) in one statement."""
    if rows:
        session.connection().execute(_upsert(session), list(rows)).close()


# The ON CONFLICT clause that makes an INSERT of staged() rows (a value for each column of crm_timer) the upsert
# schedule() runs (attempts 0 and no error, as in the row proposed: a replaced timer starts afresh).
UPSERT_CONFLICT = ("ON CONFLICT (tenant_id, kind, key) DO UPDATE SET due_at = excluded.due_at, payload = "
                   "excluded.payload, attempts = excluded.attempts, last_error = excluded.last_error")

_upserts: dict[object, object] = {}  # dialect insert construct -> the statement, built once (it is immutable)


def _upsert(session: Session):  # noqa: ANN202
    dialect_insert = upsert_insert(session)
    statement = _upserts.get(dialect_insert)
    if statement is None:
        table = Timer.__table__
        insert = dialect_insert(table)
        statement = _upserts[dialect_insert] = insert.on_conflict_do_update(
            index_elements=[table.c.tenant_id, table.c.kind, table.c.key],
            # attempts 0 and no error, as in the row proposed (a replaced timer starts afresh)
            set_={name: insert.excluded[name] for name in ("due_at", "payload", "attempts", "last_error")},
        ).returning(table.c.key)
    return statement


def cancel(session: Session, *, kind: str, key: object) -> bool:
    """Remove the pending timer of `kind` and `key`; False when there was none (already fired or never set)."""
    _not_staging(session)
    table = Timer.__table__
    removed = session.connection().execute(
        delete(table).where(
            table.c.tenant_id == _tenant_of(session), table.c.kind == kind, table.c.key == str(key)
        )
    )
    return removed.rowcount == 1


def pending(session: Session, kind: str, key: object) -> tuple[datetime, dict] | None:
    """(due_at, payload) of the pending timer of `kind` and `key`, or None."""
    _not_staging(session)
    table = Timer.__table__
    row = session.connection().execute(
        select(table.c.due_at, table.c.payload).where(
            table.c.tenant_id == _tenant_of(session), table.c.kind == kind, table.c.key == str(key)
        )
    ).first()
    return None if row is None else (row.due_at, row.payload)


def backoff(attempts: int) -> timedelta:
    """Delay before retrying a timer that failed `attempts` times (attempts >= 1)."""
    return timedelta(seconds=min(BACKOFF_BASE_SECONDS * 2 ** max(attempts - 1, 0), BACKOFF_MAX_SECONDS))


class TimerFirer:
    """Claims due timers and runs their handlers; no thread of its own (TimerWorker and fire_due use it)."""

    def __init__(self, database: Database, handlers: Mapping[str, TimerHandler]):
        self.database = database
        self.handlers = handlers

    @property
    def kinds(self) -> list[str]:
        return sorted(self.handlers)

    def fire_batch(self, now: datetime | None = None, batch_size: int = BATCH_SIZE) -> tuple[int, int]:
        """Fire up to `batch_size` timers due at `now` (default: the clock); returns (fired, claimed)."""
        kinds = self.kinds
        if not kinds:
            return 0, 0
        now = utcnow() if now is None else _utc(now, "now")
        claimed: list[FiredTimer] = []
        try:
            with self.database.batch(wake_relay=False) as connection:
                claimed = self._claim(connection, now, batch_size, kinds)
                self._run_handlers(connection, claimed)
        except Exception as exc:  # noqa: BLE001 - a handler failed: the batch is rolled back, retried one by one
            if not claimed:
                raise  # the claim itself failed (database unreachable): the worker backs off
            if len(claimed) == 1:
                self._record_failure(claimed[0], exc, now)
                return 0, 1
            fired = sum(self._fire_one(timer, now) for timer in claimed)
            return fired, len(claimed)
        self._count_fired(claimed, now)
        return len(claimed), len(claimed)

    def _claim(
        self, connection: Connection, now: datetime, limit: int, kinds: Sequence[str], only: FiredTimer | None = None
    ) -> list[FiredTimer]:
        table = Timer.__table__
        primary_key = tuple_(table.c.tenant_id, table.c.kind, table.c.key)
        due = select(table.c.tenant_id, table.c.kind, table.c.key).where(
            table.c.due_at <= now, table.c.kind.in_(kinds)
        )
        if only is not None:
            due = due.where(table.c.tenant_id == only.tenant, table.c.kind == only.kind, table.c.key == only.key)
        due = due.order_by(table.c.due_at).limit(limit)
        if self.database.is_postgresql:
            due = due.with_for_update(skip_locked=True)
        rows = connection.execute(
            delete(table).where(primary_key.in_(due)).returning(
                table.c.tenant_id, table.c.kind, table.c.key, table.c.due_at, table.c.payload, table.c.attempts
            )
        ).all()
        timers = [FiredTimer(row.kind, row.key, row.due_at, row.payload or {}, row.tenant_id, row.attempts)
                  for row in rows]
        timers.sort(key=lambda timer: timer.due_at)
        return timers

    def _run_handlers(self, connection: Connection, timers: Sequence[FiredTimer]) -> None:
        by_tenant: dict[str, list[FiredTimer]] = {}
        for timer in timers:
            by_tenant.setdefault(timer.tenant, []).append(timer)
        for tenant, group in by_tenant.items():
            caller_token = set_caller(Caller(tenant_id=tenant, subject=self.database.service, kind="service"))
            try:
                with self.database.session_on(connection, tenant) as session:
                    by_kind: dict[str, list[FiredTimer]] = {}
                    for timer in group:
                        by_kind.setdefault(timer.kind, []).append(timer)
                    for kind, timers in by_kind.items():
                        handler = self.handlers[kind]
                        if getattr(handler, _IN_BATCHES, False):
                            handler(session, timers)
                        else:
                            for timer in timers:
                                handler(session, timer)
            finally:
                reset_caller(caller_token)

    def _fire_one(self, timer: FiredTimer, now: datetime) -> int:
        """Fire one timer in its own transaction (after its batch failed); 1 when it fired."""
        try:
            with self.database.batch(wake_relay=False) as connection:
                claimed = self._claim(connection, now, 1, [timer.kind], only=timer)
                self._run_handlers(connection, claimed)
        except Exception as exc:  # noqa: BLE001 - this timer alone is put back
            self._record_failure(timer, exc, now)
            return 0
        self._count_fired(claimed, now)
        return len(claimed)

    def _record_failure(self, timer: FiredTimer, exc: Exception, now: datetime) -> None:
        attempts = timer.attempts + 1
        retry_at = now + backoff(attempts)
        log.warning(
            "timer %s/%s of tenant %s failed (attempt %d), retrying at %s: %r",
            timer.kind, timer.key, timer.tenant, attempts, retry_at.isoformat(), exc,
            exc_info=(type(exc), exc, exc.__traceback__),
        )
        TIMER_FAILURES.labels(self.database.service, timer.kind).inc()
        table = Timer.__table__
        with self.database.engine.begin() as connection:
            # Only the row that failed: a timer rescheduled meanwhile keeps its new due time.
            connection.execute(
                update(table)
                .where(table.c.tenant_id == timer.tenant, table.c.kind == timer.kind, table.c.key == timer.key,
                       table.c.due_at == timer.due_at)
                .values(attempts=attempts, due_at=retry_at, last_error=f"{type(exc).__name__}: {exc}"[:MAX_ERROR])
            )

    def _count_fired(self, timers: Sequence[FiredTimer], now: datetime) -> None:
        if not timers:
            return
        for kind, count in Tally(timer.kind for timer in timers).items():
            TIMERS_FIRED.labels(self.database.service, kind).inc(count)
        lag = TIMER_LAG_SECONDS.labels(self.database.service)
        for timer in timers:
            lag.observe(max((now - timer.due_at).total_seconds(), 0.0))

    def next_due(self) -> datetime | None:
        """The earliest due time among the timers this process handles."""
        table = Timer.__table__
        with self.database.engine.connect() as connection:
            return connection.execute(
                select(func.min(table.c.due_at)).where(table.c.kind.in_(self.kinds))
            ).scalar()

    def due_backlog(self, now: datetime | None = None) -> dict[str, int]:
        """kind -> number of timers due at `now` and not fired yet (every kind, handled here or not)."""
        table = Timer.__table__
        now = utcnow() if now is None else _utc(now, "now")
        with self.database.engine.connect() as connection:
            rows = connection.execute(
                select(table.c.kind, func.count()).where(table.c.due_at <= now).group_by(table.c.kind)
            ).all()
        return {kind: count for kind, count in rows}


def fire_due(
    database: Database, handlers: Mapping[str, TimerHandler], *, now: datetime | None = None,
    batch_size: int = BATCH_SIZE,
) -> int:
    """Fire every timer due at `now` (default: the clock) synchronously; returns how many fired.

    Tests use it to fast-forward: `fire_due(db, TIMERS, now=assigned_at + timedelta(hours=49))`. Timers that a
    handler schedules at or before `now` fire in the same call; failed ones are put back after `now`.
    """
    firer = TimerFirer(database, handlers)
    total = 0
    while True:
        fired, claimed = firer.fire_batch(now, batch_size)
        total += fired
        if claimed == 0:
            return total


class TimerWorker:
    """The thread that fires a service's timers: polls every `poll_seconds`, sooner when a timer falls due or when
    this process schedules one that is due before the next poll."""

    def __init__(
        self, database: Database, handlers: Mapping[str, TimerHandler], *, poll_seconds: float = 1.0,
        batch_size: int = BATCH_SIZE,
    ):
        self.database = database
        self.firer = TimerFirer(database, handlers)
        self.poll_seconds = poll_seconds
        self.batch_size = batch_size
        self.fired = 0  # timers this worker fired (benches report the split between replicas)
        self.passes = 0  # completed polls
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"timers-{database.service}", daemon=True)
        self._backlog_recorded_at = 0.0
        self._unhandled_warned_at = 0.0
        _register(database, self)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stopping.set()
        self._wake.set()
        if self._thread.is_alive():
            self._thread.join(timeout=30)
        _unregister(self.database, self)

    def is_alive(self) -> bool:
        return self._thread.is_alive()

    def notice(self, due_at: datetime) -> None:
        """A timer due at `due_at` was scheduled in this process: wake up if that is before the next poll."""
        if due_at <= utcnow() + timedelta(seconds=self.poll_seconds):
            self._wake.set()

    def _run(self) -> None:
        failures = 0
        while not self._stopping.is_set():
            self._wake.clear()
            try:
                while not self._stopping.is_set():
                    fired, claimed = self.firer.fire_batch(batch_size=self.batch_size)
                    self.fired += fired
                    if claimed < self.batch_size:
                        break
                self._record_backlog()
                delay = self._delay_until_next_due()
                failures = 0
                self.passes += 1
            except Exception as exc:  # noqa: BLE001 - the worker must outlive database outages
                delay = WORKER_FAILURE_BACKOFF_SECONDS[min(failures, len(WORKER_FAILURE_BACKOFF_SECONDS) - 1)]
                failures += 1
                log.warning("timers of %s failed (%r); retrying in %.1fs", self.database.service, exc, delay)
            self._wake.wait(delay)

    def _delay_until_next_due(self) -> float:
        next_due = self.firer.next_due()
        if next_due is None:
            return self.poll_seconds
        return min(self.poll_seconds, max((next_due - utcnow()).total_seconds(), MIN_SLEEP_SECONDS))

    def _record_backlog(self) -> None:
        if time.monotonic() - self._backlog_recorded_at < BACKLOG_REFRESH_SECONDS:
            return
        self._backlog_recorded_at = time.monotonic()
        backlog = self.firer.due_backlog()
        TIMER_BACKLOG.labels(self.database.service).set(sum(backlog.values()))
        unhandled = {kind: count for kind, count in backlog.items() if kind not in self.firer.handlers}
        if unhandled and time.monotonic() - self._unhandled_warned_at >= UNHANDLED_WARNING_SECONDS:
            self._unhandled_warned_at = time.monotonic()
            log.warning("%s has due timers of kinds without a handler here (kept until a replica handles them): %s",
                        self.database.service, unhandled)


# In-process wake-ups: a commit that scheduled a timer due before the next poll wakes this database's workers.
_workers: weakref.WeakKeyDictionary[Database, list[TimerWorker]] = weakref.WeakKeyDictionary()
_workers_lock = threading.Lock()


def _register(database: Database, worker: TimerWorker) -> None:
    with _workers_lock:
        _workers.setdefault(database, []).append(worker)


def _unregister(database: Database, worker: TimerWorker) -> None:
    with _workers_lock:
        workers = _workers.get(database, [])
        if worker in workers:
            workers.remove(worker)


@event.listens_for(Session, "after_commit")
def _wake_timer_workers(session: Session) -> None:
    due_at = session.info.pop(_SCHEDULED_DUE, None)
    if due_at is None:
        return
    database = session.info.get(DATABASE)
    if database is None:
        return
    with _workers_lock:
        workers = list(_workers.get(database, []))
    for worker in workers:
        worker.notice(due_at)
