"""Personal data requests (R-SEC-5): export or erase one person's data across services, a saga over the bus.

Identity runs it because it knows which records of which service belong to a customer. `start` writes the request,
one pending step per participating service plus identity's own, and emits `privacy.requested` in the same
transaction: the customer id and the ids merged into it, the linked records, the e-mails and phones. Each service
answers `privacy.step_completed` (services/core/privacy.py); `on_step_completed` records the answer under a lock on
the request row, so answers that arrive together are counted once each and a repeated answer changes nothing.

When every participant has answered, identity does its own part last, because the others' records were found
through its links: the export gets identity's section, an erase blanks the golden record, the raw values and
features of the linked records, their match keys (so nothing matches the person again), the golden records kept by
merges, the reasons typed on link changes and the sections of earlier exports. Link rows themselves stay (ADR
0008): they hold no personal data once blank. If a participant failed, identity skips its part and keeps its
links, so a new request can find the records again, and the request fails.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from prometheus_client import Counter
from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from crm.common.v1.common_pb2 import RecordRef
from crm.events.v1.envelope_pb2 import Envelope
from crm.events.v1.privacy_pb2 import PrivacyRequested, PrivacyStepCompleted
from services.core import privacy as core
from services.core.auth import Caller
from services.core.db import utcnow
from services.core.errors import NotFound, Validator
from services.core.events import emit
from services.core.i18n import t
from services.identity import golden, graph, identities
from services.identity.models import (
    Customer,
    CustomerMerge,
    LinkAudit,
    MatchKey,
    PrivacyRequest,
    PrivacyStep,
    SourceRecord,
)

log = logging.getLogger("crm.identity.privacy")

# The services that hold personal data and answer privacy.requested; identity runs its own step after them.
PARTICIPANTS = ("leads", "sales", "support", "marketing", "analytics")
IDENTITY = "identity"
SERVICES = (*PARTICIPANTS, IDENTITY)

EXPORT, ERASE = core.EXPORT, core.ERASE
PENDING, RUNNING, COMPLETED, FAILED, SKIPPED = "pending", "running", "completed", "failed", "skipped"

# Starting one hands a person's data out or destroys it: admins (and services acting for them).
START_ROLES = ("admin",)
# Progress is readable by auditors too; the export itself only by admins and services.
READ_ROLES = ("admin", "auditor")
EXPORT_ROLES = ("admin",)

PRIVACY_REQUESTS = Counter("crm_identity_privacy_requests", "Privacy requests started, by kind.", ["kind"])
PRIVACY_OUTCOMES = Counter("crm_identity_privacy_outcomes", "Privacy requests finished, by kind and status.",
                           ["kind", "status"])


@dataclass(frozen=True)
class RequestView:
    request: PrivacyRequest
    # Participants in PARTICIPANTS order, identity last.
    steps: Sequence[PrivacyStep]

    def export(self) -> dict[str, Any] | None:
        """The assembled export, once an export completed: {"request": ..., "services": {service: section}}."""
        request = self.request
        if request.kind != EXPORT or request.status != COMPLETED:
            return None
        if all(step.export is None for step in self.steps):
            return None  # a later erasure of the person removed it
        return {
            "request": {"id": request.id, "customer_id": request.customer_id, "reason": request.reason,
                        "requested_by": request.requested_by, "created_at": core.plain(request.created_at),
                        "completed_at": core.plain(request.completed_at)},
            "services": {step.service: step.export or {} for step in self.steps},
        }


# --- starting and reading ------------------------------------------------------------------------------------------


def start(
    session: Session, *, tenant: str, caller: Caller, customer_id: str, kind: str, reason: str, request_id: str = "",
) -> tuple[RequestView, bool]:
    """Start an export or erasure of the customer's data; returns the request and whether it was new. A repeated
    client `request_id` returns the request it started and emits nothing."""
    caller.require_role(*START_ROLES)
    check = Validator()
    check.require(customer_id, "customer_id", max_length=32)
    check.check(kind in core.KINDS, "kind", t("is required"))
    check.require(reason, "reason", max_length=500)
    check.at_most(request_id, "request_id", 64)
    check.raise_if_any()

    request_id = request_id.strip()
    if request_id:
        existing = session.scalar(select(PrivacyRequest).where(PrivacyRequest.request_id == request_id))
        if existing is not None:
            return view(session, existing), False
    customer = graph.live_customer(session, customer_id.strip())
    if customer is None:
        raise NotFound(t("customer {id} not found", id=repr(customer_id)))

    request = PrivacyRequest(tenant_id=tenant, customer_id=customer.id, kind=kind, reason=reason.strip(),
                             requested_by=caller.subject[:100], request_id=request_id or None, status=PENDING,
                             created_at=utcnow())
    session.add(request)
    session.flush()
    session.add_all(PrivacyStep(tenant_id=tenant, request_id=request.id, service=service, status=PENDING)
                    for service in SERVICES)
    records = golden.records_of(session, customer.id)
    emails, phones = _contacts(customer, records)
    emit(session, PrivacyRequested(
        request_id=request.id, kind=kind, customer_id=customer.id,
        customer_ids=[customer.id, *absorbed_ids(session, customer.id)],
        records=[RecordRef(service=r.service, kind=r.kind, id=r.record_id) for r in records],
        emails=emails, phones=phones, reason=request.reason, requested_by=request.requested_by,
    ), producer=IDENTITY)
    session.flush()
    PRIVACY_REQUESTS.labels(kind).inc()
    return view(session, request), True


def get(session: Session, *, caller: Caller, request_id: str) -> RequestView:
    caller.require_role(*READ_ROLES)
    check = Validator()
    check.require(request_id, "id", max_length=36)
    check.raise_if_any()
    request = session.get(PrivacyRequest, request_id.strip())
    if request is None:
        raise NotFound(t("privacy request {id} not found", id=repr(request_id)))
    return view(session, request)


def may_read_export(caller: Caller) -> bool:
    return caller.has_any_role(*EXPORT_ROLES)


def list_requests(
    session: Session, *, caller: Caller, customer_id: str = "", offset: int = 0, limit: int = 50,
) -> tuple[list[RequestView], bool]:
    """The tenant's requests, newest first; only those about `customer_id` when given."""
    caller.require_role(*READ_ROLES)
    check = Validator()
    check.at_most(customer_id, "customer_id", 32)
    check.raise_if_any()
    statement = select(PrivacyRequest).order_by(PrivacyRequest.created_at.desc(), PrivacyRequest.id.desc())
    if customer_id.strip():
        statement = statement.where(PrivacyRequest.customer_id == customer_id.strip())
    found = list(session.scalars(statement.offset(offset).limit(limit + 1)))
    steps = _steps_of(session, [request.id for request in found[:limit]])
    return [RequestView(request, steps.get(request.id, [])) for request in found[:limit]], len(found) > limit


