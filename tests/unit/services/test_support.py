"""Support: tickets of every type and channel (R-SVC-1), priorities (R-SVC-2), roles (R-SEC-2), R-SEC-4."""

from __future__ import annotations

import grpc
import pytest

from crm.events.v1.support_pb2 import TicketOpened
from crm.support.v1 import support_pb2, support_pb2_grpc
from services.core.errors import InvalidArgument, NotFound, PermissionDenied
from services.support import tickets


@pytest.fixture
def database(migrated_database):
    return migrated_database("support")


def open_ticket(database, caller, tenant="t1", **fields):
    fields = {
        "customer_id": "C20240501001",
        "ticket_type": "COMPLAINT",
        "channel": "PHONE",
        "subject": "Parcel arrived late",
        **fields,
    }
    with database.session(tenant) as session:
        return tickets.open_ticket(session, tenant=tenant, caller=caller, **fields)


def read(database, caller, ticket_id, tenant="t1"):
    with database.session(tenant) as session:
        return tickets.get_ticket(session, caller=caller, ticket_id=ticket_id)


def test_a_ticket_opens_at_p3_and_ticket_opened_is_emitted(database, caller, outbox_events):
    ticket = open_ticket(database, caller("service_agent"), description="Third time this month")

    assert (ticket.type, ticket.channel, ticket.priority, ticket.status) == (
        "COMPLAINT",
        "PHONE",
        "P3",
        "OPEN",
    )
    assert (ticket.subject, ticket.description, ticket.assignee_id) == (
        "Parcel arrived late",
        "Third time this month",
        "",
    )
    assert outbox_events(database, TicketOpened) == [
        (
            "t1",
            TicketOpened(
                ticket_id=ticket.id,
                customer_id="C20240501001",
                ticket_type="COMPLAINT",
                channel="PHONE",
                priority="P3",
            ),
        )
    ]


def test_a_given_priority_is_kept(database, caller):
    assert open_ticket(database, caller("manager"), priority="P1").priority == "P1"


def test_every_missing_field_is_reported_by_name(database, caller, outbox_events):
    with pytest.raises(InvalidArgument) as raised:
        open_ticket(database, caller("service_agent"), customer_id=" ", ticket_type="", channel="", subject="")

    assert {v.field for v in raised.value.violations} == {"customer_id", "type", "channel", "subject"}
    assert outbox_events(database, TicketOpened) == []


def test_unknown_names_and_a_long_subject_are_refused(database, caller):
    with pytest.raises(InvalidArgument) as raised:
        open_ticket(
            database,
            caller("service_agent"),
            ticket_type="99",
            channel="FAX",
            priority="P9",
            subject="x" * 201,
        )

    assert {v.field for v in raised.value.violations} == {"type", "channel", "priority", "subject"}


def test_a_subject_of_200_characters_is_fine(database, caller):
    assert len(open_ticket(database, caller("service_agent"), subject="x" * 200).subject) == 200


@pytest.mark.parametrize("role", ["sales", "marketing", "auditor"])
def test_only_agents_managers_and_admins_open_tickets(database, caller, role):
    with pytest.raises(PermissionDenied):
        open_ticket(database, caller(role))


@pytest.mark.parametrize("role", ["service_agent", "manager", "admin", "auditor"])
def test_agents_managers_admins_and_auditors_read_tickets(database, caller, role):
    ticket = open_ticket(database, caller("service_agent", subject="agent-1"))
    assert read(database, caller(role, subject="someone"), ticket.id).id == ticket.id


@pytest.mark.parametrize("role", ["sales", "marketing"])
def test_other_roles_do_not_read_tickets(database, caller, role):
    ticket = open_ticket(database, caller("service_agent"))
    with pytest.raises(PermissionDenied):
        read(database, caller(role), ticket.id)


def test_unknown_ids_and_other_tenants_tickets_are_not_found(database, caller):
    ticket = open_ticket(database, caller("service_agent"))
    for ticket_id in ("no-such-id", ""):
        with pytest.raises(NotFound):
            read(database, caller("admin"), ticket_id)
    with pytest.raises(NotFound):
        read(database, caller("admin", tenant="t2"), ticket.id, tenant="t2")


def test_api_maps_enums_both_ways_and_maps_errors(grpc_service, caller):
    service = grpc_service("support")
    stub = support_pb2_grpc.SupportServiceStub(service.channel)
    agent = service.metadata("service_agent", subject="agent-1")

    opened = stub.OpenTicket(
        support_pb2.OpenTicketRequest(
            customer_id="C20240501001",
            type=support_pb2.TICKET_TYPE_AFTER_SALES,
            channel=support_pb2.TICKET_CHANNEL_IN_PERSON,
            subject="Install the add-on",
        ),
        metadata=agent,
    ).ticket
    assert opened.type == support_pb2.TICKET_TYPE_AFTER_SALES
    assert opened.channel == support_pb2.TICKET_CHANNEL_IN_PERSON
    assert opened.priority == support_pb2.TICKET_PRIORITY_P3
    assert opened.status == support_pb2.TICKET_STATUS_OPEN
    assert opened.create_time.seconds > 0
    with service.database.session("t1") as session:
        stored = tickets.get_ticket(session, caller=caller(kind="service"), ticket_id=opened.id)
        assert (stored.type, stored.channel) == ("AFTER_SALES", "IN_PERSON")
    assert stub.GetTicket(support_pb2.GetTicketRequest(id=opened.id), metadata=agent).ticket == opened

    with pytest.raises(grpc.RpcError) as raised:
        stub.OpenTicket(support_pb2.OpenTicketRequest(customer_id="C1", subject="s"), metadata=agent)
    assert raised.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert set(service.violations(raised.value)) == {"type", "channel"}

    with pytest.raises(grpc.RpcError) as raised:  # a number this build does not know
        stub.OpenTicket(
            support_pb2.OpenTicketRequest(
                customer_id="C1", subject="s", type=99, channel=support_pb2.TICKET_CHANNEL_WEB
            ),
            metadata=agent,
        )
    assert service.violations(raised.value) == {"type": "is not a ticket type"}

    with pytest.raises(grpc.RpcError) as raised:
        stub.GetTicket(support_pb2.GetTicketRequest(id=opened.id), metadata=service.metadata("sales"))
    assert raised.value.code() == grpc.StatusCode.PERMISSION_DENIED

    with pytest.raises(grpc.RpcError) as raised:
        stub.GetTicket(support_pb2.GetTicketRequest(id=opened.id), metadata=service.metadata("admin", tenant="t2"))
    assert raised.value.code() == grpc.StatusCode.NOT_FOUND
