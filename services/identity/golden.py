"""The golden record: per-field survivorship over a customer's linked records (R-ID-3).

`golden_record` is a pure function of the records and the rules, so a merge's dry run, the merge itself and an
unmerge all compute it the same way. Each field has one rule; every rule breaks its ties by recency:

- most_recent: the value of the most recently observed record that has one.
- most_frequent: the value most records agree on (compared case- and space-insensitively).
- most_complete: the longest value (most characters), e.g. a full company name over an abbreviation.
- source_priority: the value from the most trusted source service (tenant-ordered list).

E-mail, phone and credit code prefer values the matching engine marked valid (features `<field>_valid == "1"`):
an invalid value survives only when no record has a valid one, so data is never silently dropped and the data
quality report still shows it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.core.auth import Caller
from services.core.db import transaction_cache
from services.core.errors import Validator
from services.core.i18n import t
from services.identity.models import Customer, SourceRecord, SurvivorshipRules

GOLDEN_FIELDS = ("name", "company", "email", "phone", "city", "address", "credit_code")
VALIDATED_FIELDS = ("email", "phone", "credit_code")

MOST_RECENT, MOST_FREQUENT, MOST_COMPLETE, SOURCE_PRIORITY = (
    "most_recent", "most_frequent", "most_complete", "source_priority",
)
RULES = (MOST_RECENT, MOST_FREQUENT, MOST_COMPLETE, SOURCE_PRIORITY)

DEFAULT_RULES: Mapping[str, str] = {
    "name": MOST_FREQUENT,
    "company": MOST_COMPLETE,
    "email": MOST_RECENT,
    "phone": MOST_RECENT,
    "city": MOST_RECENT,
    "address": MOST_COMPLETE,
    "credit_code": SOURCE_PRIORITY,
}
DEFAULT_SOURCE_PRIORITY = ("sales", "support", "leads", "marketing")

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class Rules:
    by_field: Mapping[str, str] = field(default_factory=lambda: dict(DEFAULT_RULES))
    source_priority: Sequence[str] = DEFAULT_SOURCE_PRIORITY

    def rule_for(self, name: str) -> str:
        return self.by_field.get(name) or DEFAULT_RULES[name]


@dataclass(frozen=True)
class RecordValues:
    """What survivorship needs of one linked record: its raw values, source, time and validity flags."""

    values: Mapping[str, str]
    service: str = ""
    observed_at: datetime = _EPOCH
    order: int = 0  # later links win ties of equal observed_at
    flags: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def of(cls, record: SourceRecord) -> RecordValues:
        features = record.features or {}
        return cls(
            values={name: getattr(record, name) or "" for name in GOLDEN_FIELDS},
            service=record.service,
            observed_at=record.observed_at or _EPOCH,
            order=record.id or 0,
            flags={name: features.get(f"{name}_valid", "") for name in VALIDATED_FIELDS},
        )


def golden_record(records: Iterable[RecordValues], rules: Rules | None = None) -> dict[str, str]:
    """{field: surviving value} over `records` ("" where no record has a value)."""
    rules = rules or Rules()
    records = list(records)
    return {name: _survivor(name, records, rules) for name in GOLDEN_FIELDS}


def _survivor(name: str, records: list[RecordValues], rules: Rules) -> str:
    having = [r for r in records if r.values.get(name, "").strip()]
    if name in VALIDATED_FIELDS:
        valid = [r for r in having if r.flags.get(name) == "1"]
        having = valid or having
    if not having:
        return ""
    # Newest first: every rule keeps the first of its best candidates, so ties go to the most recent record.
    having.sort(key=lambda r: (r.observed_at, r.order), reverse=True)
    rule = rules.rule_for(name)
    if rule == MOST_FREQUENT:
        counts = Counter(_fold(r.values[name]) for r in having)
        best = max(counts.values())
        chosen = next(r for r in having if counts[_fold(r.values[name])] == best)
    elif rule == MOST_COMPLETE:
        longest = max(len(r.values[name].strip()) for r in having)
        chosen = next(r for r in having if len(r.values[name].strip()) == longest)
    elif rule == SOURCE_PRIORITY:
        rank = {service: position for position, service in enumerate(rules.source_priority)}
        top = min(rank.get(r.service, len(rank)) for r in having)
        chosen = next(r for r in having if rank.get(r.service, len(rank)) == top)
    else:
        chosen = having[0]
    return chosen.values[name].strip()


def _fold(value: str) -> str:
    return " ".join(value.casefold().split())


def diff(before: Mapping[str, str], after: Mapping[str, str]) -> list[tuple[str, str, str]]:
    """[(field, before, after)] for the golden fields that differ."""
    return [(name, before.get(name, ""), after.get(name, "")) for name in GOLDEN_FIELDS
            if before.get(name, "") != after.get(name, "")]


# -- the tenant's rules and the stored golden record ----------------------------------------------------------


_RULES = "identity.survivorship_rules"  # transaction_cache key


def load_rules(session: Session) -> Rules:
    """The tenant's rules (the session is tenant-scoped); read once per transaction."""
    cache = transaction_cache(session)
    rules = cache.get(_RULES)
    if rules is None:
        row = session.scalar(select(SurvivorshipRules))
        rules = cache[_RULES] = Rules() if row is None else Rules(
            by_field={**DEFAULT_RULES, **(row.rules or {})},
            source_priority=tuple(row.source_priority or DEFAULT_SOURCE_PRIORITY),
        )
    return rules


