"""gRPC servicer of crm.leads.v1.LeadsService: proto <-> domain, nothing else."""

from __future__ import annotations

from crm.common.v1 import common_pb2
from crm.leads.v1 import leads_pb2, leads_pb2_grpc
from services.core.auth import current_caller
from services.core.service import ServiceContext
from services.leads import leads
from services.leads.masking import mask_email, mask_phone
from services.leads.models import Lead


def _stamp(field, value) -> None:  # noqa: ANN001
    if value is not None:
        field.FromDatetime(value)


def lead_to_proto(lead: Lead, *, masked: bool = False) -> leads_pb2.Lead:
    """`masked`: the caller may see the pool lead but not its contact details until they claim it."""
    message = leads_pb2.Lead(
        id=lead.id,
        name=lead.name,
        company=lead.company,
        email=mask_email(lead.email) if masked else lead.email,
        phone=mask_phone(lead.phone) if masked else lead.phone,
        channel=lead.channel,
        owner_id=lead.owner_id,
        customer_id=lead.customer_id,
        industry=lead.industry,
        region=lead.region,
        employees=lead.employees,
        status=lead.status,
        duplicate_of=lead.duplicate_of,
        in_pool=lead.pooled_at is not None,
        score=lead.score,
        temperature=lead.temperature,
        contact_masked=masked,
    )
    if lead.budget is not None:
        message.budget.CopyFrom(common_pb2.Money(amount=str(lead.budget), currency=""))
    message.create_time.FromDatetime(lead.created_at)
    _stamp(message.assign_time, lead.assigned_at)
    _stamp(message.last_follow_up_time, lead.last_follow_up_at)
    _stamp(message.first_contact_due_time, lead.first_contact_due)
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

    # --- capture -------------------------------------------------------------------------------------------

    # --- import --------------------------------------------------------------------------------------------

    # --- scoring and behaviour -----------------------------------------------------------------------------

    # --- assignment, reps and public pool ------------------------------------------------------------------

    # --- follow-ups and reminders --------------------------------------------------------------------------
