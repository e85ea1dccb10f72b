"""Sales records as crm.sales.v1 messages: the API answers with them and the hand-over package (an event payload)
is built from them."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from google.protobuf.timestamp_pb2 import Timestamp

from crm.common.v1 import common_pb2
from crm.events.v1.sales_pb2 import ContactCreated, ContactUpdated
from crm.sales.v1 import sales_pb2
from services.sales import money
from services.sales.models import (
    Account,
    Activity,
    ApprovalStep,
    Commitment,
    Contact,
    ContractTemplate,
    Opportunity,
    PriceList,
    Product,
    SalesMember,
    SalesTask,
    StageChange,
)
from services.sales.money import to_money

if TYPE_CHECKING:  # the views only; the domain modules use this one (the hand-over package)
    from services.sales import contracts, orders, quotes


def account_to_proto(account: Account) -> sales_pb2.Account:
    message = sales_pb2.Account(
        id=account.id,
        name=account.name,
        customer_id=account.customer_id,
        industry=account.industry,
        region=account.region,
        owner_id=account.owner_id,
    )
    message.create_time.FromDatetime(account.created_at)
    return message


def to_date(value: date | None) -> common_pb2.Date | None:
    return common_pb2.Date(year=value.year, month=value.month, day=value.day) if value else None


def stamp(message, field: str, value: datetime | None) -> None:  # noqa: ANN001
    if value is not None:
        getattr(message, field).FromDatetime(value)


def timestamp(value: datetime) -> Timestamp:
    message = Timestamp()
    message.FromDatetime(value)
    return message


def member_to_proto(member: SalesMember) -> sales_pb2.Member:
    return sales_pb2.Member(user_id=member.user_id, name=member.name, team=member.team, region=member.region,
                            duties=list(member.duties or []))


def change_to_proto(change: StageChange) -> sales_pb2.StageChange:
    message = sales_pb2.StageChange(from_stage=change.from_stage, to_stage=change.to_stage, actor=change.actor,
                                    dwell_seconds=change.dwell_seconds, reason=change.reason)
    message.change_time.FromDatetime(change.at)
    return message


def opportunity_to_proto(opportunity: Opportunity, probability: str = "",
                         history: list[StageChange] | None = None) -> sales_pb2.Opportunity:
    message = sales_pb2.Opportunity(
        id=opportunity.id, name=opportunity.name, account_id=opportunity.account_id,
        contact_id=opportunity.contact_id, lead_id=opportunity.lead_id or "", stage=opportunity.stage,
        probability=probability, lost_reason=opportunity.lost_reason, lost_note=opportunity.lost_note,
        amount=to_money(opportunity.amount, opportunity.currency), close_date=to_date(opportunity.close_date),
        owner_id=opportunity.owner_id, team=opportunity.team, region=opportunity.region, channel=opportunity.channel,
        history=[change_to_proto(change) for change in history or []],
    )
    stamp(message, "stage_enter_time", opportunity.stage_entered_at)
    stamp(message, "create_time", opportunity.created_at)
    return message


def order_to_proto(view: orders.OrderView) -> sales_pb2.Order:
    order, currency = view.order, view.order.currency
    message = sales_pb2.Order(
        id=order.id, request_id=order.request_id, account_id=order.account_id, opportunity_id=order.opportunity_id,
        price_list_id=order.price_list_id, status=order.status, list_total=to_money(order.list_total, currency),
        discount_total=to_money(order.discount_total, currency), net_total=to_money(order.net_total, currency),
        tax_total=to_money(order.tax_total, currency), total=to_money(order.total, currency),
        owner_id=order.owner_id, team=order.team, payment_reference=order.payment_reference,
        tracking_number=order.tracking_number, refund_reason=order.refund_reason, cancel_reason=order.cancel_reason,
        lines=[sales_pb2.OrderLine(
            position=line.position, product_id=line.product_id, description=line.description,
            quantity=money.text(line.quantity), unit_price=to_money(line.unit_price, currency),
            discount_percent=money.text(line.discount_percent), tax_rate=money.text(line.tax_rate),
            list_amount=to_money(line.list_amount, currency), net_amount=to_money(line.net_amount, currency),
            tax_amount=to_money(line.tax_amount, currency)) for line in view.lines],
    )
    for field, value in (("place_time", order.placed_at), ("pay_time", order.paid_at),
                         ("ship_time", order.shipped_at), ("receive_time", order.received_at),
                         ("refund_time", order.refunded_at), ("cancel_time", order.cancelled_at)):
        stamp(message, field, value)
    return message


def product_to_proto(product: Product) -> sales_pb2.Product:
    return sales_pb2.Product(id=product.id, sku=product.sku, name=product.name, unit=product.unit,
                             tax_rate=money.text(product.tax_rate), active=product.active,
                             category=product.category)


def price_list_to_proto(price_list: PriceList) -> sales_pb2.PriceList:
    message = sales_pb2.PriceList(id=price_list.id, name=price_list.name, currency=price_list.currency)
    stamp(message, "create_time", price_list.created_at)
    return message


def template_to_proto(template: ContractTemplate) -> sales_pb2.ContractTemplate:
    return sales_pb2.ContractTemplate(id=template.id, name=template.name, body=template.body)


def quote_to_proto(view: quotes.QuoteView) -> sales_pb2.Quote:
    quote, currency = view.quote, view.quote.currency
    message = sales_pb2.Quote(
        id=quote.id, opportunity_id=quote.opportunity_id, price_list_id=quote.price_list_id,
        list_total=to_money(quote.list_total, currency), discount_total=to_money(quote.discount_total, currency),
        net_total=to_money(quote.net_total, currency), tax_total=to_money(quote.tax_total, currency),
        total=to_money(quote.total, currency), line_count=view.lines_in_quote,
        lines=[sales_pb2.QuoteLine(
            position=line.position, product_id=line.product_id, description=line.description,
            quantity=money.text(line.quantity), unit_price=to_money(line.unit_price, currency),
            discount_percent=money.text(line.discount_percent), tax_rate=money.text(line.tax_rate),
            list_amount=to_money(line.list_amount, currency), net_amount=to_money(line.net_amount, currency),
            tax_amount=to_money(line.tax_amount, currency)) for line in view.lines],
    )
    stamp(message, "create_time", quote.created_at)
    return message


def step_to_proto(step: ApprovalStep, *, current: bool) -> sales_pb2.ApprovalStep:
    message = sales_pb2.ApprovalStep(
        contract_id=step.contract_id, round=step.round, position=step.position, duty=step.duty,
        condition=step.condition, state=step.state, current=current,
        expected_working_days=step.expected_working_days, decided_by=step.decided_by, reason=step.reason)
    stamp(message, "start_time", step.started_at)
    stamp(message, "due_time", step.due_at)
    stamp(message, "decide_time", step.decided_at)
    return message


def contract_to_proto(view: contracts.ContractView) -> sales_pb2.Contract:
    contract = view.contract
    current = next((step for step in view.steps if step.state == "pending"), None) \
        if contract.status == "pending" else None
    message = sales_pb2.Contract(
        id=contract.id, opportunity_id=contract.opportunity_id, quote_id=contract.quote_id,
        template_id=contract.template_id, body=contract.body, special_terms=contract.special_terms,
        status=contract.status, round=contract.round, total=to_money(contract.total, contract.currency),
        discount_percent=money.text(contract.discount_percent), rejection_reason=contract.rejection_reason,
        owner_id=contract.owner_id, team=contract.team, signed_by=contract.signed_by,
        steps=[step_to_proto(step, current=step is current) for step in view.steps],
    )
    stamp(message, "sign_time", contract.signed_at)
    return message


def contact_to_proto(contact: Contact) -> sales_pb2.Contact:
    message = sales_pb2.Contact(id=contact.id, name=contact.name, email=contact.email, phone=contact.phone,
                                customer_id=contact.customer_id or "", account_id=contact.account_id,
                                title=contact.title or "")
    stamp(message, "create_time", contact.created_at)
    return message


def contact_event(contact: Contact, account: Account, *, created: bool) -> ContactCreated | ContactUpdated:
    """contact.created or contact.updated: what identity needs to match the person (the account's name is the
    company, its owner the record's owner)."""
    event_type = ContactCreated if created else ContactUpdated
    return event_type(contact_id=contact.id, account_id=account.id, name=contact.name, company=account.name,
                      email=contact.email, phone=contact.phone, owner_id=account.owner_id,
                      customer_id=contact.customer_id or "")


def commitment_to_proto(commitment: Commitment) -> sales_pb2.Commitment:
    message = sales_pb2.Commitment(
        id=commitment.id, opportunity_id=commitment.opportunity_id, contract_id=commitment.contract_id,
        handover_id=commitment.handover_id, account_id=commitment.account_id, description=commitment.description,
        due_in_days=commitment.due_in_days or 0, working_days=commitment.working_days,
        due_date=to_date(commitment.due_date), status=commitment.status, owner_id=commitment.owner_id,
        created_by=commitment.created_by, completed_by=commitment.completed_by,
        completion_note=commitment.completion_note,
    )
    stamp(message, "due_time", commitment.due_at)
    stamp(message, "at_risk_time", commitment.at_risk_at)
    stamp(message, "complete_time", commitment.completed_at)
    return message


def activity_to_proto(activity: Activity) -> sales_pb2.Activity:
    message = sales_pb2.Activity(
        id=activity.id, kind=activity.kind, record_kind=activity.record_kind, record_id=activity.record_id,
        account_id=activity.account_id, user_id=activity.user_id, logged_by=activity.logged_by,
        subject=activity.subject, notes=activity.notes, outcome=activity.outcome, location=activity.location,
        attendee_ids=list(activity.attendees or []), owner_id=activity.owner_id, team=activity.team,
    )
    stamp(message, "occur_time", activity.occurred_at)
    stamp(message, "end_time", activity.ends_at)
    stamp(message, "create_time", activity.created_at)
    return message


def task_to_proto(task: SalesTask, now: datetime) -> sales_pb2.Task:
    message = sales_pb2.Task(
        id=task.id, title=task.title, notes=task.notes, record_kind=task.record_kind, record_id=task.record_id,
        account_id=task.account_id, assignee_id=task.assignee_id, team=task.team, priority=task.priority,
        status=task.status, overdue=task.status == "open" and task.due_at < now, created_by=task.created_by,
        closed_by=task.closed_by, close_note=task.close_note,
    )
    for field, value in (("due_time", task.due_at), ("remind_time", task.remind_at),
                         ("reminded_time", task.reminded_at), ("create_time", task.created_at),
                         ("close_time", task.closed_at)):
        stamp(message, field, value)
    return message
