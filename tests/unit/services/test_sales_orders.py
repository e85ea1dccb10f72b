"""Orders (issue #5 item 6): placed -> paid -> shipped -> received, refunded from paid/shipped/received; each change
emits its event with decimal-string amounts; idempotent creation by the client request id; permissions as
opportunities; orders feed the recommended bundles."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import grpc
import pytest

from crm.common.v1 import common_pb2
from crm.events.v1.sales_pb2 import OrderPaid, OrderPlaced, OrderReceived, OrderRefunded, OrderShipped
from crm.sales.v1 import sales_pb2, sales_pb2_grpc
from services.core.auth import Caller
from services.core.errors import FailedPrecondition, InvalidArgument, NotFound, PermissionDenied
from services.sales import accounts, bundles, orders, quotes
from tests.unit.services.test_sales_contracts import catalogue
from tests.unit.services.test_sales_opportunities import ADMIN, add_roster

T0 = datetime(2026, 11, 11, 0, 0, tzinfo=UTC)
SHOP = Caller("t1", "web-shop", "service", frozenset())


@pytest.fixture
def database(migrated_database):
    database = migrated_database("sales")
    add_roster(database)
    return database


def account_of(database, caller, owner="rep-1", name="杭州云栖科技"):
    with database.session("t1") as session:
        return accounts.create_account(session, tenant="t1", caller=ADMIN, name=name, owner_id=owner,
                                       customer_id="cust-1").id


def place(database, who, account_id, request_id="shop-1001", lines=None):
    basic, addon, price_list = database.catalogue
    with database.session("t1") as session:
        return orders.place(session, caller=who, request_id=request_id, account_id=account_id,
                            price_list_id=price_list, lines=lines or [(basic, "3", "15"), (addon, "2.5", "0")],
                            at=T0)


def move(database, who, order_id, to, reference="", at=T0):
    with database.session("t1") as session:
        return orders.transition(session, caller=who, order_id=order_id, to=to, reference=reference, at=at)


def test_an_order_through_its_life_emits_each_event_with_exact_amounts(database, caller, outbox_events):
    catalogue(database, caller)
    account_id = account_of(database, caller)
    view = place(database, caller("sales", subject="rep-1"), account_id)
    order = view.order
    # As the quote of the same lines: 29999.97 - 15% -> 25499.97 + tax 3315.00; 5000.00 + tax 300.00.
    assert (order.status, str(order.net_total), str(order.tax_total), str(order.total), order.team) == (
        "placed", "30499.97", "3615.00", "34114.97", "east")
    assert [str(line.net_amount) for line in view.lines] == ["25499.97", "5000.00"]
    [(tenant, placed)] = outbox_events(database, OrderPlaced)
    assert (tenant, placed.order_id, placed.customer_id, placed.request_id) == ("t1", order.id, "cust-1",
                                                                               "shop-1001")
    assert (placed.total.amount, placed.total.currency, placed.net_total.amount, placed.tax_total.amount) == (
        "34114.97", "CNY", "30499.97", "3615.00")
    assert placed.place_time.ToDatetime(tzinfo=UTC) == T0

    move(database, SHOP, order.id, "paid", "alipay-778", at=T0 + timedelta(minutes=5))
    move(database, SHOP, order.id, "shipped", "SF1234567", at=T0 + timedelta(days=1))
    received = move(database, caller("sales", subject="rep-1"), order.id, "received", at=T0 + timedelta(days=3))
    assert (received.order.status, received.order.payment_reference, received.order.tracking_number) == (
        "received", "alipay-778", "SF1234567")
    [(_, paid)] = outbox_events(database, OrderPaid)
    [(_, shipped)] = outbox_events(database, OrderShipped)
    [(_, got)] = outbox_events(database, OrderReceived)
    assert (paid.total.amount, paid.payment_reference, paid.pay_time.ToDatetime(tzinfo=UTC)) == (
        "34114.97", "alipay-778", T0 + timedelta(minutes=5))
    assert (shipped.tracking_number, got.receive_time.ToDatetime(tzinfo=UTC)) == ("SF1234567",
                                                                                  T0 + timedelta(days=3))
    refunded = move(database, ADMIN, order.id, "refunded", "质量问题", at=T0 + timedelta(days=5))
    assert (refunded.order.status, refunded.order.refund_reason) == ("refunded", "质量问题")
    [(_, refund)] = outbox_events(database, OrderRefunded)
    assert (refund.amount.amount, refund.amount.currency, refund.from_status, refund.reason) == (
        "34114.97", "CNY", "received", "质量问题")


def test_the_state_machine_refuses_illegal_moves(database, caller):
    catalogue(database, caller)
    account_id = account_of(database, caller)
    order_id = place(database, SHOP, account_id).order.id
    for illegal in ("shipped", "received", "refunded"):
        with pytest.raises(FailedPrecondition) as raised:
            move(database, SHOP, order_id, illegal, "reason")
        assert "is placed" in str(raised.value) and illegal in str(raised.value)
    move(database, SHOP, order_id, "paid")
    with pytest.raises(FailedPrecondition):
        move(database, SHOP, order_id, "paid")  # paying twice
    with pytest.raises(FailedPrecondition):
        move(database, SHOP, order_id, "received")  # not shipped yet
    move(database, SHOP, order_id, "refunded", "changed mind")  # a paid order may be refunded before shipping
    for illegal in ("paid", "shipped", "received", "refunded"):
        with pytest.raises(FailedPrecondition):
            move(database, SHOP, order_id, illegal, "again")
    with pytest.raises(InvalidArgument) as raised:
        move(database, SHOP, order_id, "cancelled")
    assert [v.field for v in raised.value.violations] == ["status"]
    second = place(database, SHOP, account_id, request_id="shop-1002").order.id
    move(database, SHOP, second, "paid")
    with pytest.raises(InvalidArgument) as raised:
        move(database, SHOP, second, "refunded", "  ")
    assert [v.field for v in raised.value.violations] == ["reason"]


def test_the_same_request_id_returns_the_first_order_and_emits_once(database, caller, outbox_events):
    basic, _, _ = catalogue(database, caller)
    account_id = account_of(database, caller)
    first = place(database, SHOP, account_id)
    again = place(database, SHOP, account_id, lines=[(basic, "1", "0")])
    assert (again.replayed, again.order.id, again.order.total) == (True, first.order.id, Decimal("34114.97"))
    assert len(again.lines) == 2 and not first.replayed
    assert len(outbox_events(database, OrderPlaced)) == 1
    # The owner of the account sees the replay; a rep of another team gets no hint about the order.
    assert place(database, caller("sales", subject="rep-1"), account_id).order.id == first.order.id
    with pytest.raises(FailedPrecondition):
        place(database, caller("sales", subject="rep-3"), account_id_of_rep3 := account_of(database, caller, "rep-3"))
    assert place(database, caller("sales", subject="rep-3"), account_id_of_rep3, request_id="r3-1").order.owner_id \
        == "rep-3"


def test_permissions_follow_opportunities(database, caller):
    catalogue(database, caller)
    account_id = account_of(database, caller, owner="rep-1")
    rep1, rep2, rep3 = (caller("sales", subject=who) for who in ("rep-1", "rep-2", "rep-3"))
    with pytest.raises(NotFound):
        place(database, rep3, account_id, request_id="x")  # another team's account
    with pytest.raises(PermissionDenied):
        place(database, caller("auditor", subject="audit"), account_id, request_id="y")
    order_id = place(database, rep1, account_id).order.id
    with database.session("t1") as session:
        for reader in (rep1, caller("manager", subject="boss-east"), caller("auditor", subject="audit"), ADMIN, SHOP):
            assert orders.readable(session, caller=reader, order_id=order_id).order.id == order_id
        for stranger in (rep2, rep3, caller("manager", subject="boss-west")):
            with pytest.raises(NotFound):
                orders.readable(session, caller=stranger, order_id=order_id)
    with pytest.raises(PermissionDenied):
        move(database, caller("auditor", subject="audit"), order_id, "paid")
    with pytest.raises(NotFound):
        move(database, rep2, order_id, "paid")
    assert move(database, caller("manager", subject="boss-east"), order_id, "paid").order.status == "paid"


def test_orders_are_baskets_for_recommended_bundles_unless_refunded(database, caller):
    basic, addon, _ = catalogue(database, caller)
    with database.session("t1") as session:
        support = quotes.create_product(session, caller=ADMIN, sku="SUPPORT", name="Support", tax_rate="0.06").id
        price_list = quotes.create_price_list(session, caller=ADMIN, name="shop", currency="CNY", items=[
            (basic, "100", "CNY"), (addon, "50", "CNY"), (support, "10", "CNY")]).id

    def order(name, items, request_id):
        with database.session("t1") as session:
            return orders.place(session, caller=SHOP, request_id=request_id, price_list_id=price_list,
                                account_id=account_of(database, caller, name=name),
                                lines=[(product, "1", "0") for product in items]).order

    for n in range(3):
        order(f"Buyer {n}", [basic, addon], f"ba-{n}")
    order("S1", [support], "s-1")
    order("S2", [support], "s-2")
    lonely = order("Lonely", [addon], "a-1")
    target = order("Target", [basic], "b-1").account_id
    # 7 baskets: BA x3, S x2, A, B. B -> A: conf 3/4 = 0.75, lift 0.75 / (4/7) = 1.3125.
    with database.session("t1") as session:
        found = bundles.recommend_for_account(session, caller=ADMIN, account_id=target)
        assert found.owned == {basic}
        assert [(list(r.product_ids), r.confidence, r.lift) for r in found.items] == [([basic, addon], 0.75, 1.3125)]
    move(database, SHOP, lonely.id, "paid")
    move(database, SHOP, lonely.id, "refunded", "wrong item")
    # The refunded basket drops out: 6 baskets, A = 3: lift 0.75 / (3/6) = 1.5.
    with database.session("t1") as session:
        found = bundles.recommend_for_account(session, caller=ADMIN, account_id=target)
        assert [(r.confidence, r.lift, r.support) for r in found.items] == [(0.75, 1.5, 0.5)]
        assert {row[0] for row in bundles.tenant_baskets(session, limit=100)} == {"order"}


def test_order_rpcs(grpc_service):
    service = grpc_service("sales")
    stub = sales_pb2_grpc.SalesServiceStub(service.channel)
    admin = service.metadata("admin", subject="root")
    stub.UpsertMember(sales_pb2.UpsertMemberRequest(member=sales_pb2.Member(user_id="rep-1", team="east")),
                      metadata=admin)
    rep = service.metadata("sales", subject="rep-1")
    shop = service.metadata(tenant="t1", subject="web-shop", kind="service")
    product = stub.CreateProduct(sales_pb2.CreateProductRequest(sku="B", name="基础版", tax_rate="0.13"),
                                 metadata=admin).product
    price_list = stub.CreatePriceList(sales_pb2.CreatePriceListRequest(
        name="CNY", currency="CNY", items=[sales_pb2.PriceListItem(
            product_id=product.id, unit_price=common_pb2.Money(amount="0.05", currency="CNY"))]),
        metadata=admin).price_list_id
    account = stub.CreateAccount(sales_pb2.CreateAccountRequest(name="Acme"), metadata=rep).account
    request = sales_pb2.PlaceOrderRequest(
        request_id="shop-1", account_id=account.id, price_list_id=price_list,
        lines=[sales_pb2.QuoteLineInput(product_id=product.id, quantity="3", discount_percent="50")])
    placed = stub.PlaceOrder(request, metadata=shop)
    # 3 x 0.05 = 0.15, -50% = 0.075 -> 0.08, tax 0.0104 -> 0.01.
    assert (placed.replayed, placed.order.status, placed.order.total.amount, placed.order.owner_id) == (
        False, "placed", "0.09", "rep-1")
    assert placed.order.place_time.seconds > 0 and placed.order.lines[0].net_amount.amount == "0.08"
    again = stub.PlaceOrder(request, metadata=shop)
    assert (again.replayed, again.order.id) == (True, placed.order.id)
    order_id = placed.order.id
    with pytest.raises(grpc.RpcError) as raised:
        stub.ShipOrder(sales_pb2.ShipOrderRequest(id=order_id), metadata=shop)
    assert raised.value.code() == grpc.StatusCode.FAILED_PRECONDITION
    assert "placed" in raised.value.details()
    paid = stub.PayOrder(sales_pb2.PayOrderRequest(id=order_id, payment_reference="wx-1"), metadata=shop).order
    assert (paid.status, paid.payment_reference) == ("paid", "wx-1") and paid.pay_time.seconds > 0
    stub.ShipOrder(sales_pb2.ShipOrderRequest(id=order_id, tracking_number="SF1"), metadata=shop)
    stub.ReceiveOrder(sales_pb2.ReceiveOrderRequest(id=order_id), metadata=rep)
    with pytest.raises(grpc.RpcError) as raised:
        stub.RefundOrder(sales_pb2.RefundOrderRequest(id=order_id), metadata=rep)
    assert set(service.violations(raised.value)) == {"reason"}
    refunded = stub.RefundOrder(sales_pb2.RefundOrderRequest(id=order_id, reason="damaged"), metadata=rep).order
    assert (refunded.status, refunded.refund_reason) == ("refunded", "damaged") and refunded.refund_time.seconds
    assert stub.GetOrder(sales_pb2.GetOrderRequest(id=order_id), metadata=rep).order.status == "refunded"
    with pytest.raises(grpc.RpcError) as raised:
        stub.GetOrder(sales_pb2.GetOrderRequest(id=order_id), metadata=service.metadata("sales", subject="rep-9"))
    assert raised.value.code() == grpc.StatusCode.NOT_FOUND
