"""Database access: one engine per service, sessions scoped to one tenant.

The kernel adds `tenant_id = :tenant` to every ORM query on a TenantScoped model and stamps new rows with the
session's tenant, so a forgotten filter cannot leak another tenant's data (R-SEC-4). Raw SQL (`text()`) is
not rewritten: code that uses it filters by tenant itself.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import UTC, datetime

from sqlalchemy import BindParameter, Column, DateTime, String, TypeDecorator, bindparam, create_engine, event, text
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import (
    Mapped,
    ORMExecuteState,
    Session,
    mapped_column,
    sessionmaker,
    with_loader_criteria,
)

from services.core import abandoned
from services.core.errors import PermissionDenied
from services.core.i18n import t

# Session.info keys
TENANT = "crm_tenant"
DATABASE = "crm_database"
OUTBOX_WRITTEN = "crm_outbox_written"
# The outbox rows the transaction wrote (services/core/events.py), as dicts of their columns; OUTBOX_WRITTEN is
# OUTBOX_ROWS (not True) while those are all it wrote.
OUTBOX_ROWS = "crm_outbox_rows"
_BATCH = "crm_batch_connection"  # the Connection of Database.batch() a session_on session works in
_BATCH_UNKNOWN_ROWS = "crm_batch_unknown_outbox_rows"  # a session of the batch wrote outbox rows of unknown ids

# The tenant of a kernel session that deliberately spans tenants (outbox relay, migrations).
ALL_TENANTS = object()


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator):
    """Timezone-aware timestamps on every backend. SQLite keeps the clock reading and drops the zone, so values
    are stored in UTC (a Shanghai 10:00 would otherwise read back as 10:00 UTC) and UTC is restored on read."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):  # noqa: ANN001, ANN201
        if isinstance(value, datetime) and value.tzinfo is not None:
            return value.astimezone(UTC)
        return value

    def process_result_value(self, value, dialect):  # noqa: ANN001, ANN201
        if isinstance(value, datetime) and value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value


class TenantScoped:
    """Mixin for every table that holds tenant data."""

    tenant_id: Mapped[str] = mapped_column(String(64), index=True)


class TenantScopeError(RuntimeError):
    """Programming error: tenant data touched from a session without a tenant."""


@event.listens_for(Session, "do_orm_execute")
def _scope_queries_to_tenant(state: ORMExecuteState) -> None:
    tenant = state.session.info.get(TENANT)
    if tenant is ALL_TENANTS:
        return
    if tenant is None:
        if _scoped_classes(state):
            raise TenantScopeError("tenant data touched from a session that has no tenant")
        return
    if state.is_insert:
        if _scoped_classes(state):
            _check_inserted_tenant(state, tenant)
    elif state.is_update and state.is_executemany:
        # "UPDATE by primary key" with a list of rows: loader criteria do not apply to it, so filter explicitly.
        scoped = _scoped_classes(state)
        if scoped:
            state.statement = state.statement.where(scoped[0].tenant_id == tenant).execution_options(
                synchronize_session=None
            )
    elif state.is_select or state.is_update or state.is_delete:
        # Applied even when no mapper is visible (e.g. select(func.count()).select_from(Model)).
        state.statement = state.statement.options(_tenant_criteria(tenant))


def _scoped_classes(state: ORMExecuteState) -> list[type]:
    return [m.class_ for m in state.all_mappers if _is_tenant_scoped(m.class_)]


_criteria: dict[str, object] = {}
_MAX_CACHED_CRITERIA = 4096


def _tenant_criteria(tenant: str):  # noqa: ANN202
    """The loader option `tenant_id = :tenant` for every TenantScoped entity, built once per tenant (building it
    costs more than the rest of the hook; options are immutable, so one serves every thread). The lambda's
    closure becomes a bound parameter: every tenant shares one compiled statement."""
    option = _criteria.get(tenant)
    if option is None:
        if len(_criteria) >= _MAX_CACHED_CRITERIA:
            _criteria.clear()
        option = _criteria[tenant] = with_loader_criteria(
            TenantScoped, lambda cls: cls.tenant_id == tenant, include_aliases=True
        )
    return option


def _check_inserted_tenant(state: ORMExecuteState, tenant: str) -> None:
    """ORM INSERT statements skip the flush hook: fill in the session's tenant, refuse any other."""
    rows = state.parameters if isinstance(state.parameters, list) else [state.parameters or {}]
    for row in rows:
        if isinstance(row, dict):
            if row.get("tenant_id") is None:
                row["tenant_id"] = tenant
            elif row["tenant_id"] != tenant:
                raise PermissionDenied(t("record belongs to another tenant"))
    inline = state.statement.compile().params.get("tenant_id")
    if inline is not None and inline != tenant:
        raise PermissionDenied(t("record belongs to another tenant"))


