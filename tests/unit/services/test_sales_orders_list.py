"""Orders, the rest of issue #5 item 6: ListOrders (status, account, customer, placed period, pages, who sees which)
and CancelOrder of an unpaid order (order.cancelled; a paid order is refunded instead, FAILED_PRECONDITION)."""

from __future__ import annotations

from datetime import UTC, timedelta
from decimal import Decimal

import grpc
import pytest

from crm.common.v1 import common_pb2
from crm.events.v1.sales_pb2 import OrderCancelled
from crm.sales.v1 import sales_pb2, sales_pb2_grpc
from services.core.errors import FailedPrecondition, InvalidArgument, NotFound, PermissionDenied
from services.sales import accounts, bundles, orders
from tests.unit.services.test_sales_contracts import catalogue
from tests.unit.services.test_sales_opportunities import ADMIN, add_roster
from tests.unit.services.test_sales_orders import SHOP, T0, move

AUDITOR_SUBJECT = "audit-1"


@pytest.fixture
def database(migrated_database):
    database = migrated_database("sales")
    add_roster(database)
    return database


def account_of(database, owner, customer_id):
    with database.session("t1") as session:
        return accounts.create_account(session, tenant="t1", caller=ADMIN, name=f"{owner}'s customer",
                                       owner_id=owner, customer_id=customer_id).id


def place(database, account_id, request_id, at):
    basic, _, price_list = database.catalogue
    with database.session("t1") as session:
        return orders.place(session, caller=SHOP, request_id=request_id, account_id=account_id,
                            price_list_id=price_list, lines=[(basic, "1", "0")], at=at).order.id


def listed(database, who, **kwargs):
    with database.session("t1") as session:
        found, more = orders.list_orders(session, caller=who, **kwargs)
        return [view.order.request_id for view in found], more


def cancel(database, who, order_id, reason="", at=T0):
    with database.session("t1") as session:
        return orders.cancel(session, caller=who, order_id=order_id, reason=reason, at=at)


@pytest.fixture
def shop(database, caller):
    """Orders o-1..o-5 placed an hour apart: o-1, o-2, o-4 for rep-1's customer C1, o-3 rep-2's (C2), o-5
    rep-3's (C3, team west); o-2 paid."""
    catalogue(database, caller)
    c1, c2, c3 = account_of(database, "rep-1", "C1"), account_of(database, "rep-2", "C2"), \
        account_of(database, "rep-3", "C3")
    ids = {}
    for number, account_id in enumerate((c1, c1, c2, c1, c3), start=1):
        ids[f"o-{number}"] = place(database, account_id, f"o-{number}", T0 + timedelta(hours=number))
    move(database, SHOP, ids["o-2"], "paid")
    return {"accounts": (c1, c2, c3), **ids}


def test_orders_are_listed_newest_first_by_status_account_customer_and_period(database, shop):
    c1, c2, _ = shop["accounts"]
    assert listed(database, ADMIN) == (["o-5", "o-4", "o-3", "o-2", "o-1"], False)
    assert listed(database, ADMIN, limit=2) == (["o-5", "o-4"], True)
    assert listed(database, ADMIN, offset=4, limit=2) == (["o-1"], False)
    assert listed(database, ADMIN, status="paid") == (["o-2"], False)
    assert listed(database, ADMIN, status="placed", account_id=c1) == (["o-4", "o-1"], False)
    assert listed(database, ADMIN, customer_id="C2") == (["o-3"], False)
    assert listed(database, ADMIN, account_id=c2, customer_id="C1") == ([], False)
    # The placed period: from (inclusive) ... before (exclusive).
    assert listed(database, ADMIN, placed_from=T0 + timedelta(hours=2), placed_before=T0 + timedelta(hours=4)) == (
        ["o-3", "o-2"], False)
    assert listed(database, ADMIN, placed_from=T0 + timedelta(hours=5)) == (["o-5"], False)
    # Listed with their lines.
    with database.session("t1") as session:
        [view] = orders.list_orders(session, caller=ADMIN, status="paid")[0]
        assert [(line.position, line.net_amount) for line in view.lines] == [(1, Decimal("9999.99"))]
    for kwargs, field in (({"status": "lost"}, "status"),
                          ({"placed_from": T0, "placed_before": T0}, "place_time_end")):
        with pytest.raises(InvalidArgument) as raised:
            listed(database, ADMIN, **kwargs)
        assert [v.field for v in raised.value.violations] == [field]


