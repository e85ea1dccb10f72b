"""Contacts (issue #5 item 1, R-SALES-5): people at an account, created, edited, read and listed by the account's rule
(who changes the account changes its contacts; who reads it reads them; others get NOT_FOUND, R-SEC-2); e-mail,
phone and lengths checked field by field; the title is personal data (exported and erased, R-SEC-5); the gRPC API
(unset optional fields stay as they are) and its REST routes."""

from __future__ import annotations

import grpc
import pytest

from crm.sales.v1 import sales_pb2, sales_pb2_grpc
from services.core.errors import InvalidArgument, NotFound, PermissionDenied
from services.core.privacy import Subject
from services.sales import accounts, privacy
from services.sales.accounts import ContactFields
from services.sales.models import Contact
from tests.unit.gateway.conftest import api_key_headers, services_gateway  # noqa: F401 - fixture used here
from tests.unit.services.test_sales_opportunities import ADMIN, add_roster


@pytest.fixture
def database(migrated_database):
    database = migrated_database("sales")
    add_roster(database)
    return database


def account_of(database, caller, owner="rep-1"):
    with database.session("t1") as session:
        rep = caller("sales", subject=owner)
        return accounts.create_account(session, tenant="t1", caller=rep, name="杭州云栖科技").id


def create(database, who, account_id, **fields):
    fields.setdefault("name", "张伟")
    with database.session("t1") as session:
        return accounts.create_contact(session, caller=who, account_id=account_id, fields=ContactFields(**fields))


def update(database, who, contact_id, **fields):
    with database.session("t1") as session:
        return accounts.update_contact(session, caller=who, contact_id=contact_id, fields=ContactFields(**fields))


def names(database, who, account_id, **kwargs):
    with database.session("t1") as session:
        found, more = accounts.list_contacts(session, caller=who, account_id=account_id, **kwargs)
        return [contact.name for contact in found], more


def test_contacts_are_created_edited_and_listed_oldest_first(database, caller):
    account_id = account_of(database, caller)
    rep = caller("sales", subject="rep-1")
    first = create(database, rep, account_id, title=" 采购经理 ", email=" zw@example.cn ", phone="+86 138-0013-8000",
                   customer_id="C-1")
    assert (first.account_id, first.name, first.title, first.email, first.phone, first.customer_id) == (
        account_id, "张伟", "采购经理", "zw@example.cn", "+86 138-0013-8000", "C-1")
    for name in ("李娜", "王芳"):
        create(database, rep, account_id, name=name)
    assert names(database, rep, account_id) == (["张伟", "李娜", "王芳"], False)
    assert names(database, rep, account_id, limit=2) == (["张伟", "李娜"], True)
    assert names(database, rep, account_id, offset=2, limit=2) == (["王芳"], False)

    # Only the fields given change; "" clears one.
    changed = update(database, rep, first.id, title="CTO", phone="")
    assert (changed.name, changed.title, changed.email, changed.phone, changed.customer_id) == (
        "张伟", "CTO", "zw@example.cn", "", "C-1")
    with database.session("t1") as session:
        assert accounts.readable_contact(session, caller=rep, contact_id=first.id).title == "CTO"
    # Another tenant has no such contact.
    with database.session("t2") as session, pytest.raises(NotFound):
        accounts.readable_contact(session, caller=caller("admin", tenant="t2"), contact_id=first.id)


def test_who_changes_the_account_changes_its_contacts_and_its_readers_read_them(database, caller):
    account_id = account_of(database, caller)
    contact_id = create(database, caller("sales", subject="rep-1"), account_id).id
    boss_east, auditor = caller("manager", subject="boss-east"), caller("auditor", subject="audit-1")
    # The owner's team manager and admin add and edit; services too.
    assert create(database, boss_east, account_id, name="李娜").name == "李娜"
    assert update(database, ADMIN, contact_id, title="总经理").title == "总经理"
    assert update(database, caller("admin", kind="service", subject="leads"), contact_id, email="a@b.cn").email \
        == "a@b.cn"
    # Another rep, of the same team or not, and another team's manager: the account is not theirs to see.
    for who in (caller("sales", subject="rep-2"), caller("sales", subject="rep-3"),
                caller("manager", subject="boss-west")):
        with pytest.raises(NotFound):
            create(database, who, account_id)
        with pytest.raises(NotFound):
            update(database, who, contact_id, name="x")
        with pytest.raises(NotFound):
            names(database, who, account_id)
        with database.session("t1") as session, pytest.raises(NotFound):
            accounts.readable_contact(session, caller=who, contact_id=contact_id)
    # The auditor reads but changes nothing (no sales role); a reader without the right to change is refused.
    assert names(database, auditor, account_id) == (["张伟", "李娜"], False)
    with pytest.raises(PermissionDenied):
        update(database, auditor, contact_id, name="x")
    with pytest.raises(PermissionDenied):
        update(database, caller("auditor", "sales", subject="audit-1"), contact_id, name="x")
    with database.session("t1") as session:
        assert session.get(Contact, contact_id).name == "张伟"


