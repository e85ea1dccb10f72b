"""The REST resources and the gRPC method behind each (like google.api.http annotations, kept in one table).

A path parameter names a field of the request message; for GET and DELETE the query string fills the other
fields (`page_size`/`page_token` fill the request's `page`); for POST, PATCH and PUT the JSON body is the request
message (proto field names), with the path parameters set on top.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from google.protobuf.descriptor import Descriptor, FieldDescriptor, MethodDescriptor

from services.gateway.principal import STUBS

PAGE_ALIASES = {"page_size": "page.page_size", "page_token": "page.page_token"}


@dataclass(frozen=True)
class Route:
    http_method: str
    path: str  # OpenAPI template: /api/v1/leads/{id}
    service: str
    rpc: str
    summary: str = ""
    success: int = 200

    @property
    def body(self) -> bool:
        return self.http_method in ("POST", "PUT", "PATCH")

    @property
    def path_params(self) -> list[str]:
        return re.findall(r"{(\w+)}", self.path)

    @property
    def flask_rule(self) -> str:
        return re.sub(r"{(\w+)}", r"<\1>", self.path)

    def query_fields(self, request: Descriptor) -> dict[str, FieldDescriptor]:
        """Query parameter -> the (possibly nested) field it fills: scalars and enums, one level into messages."""
        fields: dict[str, FieldDescriptor] = {}
        for field in request.fields:
            if field.name in self.path_params:
                continue
            if field.type == FieldDescriptor.TYPE_MESSAGE:
                if field.message_type.full_name == "crm.common.v1.PageRequest":
                    for alias, dotted in PAGE_ALIASES.items():
                        fields[alias] = field.message_type.fields_by_name[dotted.split(".")[1]]
                continue
            fields[field.name] = field
        return fields


def _routes(*specs: tuple) -> tuple[Route, ...]:
    return tuple(Route(*spec) for spec in specs)


ROUTES = _routes(
    # leads
    ("GET", "/api/v1/leads", "leads", "ListLeads", "List the leads the caller may see"),
    ("POST", "/api/v1/leads", "leads", "CreateLead", "Capture a lead", 201),
    ("GET", "/api/v1/leads/{id}", "leads", "GetLead", "One lead"),
    ("GET", "/api/v1/leads/{lead_id}/score", "leads", "GetLeadScore", "A lead's score and its explanation"),
    ("GET", "/api/v1/leads/{lead_id}/score-history", "leads", "ListScoreHistory", "How a lead's score moved"),
    ("POST", "/api/v1/leads/{lead_id}/behaviour", "leads", "RecordBehaviour", "Record a behaviour event"),
    ("POST", "/api/v1/leads/{lead_id}/claim", "leads", "ClaimLead", "Claim a lead from the public pool"),
    ("POST", "/api/v1/leads/{lead_id}/release", "leads", "ReleaseLead", "Release a lead to the public pool"),
    ("POST", "/api/v1/leads/{lead_id}/assign", "leads", "AssignLead", "Assign a lead to a rep"),
    ("GET", "/api/v1/leads/{lead_id}/follow-ups", "leads", "ListFollowUps", "A lead's follow-ups"),
    ("POST", "/api/v1/leads/{lead_id}/follow-ups", "leads", "AddFollowUp", "Record a follow-up", 201),
    ("GET", "/api/v1/reminders", "leads", "ListReminders", "Reminders"),
    ("POST", "/api/v1/leads/{lead_id}/reminders", "leads", "ScheduleReminder", "Schedule a reminder", 201),
    ("POST", "/api/v1/reminders/{reminder_id}/cancel", "leads", "CancelReminder", "Cancel a reminder"),
    ("GET", "/api/v1/lead-imports", "leads", "ListImportJobs", "Lead import jobs"),
    ("GET", "/api/v1/lead-imports/{id}", "leads", "GetImportJob", "One import job and its progress"),
    ("GET", "/api/v1/lead-imports/{job_id}/errors", "leads", "ListImportRowErrors", "Rejected rows of an import"),
    ("GET", "/api/v1/reps", "leads", "ListReps", "Reps and their teams"),
    # identity
    ("GET", "/api/v1/customers/{id}", "identity", "GetCustomer", "A customer's golden record and linked records"),
    ("GET", "/api/v1/customers/{customer_id}/link-changes", "identity", "ListLinkChanges", "Merge history"),
    ("POST", "/api/v1/customers/match", "identity", "MatchRecord", "Find customers matching a record"),
    ("POST", "/api/v1/customer-merges", "identity", "MergeCustomers", "Merge two customers"),
    ("POST", "/api/v1/customer-unmerges", "identity", "UnmergeCustomers", "Undo a merge"),
    ("GET", "/api/v1/privacy-requests", "identity", "ListPrivacyRequests", "Personal data requests"),
    ("POST", "/api/v1/privacy-requests", "identity", "StartPrivacyRequest", "Export or erase a person's data", 201),
    ("GET", "/api/v1/privacy-requests/{id}", "identity", "GetPrivacyRequest", "A personal data request's progress"),
    # sales
    ("GET", "/api/v1/accounts/{id}", "sales", "GetAccount", "One account"),
    ("POST", "/api/v1/accounts", "sales", "CreateAccount", "Create an account", 201),
    ("GET", "/api/v1/opportunities", "sales", "ListOpportunities", "Opportunities the caller may see"),
    ("POST", "/api/v1/opportunities", "sales", "CreateOpportunity", "Create an opportunity", 201),
    ("GET", "/api/v1/opportunities/{id}", "sales", "GetOpportunity", "One opportunity with its stage history"),
    ("POST", "/api/v1/opportunities/{id}/move", "sales", "MoveOpportunity", "Move an opportunity to a stage"),
    ("GET", "/api/v1/funnel", "sales", "GetFunnel", "The funnel by stage with conversion and dwell"),
    ("GET", "/api/v1/products", "sales", "ListProducts", "Products"),
    ("POST", "/api/v1/quotes", "sales", "CreateQuote", "Price a quote", 201),
    ("GET", "/api/v1/quotes/{id}", "sales", "GetQuote", "One quote"),
    ("POST", "/api/v1/contracts", "sales", "CreateContract", "Create a contract from a quote", 201),
    ("GET", "/api/v1/contracts/{id}", "sales", "GetContract", "A contract and its approval chain"),
    ("POST", "/api/v1/contracts/{id}/submit", "sales", "SubmitContract", "Submit a contract for approval"),
    ("POST", "/api/v1/contracts/{contract_id}/decision", "sales", "DecideApproval", "Approve or reject"),
    ("POST", "/api/v1/contracts/{id}/sign", "sales", "SignContract", "Sign an approved contract"),
    ("GET", "/api/v1/approvals", "sales", "ListPendingApprovals", "Approvals waiting for the caller"),
    ("GET", "/api/v1/orders/{id}", "sales", "GetOrder", "One order"),
    ("GET", "/api/v1/commitments", "sales", "ListCommitments", "Hand-over commitments"),
    ("POST", "/api/v1/commitments/{id}/complete", "sales", "CompleteCommitment", "Mark a commitment done"),
    # support, marketing, analytics
    ("POST", "/api/v1/tickets", "support", "OpenTicket", "Open a ticket", 201),
    ("GET", "/api/v1/tickets/{id}", "support", "GetTicket", "One ticket"),
    ("GET", "/api/v1/customers/{customer_id}/consent", "marketing", "GetConsent", "A customer's consents"),
    ("POST", "/api/v1/customers/{customer_id}/consent", "marketing", "SetConsent", "Record a consent answer"),
    ("GET", "/api/v1/lead-intake", "analytics", "GetLeadIntake", "Leads by day and channel"),
    ("POST", "/api/v1/audit-log/search", "analytics", "SearchAuditLog", "Search the audit log (auditors)"),
)


@functools.cache
def method_of(route: Route) -> MethodDescriptor:
    stub_module = __import__(STUBS[route.service].__module__, fromlist=["DESCRIPTOR"])
    pb2 = __import__(stub_module.__name__.replace("_pb2_grpc", "_pb2"), fromlist=["DESCRIPTOR"])
    for service in pb2.DESCRIPTOR.services_by_name.values():
        if route.rpc in service.methods_by_name:
            return service.methods_by_name[route.rpc]
    raise LookupError(f"{route.service} has no RPC {route.rpc}")
