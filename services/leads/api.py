"""gRPC servicer of crm.leads.v1.LeadsService: proto <-> domain, nothing else."""

from __future__ import annotations

from crm.leads.v1 import leads_pb2, leads_pb2_grpc
from services.core.auth import current_caller
from services.core.service import ServiceContext
from services.leads import leads
from services.leads.models import Lead


def lead_to_proto(lead: Lead) -> leads_pb2.Lead:
    message = leads_pb2.Lead(
        id=lead.id,
        name=lead.name,
        company=lead.company,
        email=lead.email,
        phone=lead.phone,
        channel=lead.channel,
        owner_id=lead.owner_id,
        customer_id=lead.customer_id,
    )
    message.create_time.FromDatetime(lead.created_at)
    return message


class LeadsApi(leads_pb2_grpc.LeadsServiceServicer):
    def __init__(self, context: ServiceContext):
        self.database = context.database

    def CreateLead(self, request: leads_pb2.CreateLeadRequest, context) -> leads_pb2.CreateLeadResponse:  # noqa: N802, ANN001
        caller = current_caller()
        with self.database.session(caller.tenant_id) as session:
            lead = leads.create_lead(
                session,
                tenant=caller.tenant_id,
                caller=caller,
                name=request.name,
                company=request.company,
                email=request.email,
                phone=request.phone,
                channel=request.channel,
                owner_id=request.owner_id,
                request_id=request.request_id,
            )
            return leads_pb2.CreateLeadResponse(lead=lead_to_proto(lead))

    def GetLead(self, request: leads_pb2.GetLeadRequest, context) -> leads_pb2.GetLeadResponse:  # noqa: N802, ANN001
        caller = current_caller()
        with self.database.session(caller.tenant_id) as session:
            return leads_pb2.GetLeadResponse(lead=lead_to_proto(leads.get_lead(session, caller=caller,
                                                                              lead_id=request.id)))
