"""Sales: accounts (R-SALES-5), GB/T 4754 industry (R-LEAD-3), ownership (R-SEC-2), tenancy (R-SEC-4)."""

from __future__ import annotations

import grpc
import pytest

from crm.events.v1.sales_pb2 import AccountCreated
from crm.sales.v1 import sales_pb2, sales_pb2_grpc
from services.core.errors import InvalidArgument, NotFound, PermissionDenied
from services.sales import accounts


@pytest.fixture
def database(migrated_database):
    return migrated_database("sales")


def create(database, caller, tenant="t1", **fields):
    fields.setdefault("name", "Acme Ltd")
    with database.session(tenant) as session:
        return accounts.create_account(session, tenant=tenant, caller=caller, **fields)


def read(database, caller, account_id, tenant="t1"):
    with database.session(tenant) as session:
        return accounts.get_account(session, caller=caller, account_id=account_id)


def test_a_rep_creates_an_account_they_own_and_account_created_is_emitted(database, caller, outbox_events):
    account = create(
        database,
        caller("sales", subject="rep-1"),
        name="  Acme Ltd ",
        industry="i",
        region="Zhejiang",
        customer_id="C20240501001",
    )

    assert (account.name, account.industry, account.region, account.owner_id) == (
        "Acme Ltd",
        "I",
        "Zhejiang",
        "rep-1",
    )
    assert account.tenant_id == "t1" and len(account.id) == 36 and account.created_at.tzinfo is not None
    assert outbox_events(database, AccountCreated) == [
        (
            "t1",
            AccountCreated(account_id=account.id, name="Acme Ltd", customer_id="C20240501001", owner_id="rep-1"),
        )
    ]


def test_owner_is_taken_from_the_request_and_a_manager_is_not_made_owner(database, caller):
    assert create(database, caller("manager", subject="boss")).owner_id == ""
    assert create(database, caller("manager", subject="boss"), owner_id="rep-2").owner_id == "rep-2"
    assert create(database, caller("sales", subject="rep-1"), owner_id="rep-2").owner_id == "rep-2"


def test_invalid_fields_are_all_reported_by_name(database, caller, outbox_events):
    with pytest.raises(InvalidArgument) as raised:
        create(database, caller("sales"), name="  ", industry="Z", region="x" * 101, customer_id="C" * 33)

    assert {v.field for v in raised.value.violations} == {"name", "industry", "region", "customer_id"}
    assert outbox_events(database, AccountCreated) == []


@pytest.mark.parametrize("industry", ["A", "T", "c", ""])
def test_every_gbt_4754_section_letter_or_none_is_accepted(database, caller, industry):
    assert create(database, caller("sales"), industry=industry).industry == industry.upper()


@pytest.mark.parametrize("industry", ["U", "AB", "01", "I1"])
def test_anything_but_a_section_letter_is_refused(database, caller, industry):
    with pytest.raises(InvalidArgument) as raised:
        create(database, caller("sales"), industry=industry)
    assert [v.field for v in raised.value.violations] == ["industry"]


@pytest.mark.parametrize("role", ["marketing", "service_agent", "auditor"])
def test_only_sales_manager_and_admin_create_accounts(database, caller, role):
    with pytest.raises(PermissionDenied):
        create(database, caller(role))


def test_a_rep_reads_only_their_own_accounts(database, caller):
    mine = create(database, caller("sales", subject="rep-1"))
    theirs = create(database, caller("sales", subject="rep-2"))
    unowned = create(database, caller("admin", subject="root"))

    assert read(database, caller("sales", subject="rep-1"), mine.id).id == mine.id
    for hidden in (theirs.id, unowned.id, "no-such-id", ""):
        with pytest.raises(NotFound):
            read(database, caller("sales", subject="rep-1"), hidden)


@pytest.mark.parametrize("role", ["manager", "admin", "auditor"])
def test_see_all_roles_read_every_account(database, caller, role):
    account = create(database, caller("sales", subject="rep-1"))
    assert read(database, caller(role, subject="someone"), account.id).owner_id == "rep-1"


def test_another_tenant_never_sees_the_account(database, caller):
    account = create(database, caller("sales", subject="rep-1"))
    with pytest.raises(NotFound):
        read(database, caller("admin", tenant="t2", subject="rep-1"), account.id, tenant="t2")


def test_api_round_trip_and_error_mapping(grpc_service):
    service = grpc_service("sales")
    stub = sales_pb2_grpc.SalesServiceStub(service.channel)
    rep1, rep2 = service.metadata("sales", subject="rep-1"), service.metadata("sales", subject="rep-2")

    created = stub.CreateAccount(
        sales_pb2.CreateAccountRequest(name="Acme", industry="I", region="Zhejiang"), metadata=rep1
    ).account
    assert (created.name, created.industry, created.region, created.owner_id) == (
        "Acme",
        "I",
        "Zhejiang",
        "rep-1",
    )
    assert created.create_time.seconds > 0
    assert stub.GetAccount(sales_pb2.GetAccountRequest(id=created.id), metadata=rep1).account == created

    with pytest.raises(grpc.RpcError) as raised:
        stub.CreateAccount(sales_pb2.CreateAccountRequest(industry="Z"), metadata=rep1)
    assert raised.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert set(service.violations(raised.value)) == {"name", "industry"}

    with pytest.raises(grpc.RpcError) as raised:
        stub.GetAccount(sales_pb2.GetAccountRequest(id=created.id), metadata=rep2)
    assert raised.value.code() == grpc.StatusCode.NOT_FOUND

    with pytest.raises(grpc.RpcError) as raised:
        stub.CreateAccount(sales_pb2.CreateAccountRequest(name="Acme"), metadata=service.metadata("marketing"))
    assert raised.value.code() == grpc.StatusCode.PERMISSION_DENIED

    with pytest.raises(grpc.RpcError) as raised:
        stub.GetAccount(sales_pb2.GetAccountRequest(id=created.id))
    assert raised.value.code() == grpc.StatusCode.UNAUTHENTICATED