@event.listens_for(Session, "before_flush")
def _stamp_new_rows_with_tenant(session: Session, flush_context, instances) -> None:  # noqa: ANN001
    check_tenant(session, *session.new, *session.dirty)


@event.listens_for(Session, "after_commit")
def _wake_outbox_relay(session: Session) -> None:
    if session.in_nested_transaction():
        return  # a savepoint was released: the rows are not committed yet
    written = session.info.pop(OUTBOX_WRITTEN, False)
    if written:
        rows = session.info.pop(OUTBOX_ROWS, None)
        if written is not OUTBOX_ROWS:
            rows = None  # rows written some other way too (a COPY): they are not known here
        batch = session.info.get(_BATCH)
        if batch is not None:
            # Database.batch() commits later, then wakes the relay.
            batch.info[OUTBOX_WRITTEN] = True
            if rows is None:
                batch.info[_BATCH_UNKNOWN_ROWS] = True
            else:
                batch.info.setdefault(OUTBOX_ROWS, []).extend(rows)
            return
        database = session.info.get(DATABASE)
        if database is not None:
            database.notify_outbox(rows)


_TRANSACTION_CACHE = "crm_transaction_cache"


def transaction_cache(session: Session) -> dict:
    """A dict that lives as long as the session's transaction: for settings read once per transaction rather than
    once per use (a consumer batch applies many events in one session). Whoever changes a setting in the
    transaction drops its entry."""
    cache = session.info.get(_TRANSACTION_CACHE)
    if cache is None:
        cache = session.info[_TRANSACTION_CACHE] = {}
    return cache


@event.listens_for(Session, "after_transaction_end")
def _forget_transaction_cache(session: Session, transaction) -> None:  # noqa: ANN001
    if transaction.parent is None:
        session.info.pop(_TRANSACTION_CACHE, None)


def fill_scalar_defaults(obj: object) -> None:
    """Give every column attribute of a new ORM object that is still unset its scalar Python-side default, as the
    flush would: code that looks at the object before it is flushed (to write it once, complete) sees the values
    it will have. Callable defaults (ids, timestamps) are left to the flush."""
    state = sa_inspect(obj)
    values = state.dict
    for attribute in state.mapper.column_attrs:
        if attribute.key in values:
            continue
        default = attribute.columns[0].default
        if default is not None and default.is_scalar:
            setattr(obj, attribute.key, default.arg)


def check_tenant(session: Session, *objects: object) -> None:
    """The kernel's tenant rule for rows being written: a tenant-scoped row without a tenant takes the session's, one
    of another tenant is refused, and a session of all tenants writes only rows that name theirs. Every flush applies
    it to the ORM objects it writes; code that writes rows with its own statements calls it for them."""
    tenant = session.info.get(TENANT)
    for obj in objects:
        if not isinstance(obj, TenantScoped):
            continue
        if tenant is ALL_TENANTS:
            if not obj.tenant_id:
                raise TenantScopeError(f"{type(obj).__name__} written without tenant_id")
            continue
        if tenant is None:
            raise TenantScopeError(f"{type(obj).__name__} written from a session that has no tenant")
        if obj.tenant_id is None:
            obj.tenant_id = tenant
        elif obj.tenant_id != tenant:
            raise PermissionDenied(t("record belongs to another tenant"))


def insert_values(obj: object) -> dict:
    """{column name: value} of a new ORM object as its INSERT would write them, for code that inserts it with its
    own Core statement: unset columns get their Python-side default, or None, set on the object too (as a flush
    does, so that reading them later costs no load). The object must not be in a session's `new` (it would be
    inserted twice). Columns without a value and without a default stay out (the id a sequence makes)."""
    state = sa_inspect(obj)
    values = state.dict
    row = {}
    for attribute in state.mapper.column_attrs:
        column = attribute.columns[0]
        if attribute.key not in values:
            default = column.default
            if default is not None and (default.is_scalar or default.is_callable):
                setattr(obj, attribute.key, default.arg if default.is_scalar else default.arg(None))
            elif column.primary_key and column.autoincrement is not False:
                continue
            else:
                setattr(obj, attribute.key, None)
        row[column.name] = values[attribute.key]
    return row


