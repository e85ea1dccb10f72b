"""Database work of a gRPC call whose caller has gone (ADR 0031).

When a call's deadline passes, or its client cancels it, gRPC answers the client at once, but the handler thread
runs on. A handler stuck behind a row lock then kept its worker thread and its pooled connection for as long as the
lock was held, and a burst of such calls took every worker: the service stopped answering anything. Worse, the call
could still commit after its caller had been told it failed, and a retry then did the work twice.

So each call's handler records the connections it checks out of the pool (`CallWork`); when the call ends while the
handler still runs, the statement running on each is cancelled, and the call's later session statements are
refused (`CallAbandoned`). The handler then fails and rolls back, and the interceptor ends the call as the caller
already saw it.
"""

from __future__ import annotations

import contextvars
import logging
import threading
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

log = logging.getLogger("crm.grpc")


class CallAbandoned(Exception):  # noqa: N818 - what happened, not an error of the code
    """A statement of a call whose caller has gone: refused."""


class CallWork:
    """The pooled database connections one gRPC call's handler holds."""

    __slots__ = ("_connections", "_lock", "abandoned", "finished")

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._connections: list[object] = []
        self.finished = False  # the handler returned or raised
        self.abandoned = False  # the call ended before the handler did

    def hold(self, dbapi_connection: object) -> None:
        with self._lock:
            self._connections.append(dbapi_connection)

    def release(self, dbapi_connection: object) -> None:
        # Under the lock that _cancel_held() holds: once a connection is back in the pool, and possibly another
        # call's, no cancel of this call reaches it (a cancel that arrives while the server waits for a command is
        # ignored).
        with self._lock:
            self._connections.remove(dbapi_connection)

    def call_ended(self) -> None:
        """gRPC's callback at the end of the call: cancel what the handler still runs. It runs in the server's
        polling thread, which must not wait for a database that may not answer: the cancel is sent from a thread
        of its own."""
        if self.finished:
            return
        self.abandoned = True
        _cancellers.submit(self._cancel_held)

    def _cancel_held(self) -> None:
        with self._lock:
            for connection in self._connections:
                _cancel(connection)


def _cancel(dbapi_connection: object) -> None:
    try:
        if hasattr(dbapi_connection, "cancel_safe"):  # psycopg: a cancel request to the server, bounded in time
            dbapi_connection.cancel_safe(timeout=5)
        elif hasattr(dbapi_connection, "interrupt"):  # sqlite3
            dbapi_connection.interrupt()
    except Exception:  # noqa: BLE001 - the handler then runs to its end, as it did before
        log.warning("could not cancel the database work of an abandoned call", exc_info=True)


# Few threads: a cancel takes a millisecond, or at most its timeout when the database does not answer.
_cancellers = ThreadPoolExecutor(max_workers=2, thread_name_prefix="cancel-abandoned")

current_work: contextvars.ContextVar[CallWork | None] = contextvars.ContextVar("crm_call_work", default=None)


def watch(engine: Engine) -> None:
    """Make the connections that gRPC handlers check out of `engine`'s pool cancellable."""

    @event.listens_for(engine, "checkout")
    def _checkout(dbapi_connection, record, _proxy) -> None:  # noqa: ANN001
        work = current_work.get()
        if work is not None:
            work.hold(dbapi_connection)
            record.info[_HELD_BY] = (work, dbapi_connection)

    @event.listens_for(engine, "checkin")
    def _checkin(_dbapi_connection, record) -> None:  # noqa: ANN001 - None when the connection was invalidated
        held = record.info.pop(_HELD_BY, None)
        if held is not None:
            work, dbapi_connection = held
            work.release(dbapi_connection)


_HELD_BY = "crm_call_work"


def _refuse_statements_of_abandoned_calls(*_args: object) -> None:
    """A cancel ends the statement running at that moment; a handler between statements (busy in Python, or a loop
    of short ones) would go on to its end. Its next session statement, flush or commit is refused instead. Here
    rather than on every cursor execution, which costs each statement of the platform about 4 µs (SQLite, `SELECT
    1`: 13.6 -> 17.6 µs). Statements run on a session's connection directly are not checked, but the commit is: what
    they wrote is rolled back."""
    work = current_work.get()
    if work is not None and work.abandoned:
        raise CallAbandoned("the caller went away; no more statements for this call")


event.listen(Session, "do_orm_execute", _refuse_statements_of_abandoned_calls)
event.listen(Session, "before_flush", _refuse_statements_of_abandoned_calls)
event.listen(Session, "before_commit", _refuse_statements_of_abandoned_calls)