def test_contact_fields_are_checked_field_by_field(database, caller):
    account_id = account_of(database, caller)
    rep = caller("sales", subject="rep-1")
    cases = [
        ({"name": " "}, {"name"}),
        ({"name": "x" * 201, "title": "t" * 101, "customer_id": "c" * 33}, {"name", "title", "customer_id"}),
        ({"email": "zw@example", "phone": "call me"}, {"email", "phone"}),
        ({"email": "a b@example.cn", "phone": "+86 1"}, {"email", "phone"}),
        ({"email": "x" * 250 + "@example.cn"}, {"email"}),
    ]
    for fields, expected in cases:
        with pytest.raises(InvalidArgument) as raised:
            create(database, rep, account_id, **fields)
        assert {v.field for v in raised.value.violations} == expected, fields
    with pytest.raises(InvalidArgument) as raised:
        create(database, rep, "", name="张伟")
    assert [v.field for v in raised.value.violations] == ["account_id"]
    contact_id = create(database, rep, account_id, phone="010-65529988", email="li.na+crm@mail.example.com.cn").id
    with pytest.raises(InvalidArgument) as raised:
        update(database, rep, contact_id, name="", email="nope")
    assert {v.field for v in raised.value.violations} == {"name", "email"}
    # Nothing changed, and an unknown contact is NOT_FOUND after the fields passed.
    assert update(database, rep, contact_id).phone == "010-65529988"
    with pytest.raises(NotFound):
        update(database, rep, "missing", title="x")


def test_a_contacts_title_is_exported_and_erased_with_the_person(database, caller):
    account_id = account_of(database, caller)
    rep = caller("sales", subject="rep-1")
    mine = create(database, rep, account_id, title="采购经理", email="zw@example.cn", phone="13800138000",
                  customer_id="C-9").id
    other = create(database, rep, account_id, name="李娜", title="CFO").id
    subject = Subject(request_id="r-1", kind="erase", customer_id="C-9", customer_ids=("C-9",))
    with database.session("t1") as session:
        [exported] = privacy.export(session, subject).section["contacts"]
    assert (exported["id"], exported["title"], exported["email"]) == (mine, "采购经理", "zw@example.cn")
    with database.session("t1") as session:
        privacy.erase(session, subject)
    with database.session("t1") as session:
        erased, kept = session.get(Contact, mine), session.get(Contact, other)
        assert (erased.name, erased.title, erased.email, erased.phone) == ("[erased]", "", "", "")
        assert (kept.name, kept.title) == ("李娜", "CFO")


