"""Idempotency keys on POST (header `Idempotency-Key`): the same key and request replay the first answer.

The first request inserts a row, unique per (tenant, principal, key), *before* calling the service, so a
concurrent duplicate hits the unique constraint and gets 409 instead of creating twice; the answer is stored
when it is known. The same key with another request (method, path or body) gets 422. Rows expire after 24 hours
(an expired row counts as absent; services/gateway/housekeeping.py deletes them); a row left in flight by a
crashed gateway is taken over after IN_FLIGHT_LIMIT. The same on SQLite and
PostgreSQL: a unique constraint and a compare-and-set UPDATE, no lock in Python.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
from collections.abc import Callable
from datetime import timedelta

from flask import Response, request
from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError

from services.core.db import Database, utcnow
from services.core.i18n import t
from services.gateway.models import IdempotencyRecord
from services.gateway.principal import Principal
from services.gateway.rest.problems import Problem

HEADER = "Idempotency-Key"
RETENTION = timedelta(hours=24)
IN_FLIGHT_LIMIT = timedelta(minutes=5)  # far beyond any call's deadline
MAX_KEY_LENGTH = 200


def fingerprint() -> str:
    """SHA-256 of method, path and body; a JSON body in canonical form, so key order and spaces don't matter."""
    body = request.get_data()
    with contextlib.suppress(ValueError):
        body = json.dumps(json.loads(body), sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
    digest = hashlib.sha256(f"{request.method} {request.path}\n".encode())
    digest.update(body)
    return digest.hexdigest()


def once(database: Database, principal: Principal, key: str, call: Callable[[], Response]) -> Response:
    """`call()` at most once per key; its answer (unless a 5xx, which may be retried) for every repeat."""
    if not key.strip() or len(key) > MAX_KEY_LENGTH:
        raise Problem(400, t("{header} must have 1 to {max} characters", header=HEADER, max=MAX_KEY_LENGTH))
    tenant, subject, request_fingerprint, now = principal.tenant_id, f"{principal.kind}:{principal.subject}", \
        fingerprint(), utcnow()
    try:
        with database.session(tenant) as session:
            session.add(IdempotencyRecord(subject=subject, key=key, fingerprint=request_fingerprint, created_at=now))
    except IntegrityError:
        replay = _earlier(database, tenant, subject, key, request_fingerprint)
        if replay is not None:
            return replay
    try:
        response = call()
    except BaseException:
        _forget(database, tenant, subject, key)
        raise
    if response.status_code >= 500:
        _forget(database, tenant, subject, key)  # worth retrying: the key may be used again
        return response
    with database.session(tenant) as session:
        session.execute(update(IdempotencyRecord).where(*_row(subject, key)).values(
            status=response.status_code, body=response.get_data(), mimetype=response.mimetype))
    return response


def _row(subject: str, key: str) -> tuple:
    return IdempotencyRecord.subject == subject, IdempotencyRecord.key == key


def _earlier(database: Database, tenant: str, subject: str, key: str, request_fingerprint: str) -> Response | None:
    """The stored answer, a problem, or None when the caller may go ahead (an abandoned row was taken over).
    A row that vanished meanwhile was a failed first request: 409, and the retry goes through."""
    with database.session(tenant) as session:
        record = session.scalar(select(IdempotencyRecord).where(*_row(subject, key)))
        now = utcnow()
        if record is not None and now - record.created_at >= RETENTION:
            # Expired but not yet swept: the key is free again; take the row over (compare-and-set, one winner).
            taken = session.execute(update(IdempotencyRecord).where(
                IdempotencyRecord.id == record.id, IdempotencyRecord.created_at == record.created_at).values(
                created_at=now, fingerprint=request_fingerprint, status=None, body=None, mimetype=None)).rowcount
            if taken == 1:
                return None
            raise Problem(409, t("a request with this {header} is still in progress", header=HEADER))
        if record is not None and record.fingerprint != request_fingerprint:
            raise Problem(422, t("this {header} was used with a different request", header=HEADER))
        if record is not None and record.status is not None:
            replay = Response(record.body, status=record.status, mimetype=record.mimetype)
            replay.headers["Idempotent-Replayed"] = "true"
            return replay
        if record is not None and now - record.created_at >= IN_FLIGHT_LIMIT:
            taken = session.execute(update(IdempotencyRecord).where(
                IdempotencyRecord.id == record.id, IdempotencyRecord.created_at == record.created_at,
                IdempotencyRecord.status.is_(None)).values(created_at=now)).rowcount
            if taken == 1:
                return None
    raise Problem(409, t("a request with this {header} is still in progress", header=HEADER))


def _forget(database: Database, tenant: str, subject: str, key: str) -> None:
    with database.session(tenant) as session:
        session.execute(delete(IdempotencyRecord).where(*_row(subject, key), IdempotencyRecord.status.is_(None)))