class BoundRow:
    """One row of a table in a hand-written INSERT (a hot path writing several tables in one statement, ADR 0024):
    its values bound as `<prefix>_<column>`, each typed as its column (JSON, UTC timestamps), as the ORM binds them.
    `columns`: the ones written."""

    def __init__(self, prefix: str, columns: Iterable[Column]):
        self.prefix = prefix
        self.columns = tuple(columns)

    @property
    def names(self) -> str:
        """The column list: `a, b`."""
        return ", ".join(column.name for column in self.columns)

    @property
    def placeholders(self) -> str:
        """The values: `:<prefix>_a, :<prefix>_b`."""
        return ", ".join(f":{self.prefix}_{column.name}" for column in self.columns)

    def binds(self) -> list[BindParameter]:
        """For `text(...).bindparams(*row.binds())`."""
        return [bindparam(f"{self.prefix}_{column.name}", type_=column.type) for column in self.columns]

    def parameters(self, values: dict) -> dict:
        """{column name: value} (insert_values) as the statement's parameters."""
        return {f"{self.prefix}_{name}": value for name, value in values.items()}


def upsert_insert(bind: Engine | Connection | Session):  # noqa: ANN201
    """The dialect's INSERT construct, which has on_conflict_do_nothing/do_update (PostgreSQL and SQLite)."""
    if isinstance(bind, Session):
        bind = bind.get_bind()
    return postgresql_insert if bind.dialect.name == "postgresql" else sqlite_insert


def _is_tenant_scoped(cls: type) -> bool:
    return isinstance(cls, type) and issubclass(cls, TenantScoped)


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_connection, _record) -> None:  # noqa: ANN001
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()


# Connections a service keeps open (CRM_DB_POOL_SIZE), and how many more it may open for a while. Sized to the
# threads that use the database at once (gRPC workers, consumers, relay, timers): a connection opened beyond the pool
# is closed when it comes back, so an undersized pool makes busy requests pay a connect (and the server a backend).
DEFAULT_POOL_SIZE = 20
MAX_OVERFLOW = 10


# A server that vanishes without closing its connections (a failover to another host, a partition) would leave a
# query waiting for the kernel's TCP retransmission timeout (about 15 minutes), and an idle pooled connection
# unnoticed until used. Keepalive probes find a dead idle connection within about a minute; tcp_user_timeout fails
# a query whose request goes unacknowledged for 30 s. Both become OperationalError: UNAVAILABLE for gRPC callers, a
# wait for consumers (ADR 0027).
TCP_LIVENESS = {"keepalives": 1, "keepalives_idle": 30, "keepalives_interval": 10, "keepalives_count": 3,
                "tcp_user_timeout": 30_000}


def make_engine(url: str, schema: str, *, pool_size: int = DEFAULT_POOL_SIZE, max_overflow: int = MAX_OVERFLOW,
                synchronous_commit: bool = True) -> Engine:
    """An engine whose connections see only `schema` (PostgreSQL) or their own file (SQLite).

    `synchronous_commit=False` (PostgreSQL): a commit returns before its WAL record is on disk; a crash may then lose
    the last commits, so only for work that is safe to repeat (the outbox relay's deletes)."""
    if url.startswith("sqlite"):
        if url.startswith("sqlite:///") and url != "sqlite:///:memory:":
            from pathlib import Path

            Path(url[len("sqlite:///") :]).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})
        _configure_sqlite(engine)
        abandoned.watch(engine)
        return engine
    # No pool_pre_ping: it costs a round trip per transaction. A connection the server dropped fails once with
    # OperationalError (UNAVAILABLE to gRPC callers, a retry for consumers) and SQLAlchemy then invalidates the
    # whole pool; pool_recycle retires connections before server or proxy idle timeouts do.
    options = f"-csearch_path={schema}" + ("" if synchronous_commit else " -csynchronous_commit=off")
    engine = create_engine(
        url,
        pool_size=pool_size,
        max_overflow=max_overflow,
        pool_recycle=1800,
        connect_args={"options": options, "connect_timeout": 5, **TCP_LIVENESS},
    )
    # An INSERT of several rows (a transaction's outbox rows, a lead's reclaim timers, match keys) as ONE statement
    # with a multi-row VALUES, as SQLAlchemy already does when it needs RETURNING: psycopg's own executemany
    # pipelines one statement per row and costs several times the client CPU (ADR 0020).
    engine.dialect.use_insertmanyvalues_wo_returning = True
    abandoned.watch(engine)
    return engine


