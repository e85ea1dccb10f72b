"""Exchange rates per tenant (R-SALES-5): 1 base = rate quote from a day on, until a later day's rate.

Reports (forecast, attainment) convert at the rate of the period's last day, commissions each deal at the rate of
the day it was won: "the rate of day D" is the pair's latest rate dated on or before D. The direct pair (USD -> CNY)
is preferred; the inverse (CNY -> USD) serves when it is the more recent, dividing in a 60-digit context. Amounts
stay exact until the caller rounds them to cents.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from datetime import date
from decimal import Context, Decimal, InvalidOperation

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from services.core.auth import Caller
from services.core.db import TENANT
from services.core.errors import PermissionDenied, Validator
from services.core.i18n import t
from services.sales import access
from services.sales.models import ExchangeRate
from services.sales.money import parse_currency

RATE_ROLES = ("admin",)
RATE_DUTY = "finance"
EXACT = Context(prec=60)
_RATE = re.compile(r"^\d{1,10}(\.\d{1,8})?$")


def set_rate(session: Session, *, caller: Caller, base: str, quote: str, day: date | None,
             rate: str) -> ExchangeRate:
    """Record (or replace) a pair's rate from `day` on: admin, or a member with the finance duty."""
    if not (caller.has_any_role(*RATE_ROLES) or RATE_DUTY in access.scope_of(session, caller).duties):
        raise PermissionDenied(t("exchange rates are set by admin or finance"))
    check = Validator()
    base = parse_currency(base, "base_currency", check)
    quote = parse_currency(quote, "quote_currency", check)
    check.check(base != quote, "quote_currency", t("must differ from base_currency"))
    check.check(day is not None, "day", t("is required"))
    value = None
    text = (rate or "").strip()
    if check.check(bool(_RATE.match(text)), "rate", t("must be a decimal number with at most 8 decimals")):
        try:
            value = Decimal(text)
        except InvalidOperation:  # pragma: no cover - the pattern admits only valid decimals
            value = None
        check.check(value is not None and value > 0, "rate", t("must be greater than 0"))
    check.raise_if_any()
    row = session.get(ExchangeRate, (session.info[TENANT], base, quote, day))
    if row is None:
        row = ExchangeRate(tenant_id=session.info[TENANT], base=base, quote=quote, day=day, rate=value,
                           set_by=caller.subject)
        session.add(row)
    else:
        row.rate, row.set_by = value, caller.subject
    session.flush()
    return row


class Converter:
    """Converts amounts into one currency with the tenant's rates; loads each pair once per converter."""

    def __init__(self, session: Session, to: str):
        self.session = session
        self.to = to
        self._pairs: dict[str, tuple[list[date], list[Decimal]]] = {}

    def _history(self, currency: str) -> tuple[list[date], list[Decimal]]:
        found = self._pairs.get(currency)
        if found is None:
            rows = self.session.execute(
                select(ExchangeRate.day, ExchangeRate.base, ExchangeRate.rate)
                .where(or_(and_(ExchangeRate.base == currency, ExchangeRate.quote == self.to),
                           and_(ExchangeRate.base == self.to, ExchangeRate.quote == currency)))
                # Inverse first, so that on a day with both the direct pair, listed last, wins.
                .order_by(ExchangeRate.day, ExchangeRate.base == currency)
            ).all()
            days: list[date] = []
            values: list[Decimal] = []
            for day, base, rate in rows:
                value = Decimal(rate) if base == currency else EXACT.divide(Decimal(1), Decimal(rate))
                if days and days[-1] == day:
                    values[-1] = value
                else:
                    days.append(day)
                    values.append(value)
            found = self._pairs[currency] = (days, values)
        return found

    def rate(self, currency: str, on: date) -> Decimal | None:
        """1 `currency` in the target currency on day `on`; None without a rate dated on or before it."""
        if currency == self.to:
            return Decimal(1)
        days, values = self._history(currency)
        position = bisect_right(days, on)
        return values[position - 1] if position else None

    def convert(self, amount: Decimal, currency: str, on: date) -> Decimal | None:
        rate = self.rate(currency, on)
        return None if rate is None else EXACT.multiply(Decimal(amount), rate)