RULES_ROLES = ("manager", "admin")


def save_rules(session: Session, *, caller: Caller, by_field: Mapping[str, str], source_priority: Sequence[str]
               ) -> Rules:
    """Replace the tenant's rules: fields not named keep their default rule; an empty priority keeps the default.
    The new rules apply to each customer's golden record from its next change (link, merge, unmerge)."""
    caller.require_role(*RULES_ROLES)
    check = Validator()
    for name, rule in by_field.items():
        if check.check(name in GOLDEN_FIELDS, f"rules.{name}", t("is not a golden record field")):
            check.check(rule in RULES, f"rules.{name}", t("is not a survivorship rule"))
    for position, service in enumerate(source_priority):
        check.require(service, f"source_priority[{position}]", max_length=40)
    check.check(len(set(source_priority)) == len(source_priority), "source_priority", t("must not repeat a value"))
    check.raise_if_any()
    row = session.scalar(select(SurvivorshipRules))
    if row is None:
        row = SurvivorshipRules(tenant_id=session.info["crm_tenant"])
        session.add(row)
    transaction_cache(session).pop(_RULES, None)
    row.rules = {name: by_field.get(name) or DEFAULT_RULES[name] for name in GOLDEN_FIELDS}
    row.source_priority = list(source_priority) or list(DEFAULT_SOURCE_PRIORITY)
    row.updated_by = caller.subject
    session.flush()
    return load_rules(session)


def snapshot(customer: Customer) -> dict[str, str]:
    return {name: getattr(customer, name) or "" for name in GOLDEN_FIELDS}


def apply(customer: Customer, values: Mapping[str, str]) -> None:
    for name in GOLDEN_FIELDS:
        setattr(customer, name, values.get(name, ""))


def records_of(session: Session, customer_id: str) -> list[SourceRecord]:
    return list(
        session.scalars(select(SourceRecord).where(SourceRecord.customer_id == customer_id).order_by(SourceRecord.id))
    )


def compute(session: Session, records: Iterable[SourceRecord], rules: Rules | None = None) -> dict[str, str]:
    values = [RecordValues.of(record) for record in records]
    if rules is None and len(values) == 1:
        # One record: every rule keeps its values (valid or not, there is nothing else), so the tenant's rules need
        # not be read (a new customer at intake: once per record).
        rules = Rules()
    return golden_record(values, rules or load_rules(session))


def refresh(session: Session, customer: Customer, rules: Rules | None = None) -> dict[str, str]:
    """Recompute `customer`'s golden record from the records linked to it now, and store it."""
    values = compute(session, records_of(session, customer.id), rules)
    apply(customer, values)
    return values
