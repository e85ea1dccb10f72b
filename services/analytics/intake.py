"""Lead intake per day and channel (R-LEAD-4): the first read model, fed by lead.created."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.analytics.models import LeadIntakeDaily
from services.core.auth import Caller
from services.core.db import upsert_insert
from services.core.errors import Validator
from services.core.i18n import t

# Sales reps get a funnel of their own later; the tenant-wide intake is not theirs to read (R-SEC-2).
READ_ROLES = ("manager", "admin", "auditor", "marketing")
MAX_SPAN_DAYS = 366

# A calendar day as (year, month, day); (0, 0, 0) means not given.
YearMonthDay = tuple[int, int, int]


@dataclass(frozen=True)
class LeadIntake:
    rows: list[LeadIntakeDaily]
    total: int


def count_lead(session: Session, *, tenant: str, day: date, channel: str) -> None:
    """Add one lead to the (day, channel) row, creating it: one statement, safe against concurrent writers."""
    statement = upsert_insert(session)(LeadIntakeDaily).values(tenant_id=tenant, day=day, channel=channel, leads=1)
    session.execute(
        statement.on_conflict_do_update(
            index_elements=["tenant_id", "day", "channel"],
            set_={"leads": LeadIntakeDaily.leads + 1},
        )
    )


def get_lead_intake(
    session: Session, *, caller: Caller, start_date: YearMonthDay, end_date: YearMonthDay
) -> LeadIntake:
    """Rows of the period (both days inclusive) ordered by day then channel, and their total."""
    caller.require_role(*READ_ROLES)
    check = Validator()
    start = _calendar_day(check, start_date, "start_date")
    end = _calendar_day(check, end_date, "end_date")
    if start is not None and end is not None and check.check(start <= end, "end_date",
                                                             t("must not be before start_date")):
        check.check((end - start).days <= MAX_SPAN_DAYS, "end_date",
                    t("must be at most {days} days after start_date", days=MAX_SPAN_DAYS))
    check.raise_if_any()
    rows = list(
        session.scalars(
            select(LeadIntakeDaily)
            .where(LeadIntakeDaily.day >= start, LeadIntakeDaily.day <= end)
            .order_by(LeadIntakeDaily.day, LeadIntakeDaily.channel)
        )
    )
    return LeadIntake(rows=rows, total=sum(row.leads for row in rows))


def _calendar_day(check: Validator, value: YearMonthDay, field: str) -> date | None:
    if not check.check(any(value), field, t("is required")):
        return None
    try:
        return date(*value)
    except ValueError:
        check.check(False, field, t("is not a calendar date"))
        return None
