"""Database access: one engine per service, sessions scoped to one tenant.

The kernel adds `tenant_id = :tenant` to every ORM query on a TenantScoped model and stamps new rows with the
session's tenant, so a forgotten filter cannot leak another tenant's data (R-SEC-4). Raw SQL (`text()`) is
not rewritten: code that uses it filters by tenant itself.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterator
from datetime import UTC, datetime

from sqlalchemy import DateTime, String, TypeDecorator, create_engine, event, text
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

from services.core.errors import PermissionDenied
from services.core.i18n import t

# Session.info keys
TENANT = "crm_tenant"
DATABASE = "crm_database"
OUTBOX_WRITTEN = "crm_outbox_written"

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
    scoped = [m.class_ for m in state.all_mappers if _is_tenant_scoped(m.class_)]
    if tenant is None:
        if scoped:
            raise TenantScopeError("tenant data touched from a session that has no tenant")
        return
    if state.is_insert:
        if scoped:
            _check_inserted_tenant(state, tenant)
    elif state.is_update and state.is_executemany:
        # "UPDATE by primary key" with a list of rows: loader criteria do not apply to it, so filter explicitly.
        if scoped:
            state.statement = state.statement.where(scoped[0].tenant_id == tenant).execution_options(
                synchronize_session=None
            )
    elif state.is_select or state.is_update or state.is_delete:
        # Applied even when no mapper is visible (e.g. select(func.count()).select_from(Model)).
        state.statement = state.statement.options(
            with_loader_criteria(TenantScoped, lambda cls: cls.tenant_id == tenant, include_aliases=True)
        )


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
    tenant = session.info.get(TENANT)
    for obj in list(session.new) + list(session.dirty):
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


@event.listens_for(Session, "after_commit")
def _wake_outbox_relay(session: Session) -> None:
    if session.info.pop(OUTBOX_WRITTEN, False):
        database = session.info.get(DATABASE)
        if database is not None:
            database.notify_outbox()


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


def make_engine(url: str, schema: str) -> Engine:
    """An engine whose connections see only `schema` (PostgreSQL) or their own file (SQLite)."""
    if url.startswith("sqlite"):
        if url.startswith("sqlite:///") and url != "sqlite:///:memory:":
            from pathlib import Path

            Path(url[len("sqlite:///") :]).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})
        _configure_sqlite(engine)
        return engine
    # No pool_pre_ping: it costs a round trip per transaction. A connection the server dropped fails once with
    # OperationalError (UNAVAILABLE to gRPC callers, a retry for consumers) and SQLAlchemy then invalidates the
    # whole pool; pool_recycle retires connections before server or proxy idle timeouts do.
    return create_engine(
        url,
        pool_size=10,
        max_overflow=20,
        pool_recycle=1800,
        connect_args={"options": f"-csearch_path={schema}", "connect_timeout": 5},
    )


class Database:
    """One service's database: engine, tenant-scoped sessions and the hook that wakes the outbox relay."""

    def __init__(self, service: str, url: str):
        self.service = service
        self.url = url
        self.engine = make_engine(url, schema=service)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        self._outbox_listeners: list[Callable[[], None]] = []
        self._lock = threading.Lock()

    @property
    def is_postgresql(self) -> bool:
        return self.engine.dialect.name == "postgresql"

    @contextlib.contextmanager
    def session(self, tenant: str) -> Iterator[Session]:
        """A transaction scoped to one tenant; commits on success, rolls back on error."""
        if not tenant:
            raise TenantScopeError("a tenant session needs a tenant id")
        with self._open(tenant) as session:
            yield session

    @contextlib.contextmanager
    def batch(self) -> Iterator[Connection]:
        """One transaction for several units of work (see session_on); commits at the end, all or nothing."""
        with self.engine.connect() as connection, connection.begin():
            yield connection
        self.notify_outbox()

    @contextlib.contextmanager
    def session_on(self, connection: Connection, tenant: str) -> Iterator[Session]:
        """A tenant session inside `connection`'s transaction: it flushes on success but never commits; an error
        rolls the whole transaction back."""
        if not tenant:
            raise TenantScopeError("a tenant session needs a tenant id")
        session = Session(
            bind=connection, join_transaction_mode="rollback_only", expire_on_commit=False,
            info={TENANT: tenant, DATABASE: self},
        )
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
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

    def on_outbox_commit(self, listener: Callable[[], None]) -> None:
        with self._lock:
            self._outbox_listeners.append(listener)

    def notify_outbox(self) -> None:
        for listener in list(self._outbox_listeners):
            listener()

    def dispose(self) -> None:
        self.engine.dispose()


# Each service declares `class Base(DeclarativeBase): type_annotation_map = TYPE_ANNOTATION_MAP` so that its
# tables get their own MetaData (its own schema and migrations) and timestamps stay timezone-aware.
TYPE_ANNOTATION_MAP = {datetime: UTCDateTime()}