def view(session: Session, request: PrivacyRequest) -> RequestView:
    return RequestView(request, _steps_of(session, [request.id]).get(request.id, []))


def _steps_of(session: Session, request_ids: Sequence[str]) -> dict[str, list[PrivacyStep]]:
    if not request_ids:
        return {}
    order = {service: position for position, service in enumerate(SERVICES)}
    found: dict[str, list[PrivacyStep]] = {}
    for step in session.scalars(select(PrivacyStep).where(PrivacyStep.request_id.in_(request_ids))):
        found.setdefault(step.request_id, []).append(step)
    for steps in found.values():
        steps.sort(key=lambda step: order.get(step.service, len(order)))
    return found


def absorbed_ids(session: Session, customer_id: str) -> list[str]:
    """Ids of the customers merged (directly or through a chain) into `customer_id`: tombstones that other
    services may still hold."""
    found: list[str] = []
    frontier = [customer_id]
    for _ in range(graph.MAX_CHAIN):
        frontier = list(session.scalars(select(Customer.id).where(Customer.merged_into.in_(frontier))
                                        .order_by(Customer.id)))
        if not frontier:
            break
        found.extend(frontier)
    return found


def _contacts(customer: Customer, records: Sequence[SourceRecord]) -> tuple[list[str], list[str]]:
    """The person's valid e-mails and phones as the matching engine normalised them, golden record first."""
    emails: list[str] = []
    phones: list[str] = []
    features = [identities.features_of(identities.RecordInput(service="", kind="", record_id="",
                                                              email=customer.email, phone=customer.phone))]
    features += [record.features or {} for record in records]
    for values in features:
        for name, into in (("email", emails), ("phone", phones)):
            value = values.get(name, "")
            if value and values.get(f"{name}_valid") == "1" and value not in into:
                into.append(value)
    return emails, phones


# --- the saga ------------------------------------------------------------------------------------------------------


def on_step_completed(session: Session, event: PrivacyStepCompleted, *, envelope: Envelope | None,
                      tenant: str) -> None:
    """Record a service's answer; when every participant has answered, finish the request."""
    # The row lock (PostgreSQL) makes answers to one request take turns, so the last one sees all the others.
    request = session.scalar(select(PrivacyRequest).where(PrivacyRequest.id == event.request_id).with_for_update())
    step = session.get(PrivacyStep, (event.request_id, event.service)) if request is not None else None
    if step is None or step.service == IDENTITY:
        log.warning("privacy.step_completed for unknown request %s or service %r ignored", event.request_id,
                    event.service)
        return
    if step.status != PENDING or request.status not in (PENDING, RUNNING):
        return  # answered already (a repeat): counted once
    failed = event.status != core.COMPLETED
    step.status = FAILED if failed else COMPLETED
    step.item_count = event.item_count
    step.error = event.error[:500]
    step.finished_at = utcnow()
    if request.kind == EXPORT and not failed and event.export_json:
        try:
            step.export = json.loads(event.export_json.decode("utf-8"))
        except ValueError:
            step.status, step.error = FAILED, "the export section is not JSON"
    request.status = RUNNING
    session.flush()
    _finish_if_answered(session, request)