def test_each_caller_lists_the_orders_they_may_read(database, caller, shop):
    assert listed(database, caller("sales", subject="rep-1")) == (["o-4", "o-2", "o-1"], False)
    assert listed(database, caller("sales", subject="rep-2")) == (["o-3"], False)
    assert listed(database, caller("manager", subject="boss-east")) == (["o-4", "o-3", "o-2", "o-1"], False)
    assert listed(database, caller("manager", subject="boss-west")) == (["o-5"], False)
    assert listed(database, caller("auditor", subject=AUDITOR_SUBJECT))[0] == ["o-5", "o-4", "o-3", "o-2", "o-1"]
    assert listed(database, SHOP)[0] == ["o-5", "o-4", "o-3", "o-2", "o-1"]
    assert listed(database, caller("sales", subject="fin")) == ([], False)
    # A customer filter does not reveal other reps' orders.
    assert listed(database, caller("sales", subject="rep-1"), customer_id="C2") == ([], False)


def test_an_unpaid_order_is_cancelled_and_a_paid_one_must_be_refunded(database, caller, outbox_events, shop):
    cancelled = cancel(database, caller("sales", subject="rep-1"), shop["o-1"], reason="  not paid in 24 h ",
                       at=T0 + timedelta(days=1))
    assert (cancelled.order.status, cancelled.order.cancel_reason, cancelled.order.cancelled_at) == (
        "cancelled", "not paid in 24 h", T0 + timedelta(days=1))
    [(tenant, event)] = outbox_events(database, OrderCancelled)
    assert (tenant, event.order_id, event.customer_id, event.owner_id, event.reason, event.request_id) == (
        "t1", shop["o-1"], "C1", "rep-1", "not paid in 24 h", "o-1")
    assert (event.total.amount, event.total.currency) == ("11299.99", "CNY")
    assert event.cancel_time.ToDatetime(tzinfo=UTC) == T0 + timedelta(days=1)

    # Paid (or later): refunded, not cancelled.
    with pytest.raises(FailedPrecondition) as raised:
        cancel(database, SHOP, shop["o-2"])
    assert "paid" in str(raised.value) and "refunded" in str(raised.value)
    move(database, SHOP, shop["o-2"], "shipped")
    with pytest.raises(FailedPrecondition):
        cancel(database, SHOP, shop["o-2"])
    # Cancelled is final: no second cancel, no payment.
    with pytest.raises(FailedPrecondition) as raised:
        cancel(database, SHOP, shop["o-1"])
    assert "cancelled" in str(raised.value)
    with pytest.raises(FailedPrecondition):
        move(database, SHOP, shop["o-1"], "paid")
    assert len(outbox_events(database, OrderCancelled)) == 1
    assert listed(database, ADMIN, status="cancelled") == (["o-1"], False)

    # Who: the owner's team manager and the shop cancel; the auditor reads only; other reps do not see it.
    with pytest.raises(PermissionDenied):
        cancel(database, caller("auditor", subject=AUDITOR_SUBJECT), shop["o-4"])
    with pytest.raises(NotFound):
        cancel(database, caller("sales", subject="rep-2"), shop["o-4"])
    assert cancel(database, caller("manager", subject="boss-east"), shop["o-4"]).order.status == "cancelled"
    with pytest.raises(InvalidArgument):
        cancel(database, SHOP, shop["o-3"], reason="x" * 501)