class Database:
    """One service's database: engine, tenant-scoped sessions and the hook that wakes the outbox relay."""

    def __init__(self, service: str, url: str, *, pool_size: int = DEFAULT_POOL_SIZE):
        """`pool_size`: connections kept open (more are opened when needed, and closed when they come back to a
        full pool: size it to the threads that use the database at once, or every request may pay a connect)."""
        self.service = service
        self.url = url
        self.engine = make_engine(url, schema=service, pool_size=pool_size)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        self._outbox_listeners: list[Callable[[Sequence[str] | None], None]] = []
        self._lock = threading.Lock()
        self._relay_engine: Engine | None = None

    @property
    def is_postgresql(self) -> bool:
        return self.engine.dialect.name == "postgresql"

    @property
    def relay_engine(self) -> Engine:
        """The outbox relay's engine. On PostgreSQL its commits do not wait for the WAL flush: a relay transaction
        only deletes rows it has published, and if a crash loses that commit the rows are published again, which
        consumers' inboxes absorb (ADR 0003). SQLite: the service's engine."""
        if not self.is_postgresql:
            return self.engine
        with self._lock:
            if self._relay_engine is None:
                self._relay_engine = make_engine(self.url, schema=self.service, pool_size=1, max_overflow=1,
                                                 synchronous_commit=False)
            return self._relay_engine

    @contextlib.contextmanager
    def session(self, tenant: str) -> Iterator[Session]:
        """A transaction scoped to one tenant; commits on success, rolls back on error."""
        if not tenant:
            raise TenantScopeError("a tenant session needs a tenant id")
        with self._open(tenant) as session:
            yield session

    @contextlib.contextmanager
    def batch(self, *, wake_relay: bool = True) -> Iterator[Connection]:
        """One transaction for several units of work (see session_on); commits at the end, all or nothing.

        Then wakes the outbox relay; with `wake_relay=False` only when a session_on session wrote events (the
        caller writes the outbox through sessions only)."""
        with self.engine.connect() as connection:
            try:
                with connection.begin():
                    yield connection
                wrote = connection.info.get(OUTBOX_WRITTEN, False)
                rows = None if connection.info.get(_BATCH_UNKNOWN_ROWS) else connection.info.get(OUTBOX_ROWS)
            finally:
                for key in (OUTBOX_WRITTEN, OUTBOX_ROWS, _BATCH_UNKNOWN_ROWS):  # the dict outlives the checkout
                    connection.info.pop(key, None)
        if wake_relay:
            self.notify_outbox()  # the caller may have written rows itself: they are unknown
        elif wrote:
            self.notify_outbox(rows)

    @contextlib.contextmanager
    def session_on(self, connection: Connection, tenant: str) -> Iterator[Session]:
        """A tenant session inside `connection`'s transaction: it flushes on success but never commits; an error
        rolls the whole transaction back."""
        session = self.open_on(connection, tenant)
        try:
            yield session
        except BaseException:
            self.abandon_on(session)
            raise
        self.finish_on(session)

    def open_on(self, connection: Connection, tenant: str) -> Session:
        """session_on without the context manager: end it with finish_on, or abandon_on after an error."""
        if not tenant:
            raise TenantScopeError("a tenant session needs a tenant id")
        return Session(
            bind=connection, join_transaction_mode="rollback_only", expire_on_commit=False,
            info={TENANT: tenant, DATABASE: self, _BATCH: connection},
        )

    def finish_on(self, session: Session) -> None:
        """Flush what the session wrote (and its outbox rows) into the connection's transaction; batch() commits
        it, then wakes the outbox relay if some session wrote events."""
        try:
            session.commit()
        except BaseException:
            self.abandon_on(session)
            raise
        session.close()

    def abandon_on(self, session: Session) -> None:
        try:
            session.rollback()
        finally:
            session.close()

    @contextlib.contextmanager
    def kernel_session(self) -> Iterator[Session]:
        """A transaction that spans tenants, for kernel machinery only (outbox relay, migrations)."""
        with self._open(ALL_TENANTS) as session:
            yield session

    @contextlib.contextmanager
    def _open(self, tenant: object) -> Iterator[Session]:
        session = self._sessions(info={TENANT: tenant, DATABASE: self})
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    def ping(self) -> None:
        with self.engine.connect() as connection:
            connection.execute(text("SELECT 1"))

    def on_outbox_commit(self, listener: Callable[[Sequence[dict] | None], None]) -> None:
        """`listener(rows)` after a commit that wrote outbox rows: the rows (dicts of their columns), or None when
        they are not known."""
        with self._lock:
            self._outbox_listeners.append(listener)

    def notify_outbox(self, rows: Sequence[dict] | None = None) -> None:
        for listener in list(self._outbox_listeners):
            listener(rows)

    def dispose(self) -> None:
        self.engine.dispose()
        if self._relay_engine is not None:
            self._relay_engine.dispose()


# Each service declares `class Base(DeclarativeBase): type_annotation_map = TYPE_ANNOTATION_MAP` so that its
# tables get their own MetaData (its own schema and migrations) and timestamps stay timezone-aware.
TYPE_ANNOTATION_MAP = {datetime: UTCDateTime()}
