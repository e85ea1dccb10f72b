"""Orders of tenants that sell online (issue #5 item 6): placed -> paid -> shipped -> received, refunded from
paid, shipped or received, and cancelled while unpaid (placed). Each change emits its event (order.placed/paid/
shipped/received/refunded/cancelled, amounts as decimal strings + currency) in the same transaction (outbox), for
marketing automation (R-MKT-3). Listing: newest first, by status, account, customer and placed period.

Creation is idempotent by the client's request id: placing again with the same id returns the first order (and
emits nothing), even when two such requests race (the unique (tenant, request_id) settles it). Prices come from a
price list, exactly as quotes (services/sales/pricing.py). Who sees and changes an order: as opportunities
(services/sales/access.py): the account owner's, their team's manager, admin; auditor reads; services all.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from prometheus_client import Counter
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from crm.events.v1.sales_pb2 import (
    OrderCancelled,
    OrderPaid,
    OrderPlaced,
    OrderReceived,
    OrderRefunded,
    OrderShipped,
)
from services.core.auth import Caller
from services.core.db import utcnow
from services.core.errors import FailedPrecondition, NotFound, PermissionDenied, Validator
from services.core.events import emit
from services.core.i18n import t
from services.sales import access
from services.sales.models import Account, Opportunity, PriceList, SalesOrder, SalesOrderLine
from services.sales.money import MAX_AMOUNT, to_money
from services.sales.pricing import price_quote
from services.sales.quotes import MAX_LINES, line_inputs

PLACED, PAID, SHIPPED, RECEIVED, REFUNDED = "placed", "paid", "shipped", "received", "refunded"
CANCELLED = "cancelled"
STATUSES = (PLACED, PAID, SHIPPED, RECEIVED, REFUNDED, CANCELLED)
# Paid orders are refunded, not cancelled.
PAID_STATUSES = (PAID, SHIPPED, RECEIVED)
# The legal moves: target -> the statuses it may come from.
TRANSITIONS: dict[str, tuple[str, ...]] = {
    PAID: (PLACED,),
    SHIPPED: (PAID,),
    RECEIVED: (SHIPPED,),
    REFUNDED: (PAID, SHIPPED, RECEIVED),
}
CREATE_ROLES = ("sales", "manager", "admin")

ORDER_CHANGES = Counter("crm_order_changes", "Orders placed and their status changes, by status.", ["status"])


@dataclass(frozen=True)
class OrderView:
    order: SalesOrder
    lines: list[SalesOrderLine]
    # True when the request id had been used: this is the order placed the first time.
    replayed: bool = False


def _lines_of(session: Session, order: SalesOrder) -> list[SalesOrderLine]:
    return list(session.scalars(select(SalesOrderLine).where(SalesOrderLine.order_id == order.id)
                                .order_by(SalesOrderLine.position)))


def _by_request(session: Session, request_id: str) -> SalesOrder | None:
    return session.scalars(select(SalesOrder).where(SalesOrder.request_id == request_id)).first()


def place(session: Session, *, caller: Caller, request_id: str, account_id: str, price_list_id: str,
          lines: Sequence[tuple[str, str, str]], opportunity_id: str = "", at: datetime | None = None) -> OrderView:
    """Place an order for an account: lines (product_id, quantity, discount percent) priced from the price list."""
    if not caller.is_service:
        caller.require_role(*CREATE_ROLES)
    check = Validator()
    request_id = (request_id or "").strip()
    check.require(request_id, "request_id", max_length=100)
    check.require(account_id, "account_id", max_length=36)
    check.check(0 < len(lines) <= MAX_LINES, "lines", t("must have 1 to {max} lines", max=MAX_LINES))
    check.raise_if_any()
    existing = _by_request(session, request_id)
    if existing is not None:
        return _replay(session, caller, existing)
    account = session.get(Account, account_id.strip())
    owner = access.member(session, account.owner_id) if account is not None else None
    team = owner.team if owner is not None else ""
    if account is None or not access.may_read(session, caller, owner_id=account.owner_id, team=team):
        raise NotFound(t("account {id} not found", id=repr(account_id)))
    if not access.may_change(session, caller, owner_id=account.owner_id, team=team):
        raise PermissionDenied(t("you may not place an order for account {id}", id=repr(account_id)))
    if opportunity_id:
        opportunity = session.get(Opportunity, opportunity_id)
        if opportunity is None or opportunity.account_id != account.id:
            raise NotFound(t("opportunity {id} not found", id=repr(opportunity_id)))
    price_list = session.get(PriceList, price_list_id) if price_list_id else None
    if price_list is None:
        raise NotFound(t("price list {id} not found", id=repr(price_list_id)))
    inputs, products = line_inputs(session, check, price_list, lines)
    check.raise_if_any()
    totals = price_quote(inputs)
    check.check(totals.total <= MAX_AMOUNT, "lines", t("the order's total exceeds {max}", max=MAX_AMOUNT))
    check.raise_if_any()
    at = at or utcnow()
    order = SalesOrder(
        request_id=request_id, account_id=account.id, opportunity_id=opportunity_id or "",
        price_list_id=price_list.id, status=PLACED, currency=price_list.currency, list_total=totals.list_total,
        discount_total=totals.discount_total, net_total=totals.net_total, tax_total=totals.tax_total,
        total=totals.total, owner_id=account.owner_id, team=team, created_by=caller.subject, placed_at=at,
    )
    try:
        with session.begin_nested():
            session.add(order)
            session.flush()
    except IntegrityError:
        # The same request id, placed concurrently: theirs is the order.
        existing = _by_request(session, request_id)
        if existing is None:  # pragma: no cover - another constraint
            raise
        return _replay(session, caller, existing)
    rows = [
        SalesOrderLine(order_id=order.id, position=position + 1, product_id=product_id,
                       description=products[product_id].name, quantity=line.quantity, unit_price=line.unit_price,
                       discount_percent=line.discount_percent, tax_rate=line.tax_rate,
                       list_amount=result.list_amount, net_amount=result.net_amount, tax_amount=result.tax_amount)
        for position, ((product_id, _, _), line, result) in enumerate(zip(lines, inputs, totals.lines, strict=True))
    ]
    session.add_all(rows)
    session.flush()
    placed = OrderPlaced(
        order_id=order.id, account_id=account.id, customer_id=account.customer_id, opportunity_id=order.opportunity_id,
        owner_id=order.owner_id, net_total=to_money(order.net_total, order.currency),
        tax_total=to_money(order.tax_total, order.currency), total=to_money(order.total, order.currency),
        product_ids=list(dict.fromkeys(row.product_id for row in rows)), request_id=request_id,
    )
    placed.place_time.FromDatetime(at)
    emit(session, placed, producer="sales")
    ORDER_CHANGES.labels(PLACED).inc()
    return OrderView(order, rows)


def _replay(session: Session, caller: Caller, order: SalesOrder) -> OrderView:
    if not access.may_read(session, caller, owner_id=order.owner_id, team=order.team):
        # Another caller's request id: say nothing about their order.
        raise FailedPrecondition(t("request id {id} was used for another order", id=repr(order.request_id)))
    return OrderView(order, _lines_of(session, order), replayed=True)


def readable(session: Session, *, caller: Caller, order_id: str) -> OrderView:
    order = session.get(SalesOrder, order_id) if order_id else None
    if order is None or not access.may_read(session, caller, owner_id=order.owner_id, team=order.team):
        raise NotFound(t("order {id} not found", id=repr(order_id)))
    return OrderView(order, _lines_of(session, order))


def transition(session: Session, *, caller: Caller, order_id: str, to: str, reference: str = "",
               at: datetime | None = None) -> OrderView:
    """Move an order to paid (reference: payment reference), shipped (tracking number), received or refunded
    (reason, required). An illegal move is FAILED_PRECONDITION naming the current status."""
    check = Validator()
    check.check(to in TRANSITIONS, "status", t("must be one of paid, shipped, received or refunded"))
    reference = (reference or "").strip()
    if to == REFUNDED:
        check.require(reference, "reason", max_length=500)
    else:
        check.at_most(reference, "payment_reference" if to == PAID else "tracking_number", 100)
    check.raise_if_any()
    order = readable(session, caller=caller, order_id=order_id).order
    session.refresh(order, with_for_update=True)
    if not access.may_change(session, caller, owner_id=order.owner_id, team=order.team):
        raise PermissionDenied(t("you may read order {id} but not change it", id=repr(order_id)))
    if order.status not in TRANSITIONS[to]:
        raise FailedPrecondition(t("order {id} is {status}: it cannot become {to} (allowed from: {allowed})",
                                   id=repr(order.id), status=order.status, to=to,
                                   allowed=", ".join(TRANSITIONS[to])))
    at = at or utcnow()
    account = session.get(Account, order.account_id)
    customer_id = account.customer_id if account is not None else ""
    total = to_money(order.total, order.currency)
    common = {"order_id": order.id, "account_id": order.account_id, "customer_id": customer_id,
              "owner_id": order.owner_id}
    if to == PAID:
        order.paid_at, order.payment_reference = at, reference
        event = OrderPaid(**common, total=total, payment_reference=reference)
        event.pay_time.FromDatetime(at)
    elif to == SHIPPED:
        order.shipped_at, order.tracking_number = at, reference
        event = OrderShipped(**common, total=total, tracking_number=reference)
        event.ship_time.FromDatetime(at)
    elif to == RECEIVED:
        order.received_at = at
        event = OrderReceived(**common, total=total)
        event.receive_time.FromDatetime(at)
    else:
        order.refunded_at, order.refund_reason = at, reference
        event = OrderRefunded(**common, amount=total, reason=reference, from_status=order.status)
        event.refund_time.FromDatetime(at)
    order.status = to
    session.flush()
    emit(session, event, producer="sales")
    ORDER_CHANGES.labels(to).inc()
    return OrderView(order, _lines_of(session, order))


def cancel(session: Session, *, caller: Caller, order_id: str, reason: str = "",
           at: datetime | None = None) -> OrderView:
    """placed -> cancelled (order.cancelled). A paid order is FAILED_PRECONDITION: it is refunded instead."""
    check = Validator()
    reason = (reason or "").strip()
    check.at_most(reason, "reason", 500)
    check.raise_if_any()
    order = readable(session, caller=caller, order_id=order_id).order
    session.refresh(order, with_for_update=True)
    if not access.may_change(session, caller, owner_id=order.owner_id, team=order.team):
        raise PermissionDenied(t("you may read order {id} but not change it", id=repr(order_id)))
    if order.status in PAID_STATUSES:
        raise FailedPrecondition(t("order {id} is {status}: a paid order is not cancelled but refunded (RefundOrder)",
                                   id=repr(order.id), status=order.status))
    if order.status != PLACED:
        raise FailedPrecondition(t("order {id} is {status}: it cannot become {to} (allowed from: {allowed})",
                                   id=repr(order.id), status=order.status, to=CANCELLED, allowed=PLACED))
    at = at or utcnow()
    order.status, order.cancelled_at, order.cancel_reason = CANCELLED, at, reason
    session.flush()
    account = session.get(Account, order.account_id)
    event = OrderCancelled(order_id=order.id, account_id=order.account_id,
                           customer_id=account.customer_id if account is not None else "", owner_id=order.owner_id,
                           total=to_money(order.total, order.currency), reason=reason, request_id=order.request_id)
    event.cancel_time.FromDatetime(at)
    emit(session, event, producer="sales")
    ORDER_CHANGES.labels(CANCELLED).inc()
    return OrderView(order, _lines_of(session, order))


def list_orders(session: Session, *, caller: Caller, status: str = "", account_id: str = "", customer_id: str = "",
                placed_from: datetime | None = None, placed_before: datetime | None = None, offset: int = 0,
                limit: int = 50) -> tuple[list[OrderView], bool]:
    """The orders the caller may read (as GetOrder), newest first, with their lines."""
    check = Validator()
    status = (status or "").strip().lower()
    check.check(not status or status in STATUSES, "status", t("must be one of: {values}", values=", ".join(STATUSES)))
    check.at_most(account_id, "account_id", 36)
    check.at_most(customer_id, "customer_id", 32)
    if placed_from is not None and placed_before is not None:
        check.check(placed_from < placed_before, "place_time_end", t("must be after the start"))
    check.raise_if_any()
    statement = select(SalesOrder).where(access.visible_owned(session, caller, SalesOrder.owner_id, SalesOrder.team))
    if status:
        statement = statement.where(SalesOrder.status == status)
    if account_id:
        statement = statement.where(SalesOrder.account_id == account_id.strip())
    if customer_id:
        statement = statement.where(SalesOrder.account_id.in_(
            select(Account.id).where(Account.customer_id == customer_id.strip())))
    if placed_from is not None:
        statement = statement.where(SalesOrder.placed_at >= placed_from)
    if placed_before is not None:
        statement = statement.where(SalesOrder.placed_at < placed_before)
    found = list(session.scalars(statement.order_by(SalesOrder.placed_at.desc(), SalesOrder.id.desc())
                                 .offset(offset).limit(limit + 1)))
    page = found[:limit]
    lines: dict[str, list[SalesOrderLine]] = {order.id: [] for order in page}
    if page:
        for line in session.scalars(select(SalesOrderLine).where(SalesOrderLine.order_id.in_(list(lines)))
                                    .order_by(SalesOrderLine.order_id, SalesOrderLine.position)):
            lines[line.order_id].append(line)
    return [OrderView(order, lines[order.id]) for order in page], len(found) > limit
