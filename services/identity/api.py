"""gRPC servicer of crm.identity.v1.IdentityService: proto <-> domain, nothing else."""

from __future__ import annotations

from crm.common.v1.common_pb2 import RecordRef
from crm.identity.v1 import identity_pb2, identity_pb2_grpc
from services.core.auth import current_caller
from services.core.service import ServiceContext
from services.identity import identities

RESOLVE_ROLES = ("sales", "manager", "admin", "marketing", "service_agent")


class IdentityApi(identity_pb2_grpc.IdentityServiceServicer):
    def __init__(self, context: ServiceContext):
        self.database = context.database

    def ResolveRecord(self, request, context) -> identity_pb2.ResolveRecordResponse:  # noqa: N802, ANN001
        caller = current_caller()
        caller.require_role(*RESOLVE_ROLES)
        record = identities.SourceRecord(
            service=request.record.service, kind=request.record.kind, record_id=request.record.id,
            name=request.name, company=request.company, email=request.email, phone=request.phone,
            owner_id=request.owner_id or ("" if caller.is_service else caller.subject),
        )
        with self.database.session(caller.tenant_id) as session:
            resolution = identities.resolve(session, tenant=caller.tenant_id, record=record)
        return identity_pb2.ResolveRecordResponse(
            customer_id=resolution.customer_id, created=resolution.created, matched_on=list(resolution.matched_on)
        )

    def GetCustomer(self, request, context) -> identity_pb2.GetCustomerResponse:  # noqa: N802, ANN001
        caller = current_caller()
        with self.database.session(caller.tenant_id) as session:
            customer, links = identities.get_customer(session, caller=caller, customer_id=request.id)
            message = identity_pb2.Customer(
                id=customer.id, name=customer.name, company=customer.company, email=customer.email,
                phone=customer.phone,
                records=[RecordRef(service=link.service, kind=link.kind, id=link.record_id) for link in links],
            )
            message.create_time.FromDatetime(customer.created_at)
        return identity_pb2.GetCustomerResponse(customer=message)