def test_contact_rpcs(grpc_service):
    service = grpc_service("sales")
    stub = sales_pb2_grpc.SalesServiceStub(service.channel)
    stub.UpsertMember(sales_pb2.UpsertMemberRequest(member=sales_pb2.Member(user_id="rep-1", team="east")),
                      metadata=service.metadata("admin", subject="root"))
    rep = service.metadata("sales", subject="rep-1")
    account = stub.CreateAccount(sales_pb2.CreateAccountRequest(name="Acme"), metadata=rep).account
    made = stub.CreateContact(sales_pb2.CreateContactRequest(
        account_id=account.id, name="张伟", title="采购经理", email="zw@example.cn", phone="13800138000"),
        metadata=rep).contact
    assert (made.account_id, made.name, made.title, made.email, made.phone) == (
        account.id, "张伟", "采购经理", "zw@example.cn", "13800138000") and made.create_time.seconds
    for name in ("李娜", "王芳"):
        stub.CreateContact(sales_pb2.CreateContactRequest(account_id=account.id, name=name), metadata=rep)
    # An unset optional field stays; one set to "" is cleared.
    changed = stub.UpdateContact(sales_pb2.UpdateContactRequest(id=made.id, title="CTO", phone=""),
                                 metadata=rep).contact
    assert (changed.name, changed.title, changed.email, changed.phone) == ("张伟", "CTO", "zw@example.cn", "")
    assert stub.GetContact(sales_pb2.GetContactRequest(id=made.id), metadata=rep).contact == changed
    first = stub.ListContacts(sales_pb2.ListContactsRequest(account_id=account.id, page={"page_size": 2}),
                              metadata=rep)
    assert [c.name for c in first.contacts] == ["张伟", "李娜"] and first.page.next_page_token
    second = stub.ListContacts(sales_pb2.ListContactsRequest(
        account_id=account.id, page={"page_size": 2, "page_token": first.page.next_page_token}), metadata=rep)
    assert [c.name for c in second.contacts] == ["王芳"] and not second.page.next_page_token

    with pytest.raises(grpc.RpcError) as raised:
        stub.CreateContact(sales_pb2.CreateContactRequest(account_id=account.id, name="x", email="x@", phone="?"),
                           metadata=rep)
    assert raised.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert set(service.violations(raised.value)) == {"email", "phone"}
    with pytest.raises(grpc.RpcError) as raised:
        stub.UpdateContact(sales_pb2.UpdateContactRequest(id=made.id, name=""), metadata=rep)
    assert set(service.violations(raised.value)) == {"name"}
    other = service.metadata("sales", subject="rep-9")
    for call, request in ((stub.GetContact, sales_pb2.GetContactRequest(id=made.id)),
                          (stub.UpdateContact, sales_pb2.UpdateContactRequest(id=made.id, name="x")),
                          (stub.ListContacts, sales_pb2.ListContactsRequest(account_id=account.id)),
                          (stub.CreateContact, sales_pb2.CreateContactRequest(account_id=account.id, name="x"))):
        with pytest.raises(grpc.RpcError) as raised:
            call(request, metadata=other)
        assert raised.value.code() == grpc.StatusCode.NOT_FOUND, call


def test_contacts_through_rest_with_patch_of_the_fields_given(services_gateway):  # noqa: F811
    client = services_gateway.test_client()
    rep = api_key_headers(services_gateway, "rep-a", roles=("sales",))
    account = client.post("/api/v1/accounts", json={"name": "Acme"}, headers=rep).get_json()["account"]
    made = client.post(f"/api/v1/accounts/{account['id']}/contacts",
                       json={"name": "张伟", "title": "采购经理", "email": "zw@example.cn"}, headers=rep)
    assert made.status_code == 201
    contact = made.get_json()["contact"]
    changed = client.patch(f"/api/v1/contacts/{contact['id']}", json={"title": "", "phone": "13800138000"},
                           headers=rep)
    assert changed.status_code == 200, changed.get_json()
    assert {key: changed.get_json()["contact"][key] for key in ("name", "title", "email", "phone")} == {
        "name": "张伟", "title": "", "email": "zw@example.cn", "phone": "13800138000"}
    listed = client.get(f"/api/v1/accounts/{account['id']}/contacts", headers=rep).get_json()
    assert [c["phone"] for c in listed["contacts"]] == ["13800138000"]
    bad = client.patch(f"/api/v1/contacts/{contact['id']}", json={"email": "nope"}, headers=rep)
    assert bad.status_code == 400 and [e["field"] for e in bad.get_json()["errors"]] == ["email"]
    # Another tenant, same subject: not found, and nothing changed.
    theirs = api_key_headers(services_gateway, "rep-a", roles=("sales", "admin"), tenant="other")
    assert client.patch(f"/api/v1/contacts/{contact['id']}", json={"name": "x"}, headers=theirs).status_code == 404
    assert client.get(f"/api/v1/contacts/{contact['id']}", headers=rep).get_json()["contact"]["name"] == "张伟"
    document = client.get("/openapi.json").get_json()
    assert document["paths"]["/api/v1/contacts/{id}"]["patch"]["operationId"] == "sales.UpdateContact"
    assert {"/api/v1/activities/{id}", "/api/v1/tasks/{id}"} <= {
        path for path, item in document["paths"].items() if "patch" in item}
