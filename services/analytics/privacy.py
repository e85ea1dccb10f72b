"""The analytics service's part of personal data requests (R-SEC-5; the saga: services/identity/privacy.py).

Its read models count (leads per day and channel) and hold nothing about a person, except the audit log (R-SEC-3),
whose entries carry the old and new values of the person's records. Export: the audit entries of the records
identity linked to the person and of their customer ids. Erase: the log is append-only (triggers refuse UPDATE and
DELETE, ADR "audit log"), so its entries are kept, as a record the tenant must keep to prove what was done; the
step's note says how many. The erasure itself reaches the log without the erased values (services/core/privacy.py).
"""

from __future__ import annotations

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from services.analytics.models import AuditEntry
from services.core import privacy
from services.core.privacy import Step, Subject

SERVICE = "analytics"


def _entries(session: Session, subject: Subject) -> list[AuditEntry]:
    conditions = [and_(AuditEntry.service == "identity", AuditEntry.entity == "customer",
                       AuditEntry.record_id.in_(subject.customer_ids))]
    for service, by_kind in subject.records.items():
        for kind, ids in by_kind.items():
            conditions.append(and_(AuditEntry.service == service, AuditEntry.entity == kind,
                                   AuditEntry.record_id.in_(list(ids))))
    return list(session.scalars(select(AuditEntry).where(or_(*conditions))
                                .order_by(AuditEntry.occurred_at, AuditEntry.id)))


def export(session: Session, subject: Subject) -> Step:
    entries = _entries(session, subject)
    return Step(len(entries), {"audit_log": privacy.rows(entries, without=("tenant_id", "id", "position"))})


def erase(session: Session, subject: Subject) -> Step:
    entries = _entries(session, subject)
    note = ""
    if entries:
        note = (f"the audit log is append-only (R-SEC-3): {len(entries)} entries about the person's records are "
                "kept; the erasure is logged without the erased values")
    return Step(0, note=note)


CONSUMER = privacy.consumer(SERVICE, export=export, erase=erase)