def test_cancelled_orders_are_no_baskets(database, caller, shop):
    with database.session("t1") as session:
        before = {row[0] for row in bundles.order_baskets(session, limit=100)}
    cancel(database, SHOP, shop["o-3"])
    with database.session("t1") as session:
        after = {row[0] for row in bundles.order_baskets(session, limit=100)}
        assert before - after == {shop["o-3"]}
        assert shop["o-3"] not in {row[0] for row in bundles.tenant_baskets(session, limit=100)}


def test_list_and_cancel_rpcs(grpc_service):
    service = grpc_service("sales")
    stub = sales_pb2_grpc.SalesServiceStub(service.channel)
    admin = service.metadata("admin", subject="root")
    stub.UpsertMember(sales_pb2.UpsertMemberRequest(member=sales_pb2.Member(user_id="rep-1", team="east")),
                      metadata=admin)
    rep = service.metadata("sales", subject="rep-1")
    shop_caller = service.metadata(tenant="t1", subject="web-shop", kind="service")
    product = stub.CreateProduct(sales_pb2.CreateProductRequest(sku="B", name="基础版", tax_rate="0.13"),
                                 metadata=admin).product
    price_list = stub.CreatePriceList(sales_pb2.CreatePriceListRequest(
        name="CNY", currency="CNY", items=[sales_pb2.PriceListItem(
            product_id=product.id, unit_price=common_pb2.Money(amount="100", currency="CNY"))]),
        metadata=admin).price_list_id
    account = stub.CreateAccount(sales_pb2.CreateAccountRequest(name="Acme", customer_id="C9"), metadata=rep).account
    placed = []
    for number in range(3):
        placed.append(stub.PlaceOrder(sales_pb2.PlaceOrderRequest(
            request_id=f"shop-{number}", account_id=account.id, price_list_id=price_list,
            lines=[sales_pb2.QuoteLineInput(product_id=product.id, quantity="1", discount_percent="0")]),
            metadata=shop_caller).order)
    stub.PayOrder(sales_pb2.PayOrderRequest(id=placed[0].id, payment_reference="wx"), metadata=shop_caller)
    cancelled = stub.CancelOrder(sales_pb2.CancelOrderRequest(id=placed[1].id, reason="timeout"), metadata=rep).order
    assert (cancelled.status, cancelled.cancel_reason) == ("cancelled", "timeout") and cancelled.cancel_time.seconds
    with pytest.raises(grpc.RpcError) as raised:
        stub.CancelOrder(sales_pb2.CancelOrderRequest(id=placed[0].id), metadata=rep)
    assert raised.value.code() == grpc.StatusCode.FAILED_PRECONDITION and "RefundOrder" in raised.value.details()

    first = stub.ListOrders(sales_pb2.ListOrdersRequest(customer_id="C9", page={"page_size": 2}), metadata=rep)
    assert [o.request_id for o in first.orders] == ["shop-2", "shop-1"] and first.page.next_page_token
    assert first.orders[0].lines[0].net_amount.amount == "100.00"
    second = stub.ListOrders(sales_pb2.ListOrdersRequest(customer_id="C9", page={
        "page_size": 2, "page_token": first.page.next_page_token}), metadata=rep)
    assert [o.request_id for o in second.orders] == ["shop-0"] and not second.page.next_page_token
    assert [o.status for o in stub.ListOrders(sales_pb2.ListOrdersRequest(status="cancelled"),
                                              metadata=rep).orders] == ["cancelled"]
    third = placed[2].place_time
    assert [o.request_id for o in stub.ListOrders(sales_pb2.ListOrdersRequest(place_time_start=third),
                                                  metadata=shop_caller).orders] == ["shop-2"]
    assert [o.request_id for o in stub.ListOrders(sales_pb2.ListOrdersRequest(place_time_end=third),
                                                  metadata=shop_caller).orders] == ["shop-1", "shop-0"]
    assert stub.ListOrders(sales_pb2.ListOrdersRequest(), metadata=service.metadata("sales", subject="rep-9")) \
        .orders == []