def _finish_if_answered(session: Session, request: PrivacyRequest) -> None:
    steps = {step.service: step for step in view(session, request).steps}
    if any(steps[service].status == PENDING for service in PARTICIPANTS):
        return
    own = steps[IDENTITY]
    failed = [service for service in PARTICIPANTS if steps[service].status == FAILED]
    if failed:
        own.status = SKIPPED
        own.error = f"not run: the step of {', '.join(failed)} failed; identity kept its data"
        request.status = FAILED
    else:
        if request.kind == EXPORT:
            section = export_section(session, request.customer_id)
            own.item_count, own.export = 1 + len(section["records"]), section
        else:
            own.item_count = erase(session, request.customer_id)
        own.status = COMPLETED
        request.status = COMPLETED
    own.finished_at = request.completed_at = utcnow()
    session.flush()
    PRIVACY_OUTCOMES.labels(request.kind, request.status).inc()


# --- identity's own step -------------------------------------------------------------------------------------------

_RECORD_FIELDS = ("service", "kind", "record_id", "owner_id", *golden.GOLDEN_FIELDS, "observed_at", "linked_at")


def export_section(session: Session, customer_id: str) -> dict[str, Any]:
    """What identity holds about the customer: the golden record, the ids merged into it, the linked records as
    identity saw them, and the changes of their links."""
    customer = graph.live_customer(session, customer_id)
    if customer is None:
        return {"customer": None, "records": [], "link_changes": []}
    records = golden.records_of(session, customer.id)
    changes = session.scalars(select(LinkAudit).where(LinkAudit.source_record_id.in_([r.id for r in records]))
                              .order_by(LinkAudit.at, LinkAudit.id)) if records else []
    by_id = {record.id: record for record in records}
    return {
        "customer": {"id": customer.id, **golden.snapshot(customer), "created_at": core.plain(customer.created_at),
                     "merged_ids": absorbed_ids(session, customer.id)},
        "records": [{name: core.plain(getattr(record, name)) for name in _RECORD_FIELDS} for record in records],
        "link_changes": [
            {"record": f"{by_id[c.source_record_id].service}/{by_id[c.source_record_id].kind}/"
                       f"{by_id[c.source_record_id].record_id}",
             "action": c.action, "from_customer_id": c.from_customer_id, "to_customer_id": c.to_customer_id,
             "actor": c.actor, "reason": c.reason, "at": core.plain(c.at)}
            for c in changes
        ],
    }


def erase(session: Session, customer_id: str) -> int:
    """Blank what identity holds about the customer; returns the rows changed (customers and records)."""
    customer = graph.live_customer(session, customer_id)
    if customer is None:
        return 0
    session.flush()  # the updates below are Core statements
    customer_ids = [customer.id, *absorbed_ids(session, customer.id)]
    record_ids = [record.id for record in golden.records_of(session, customer.id)]
    blank_record = {name: "" for name in golden.GOLDEN_FIELDS}
    blank_features = identities.features_of(identities.RecordInput(service="", kind="", record_id=""))
    count = core.erase_rows(session, SourceRecord, record_ids, {**blank_record, "features": blank_features},
                            producer=IDENTITY)
    # The golden record says what happened; the tombstones' last golden records go too.
    count += core.erase_rows(session, Customer, customer_ids, {**blank_record, "name": core.ERASED},
                             producer=IDENTITY)
    if record_ids:
        session.execute(delete(MatchKey).where(MatchKey.source_record_id.in_(record_ids))
                        .execution_options(synchronize_session=False))
        typed = list(session.scalars(select(LinkAudit.id).where(LinkAudit.source_record_id.in_(record_ids),
                                                                LinkAudit.reason != "")))
        core.erase_rows(session, LinkAudit, typed, {"reason": core.ERASED}, producer=IDENTITY)
    for column, before in ((CustomerMerge.survivor_id, "survivor_before"), (CustomerMerge.absorbed_id,
                                                                          "absorbed_before")):
        merges = list(session.scalars(select(CustomerMerge.id).where(column.in_(customer_ids))))
        core.erase_rows(session, CustomerMerge, merges, {before: {}}, producer=IDENTITY)
    # Exports made earlier hold copies of everything: they go too (the requests and their counts stay).
    exports = list(session.scalars(select(PrivacyRequest.id).where(PrivacyRequest.customer_id.in_(customer_ids),
                                                                   PrivacyRequest.kind == EXPORT)))
    if exports:
        session.execute(update(PrivacyStep).where(PrivacyStep.request_id.in_(exports)).values(export=None)
                        .execution_options(synchronize_session=False))
    session.expire_all()  # Core updates: loaded objects would show the old values
    return count
