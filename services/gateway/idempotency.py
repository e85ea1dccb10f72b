"""Idempotency keys on creates: the same key and body replay the first answer; a different body is refused.

The first request inserts a row (unique per tenant, principal and key) before calling the service, so a
concurrent duplicate finds it and gets 409 instead of creating twice; the answer is stored when it is known.
Rows expire after 24 hours. Works the same on SQLite and PostgreSQL (a unique constraint, not a Python lock).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import timedelta

from flask import Response, jsonify, request
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from services.core.db import Database, utcnow
from services.gateway.models import IdempotencyRecord
from services.gateway.principal import Principal

RETENTION = timedelta(hours=24)
MAX_KEY_LENGTH = 200


def _problem(status: int, title: str, detail: str) -> Response:
    response = jsonify(type="about:blank", title=title, status=status, detail=detail)
    response.status_code = status
    response.mimetype = "application/problem+json"
    return response


def fingerprint() -> str:
    digest = hashlib.sha256(f"{request.method} {request.path}\n".encode())
    digest.update(request.get_data())
    return digest.hexdigest()


def once(database: Database, principal: Principal, key: str, call: Callable[[], Response]) -> Response:
    if len(key) > MAX_KEY_LENGTH:
        return _problem(400, "Bad request", f"Idempotency-Key may have at most {MAX_KEY_LENGTH} characters")
    subject = f"{principal.kind}:{principal.subject}"
    request_fingerprint = fingerprint()
    now = utcnow()
    with database.session(principal.tenant_id) as session:
        session.execute(delete(IdempotencyRecord).where(IdempotencyRecord.created_at < now - RETENTION))
    try:
        with database.session(principal.tenant_id) as session:
            session.add(IdempotencyRecord(subject=subject, key=key, fingerprint=request_fingerprint, created_at=now))
    except IntegrityError:
        with database.session(principal.tenant_id) as session:
            record = session.scalar(select(IdempotencyRecord).where(IdempotencyRecord.subject == subject,
                                                                    IdempotencyRecord.key == key))
        if record is None:  # expired and removed between the two statements: treat as new
            return call()
        if record.fingerprint != request_fingerprint:
            return _problem(422, "Unprocessable content",
                            "this Idempotency-Key was used with a different request")
        if record.status is None:
            return _problem(409, "Conflict", "a request with this Idempotency-Key is still in progress")
        replay = Response(record.body, status=record.status, mimetype=record.mimetype)
        replay.headers["Idempotent-Replayed"] = "true"
        return replay
    response = call()
    with database.session(principal.tenant_id) as session:
        record = session.scalar(select(IdempotencyRecord).where(IdempotencyRecord.subject == subject,
                                                                IdempotencyRecord.key == key))
        if response.status_code >= 500:
            session.delete(record)  # a failure worth retrying: the key may be used again
        else:
            record.status = response.status_code
            record.body = response.get_data()
            record.mimetype = response.mimetype
    return response
