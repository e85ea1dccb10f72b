"""The data-quality report of a tenant (R-ID-4): duplicate clusters from the last dedup job, and the records
with invalid phones, e-mails or credit codes or missing required fields (a name, and a phone or an e-mail).

The record checks are the matching engine's (services/identity/matching/quality.py, the same ones
`crm identity dedup --report` runs on a file), applied to the tenant's stored records, so the service and the
command line can never disagree on what "invalid" or "missing" means. R-ID-4's monthly cleaning is a schedule
around two calls: StartDedupJob, then, once it succeeded, GetDataQualityReport.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.core.auth import Caller
from services.core.db import utcnow
from services.core.errors import Validator
from services.core.i18n import t
from services.identity import graph, jobs
from services.identity.golden import GOLDEN_FIELDS
from services.identity.models import DedupJob, SourceRecord

REPORT_ROLES = ("manager", "admin", "auditor")
INVALID_PHONE, INVALID_EMAIL, INVALID_CREDIT_CODE = "invalid_phone", "invalid_email", "invalid_credit_code"
MISSING_NAME, MISSING_CONTACT = "missing_name", "missing_contact"
ISSUES = (INVALID_PHONE, INVALID_EMAIL, INVALID_CREDIT_CODE, MISSING_NAME, MISSING_CONTACT)
DEFAULT_EXAMPLES, MAX_EXAMPLES = 100, 1000


@dataclass(frozen=True)
class RecordIssues:
    service: str
    kind: str
    record_id: str
    customer_id: str
    issues: tuple[str, ...]


@dataclass
class Report:
    generated_at: datetime
    records: int = 0
    customers: int = 0
    counts: Counter = field(default_factory=Counter)  # issue -> records with it
    records_with_issues: int = 0
    examples: list[RecordIssues] = field(default_factory=list)
    job: DedupJob | None = None
    clusters: list[dict] = field(default_factory=list)


def record_issues(rows: list[dict[str, str]]) -> dict[str, tuple[str, ...]]:
    """{record_id: issues} of raw records (dicts with record_id and the CRM fields), by the engine's checks."""
    import polars as pl

    from services.identity.matching.features import crm_features, frame_of
    from services.identity.matching.quality import quality_report

    if not rows:
        return {}
    raw = frame_of(rows)
    singletons = raw.select("record_id", pl.col("record_id").alias("cluster_id"))
    findings = quality_report(raw, crm_features(raw), singletons).findings
    found: dict[str, list[str]] = defaultdict(list)
    for check, record_id in findings.filter(pl.col("check").is_in(ISSUES)).select("check", "record_id").iter_rows():
        found[record_id].append(check)
    return {record_id: tuple(check for check in ISSUES if check in checks) for record_id, checks in found.items()}


def report(session: Session, *, caller: Caller, max_examples: int = 0) -> Report:
    caller.require_role(*REPORT_ROLES)
    check = Validator()
    check.check(0 <= max_examples <= MAX_EXAMPLES, "max_examples",
                t("must be between {min} and {max}", min=0, max=MAX_EXAMPLES))
    check.raise_if_any()
    limit = max_examples or DEFAULT_EXAMPLES
    result = Report(generated_at=utcnow())
    columns = (SourceRecord.id, SourceRecord.service, SourceRecord.kind, SourceRecord.record_id,
               SourceRecord.customer_id, *(getattr(SourceRecord, name) for name in GOLDEN_FIELDS))
    rows = session.execute(select(*columns).order_by(SourceRecord.id)).all()
    result.records = len(rows)
    found = record_issues([{"record_id": str(row[0]), **dict(zip(GOLDEN_FIELDS, row[5:], strict=True))}
                           for row in rows])
    for row in rows:
        issues = found.get(str(row[0]))
        if not issues:
            continue
        result.records_with_issues += 1
        result.counts.update(issues)
        if len(result.examples) < limit:
            result.examples.append(RecordIssues(row[1], row[2], row[3], row[4], issues))
    result.customers = graph.count_customers(session)
    result.job = jobs.last_succeeded(session)
    if result.job is not None:
        result.clusters = list(result.job.clusters or [])[:limit]
    return result
