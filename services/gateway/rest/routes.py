"""The REST resources and the gRPC method behind each: google.api.http annotations, kept in one Python table.

A path parameter names a field of the request message. `body="*"` (the default for POST, PUT and PATCH) means
the JSON body is the request message (proto field names), with the path parameters set on top; `body=None`
(GET, DELETE) means the query string fills the other fields (see transcode.query_fields).
"""

from __future__ import annotations

import functools
import importlib
import re
from dataclasses import dataclass

from google.protobuf.descriptor import MethodDescriptor

from services.gateway.principal import STUBS

# Tags of the OpenAPI document: one per service, in this order.
TAGS = {
    "leads": "Leads: capture, scoring and its explanation, follow-ups, reminders, the public pool, imports.",
    "identity": "Customers: golden records, merge and unmerge, personal data requests.",
    "sales": "Accounts, opportunities and the pipeline, funnel and forecast, products, quotes, contracts and "
             "approvals, orders, hand-over commitments.",
    "support": "Support tickets.",
    "marketing": "Marketing consent.",
    "analytics": "Lead intake statistics and the audit log.",
}


@dataclass(frozen=True)
class Route:
    http_method: str
    path: str  # OpenAPI template: /api/v1/leads/{id}
    service: str
    rpc: str
    summary: str
    body: str | None = None  # "*": the JSON body is the request message; None: the query string fills it
    status: int = 200  # of a success: 201 for creates

    @property
    def path_params(self) -> list[str]:
        return re.findall(r"{(\w+)}", self.path)

    @property
    def flask_rule(self) -> str:
        return re.sub(r"{(\w+)}", r"<\1>", self.path)

    @property
    def operation_id(self) -> str:
        return f"{self.service}.{self.rpc}"

    @property
    def method(self) -> MethodDescriptor:
        return method_of(self.service, self.rpc)


def get(path: str, service: str, rpc: str, summary: str) -> Route:
    return Route("GET", path, service, rpc, summary)


def post(path: str, service: str, rpc: str, summary: str, *, created: bool = False) -> Route:
    """An action or, with created=True, a create (201). Every POST honours an Idempotency-Key."""
    return Route("POST", path, service, rpc, summary, body="*", status=201 if created else 200)


ROUTES: tuple[Route, ...] = (
    # leads
    get("/api/v1/leads", "leads", "ListLeads", "List the leads the caller may see (filters, order, paging)"),
    post("/api/v1/leads", "leads", "CreateLead", "Capture a lead", created=True),
    get("/api/v1/leads/{id}", "leads", "GetLead", "One lead"),
    get("/api/v1/leads/{lead_id}/score", "leads", "GetLeadScore", "A lead's score and its explanation"),
    get("/api/v1/leads/{lead_id}/score-history", "leads", "ListScoreHistory", "How a lead's score moved"),
    post("/api/v1/leads/{lead_id}/behaviour", "leads", "RecordBehaviour", "Record a behaviour event"),
    post("/api/v1/leads/{lead_id}/claim", "leads", "ClaimLead", "Claim a lead from the public pool"),
    post("/api/v1/leads/{lead_id}/release", "leads", "ReleaseLead", "Release a lead to the public pool"),
    post("/api/v1/leads/{lead_id}/assign", "leads", "AssignLead", "Assign a lead to a rep (managers)"),
    get("/api/v1/leads/{lead_id}/ownership", "leads", "ListLeadOwnership", "Who owned a lead, and when"),
    get("/api/v1/leads/{lead_id}/follow-ups", "leads", "ListFollowUps", "A lead's follow-ups"),
    post("/api/v1/leads/{lead_id}/follow-ups", "leads", "AddFollowUp", "Record a follow-up", created=True),
    get("/api/v1/reminders", "leads", "ListReminders", "Reminders"),
    post("/api/v1/leads/{lead_id}/reminders", "leads", "ScheduleReminder", "Schedule a reminder", created=True),
    post("/api/v1/reminders/{reminder_id}/cancel", "leads", "CancelReminder", "Cancel a reminder"),
    get("/api/v1/lead-imports", "leads", "ListImportJobs", "Lead import jobs"),
    get("/api/v1/lead-imports/{id}", "leads", "GetImportJob", "One import job and its progress"),
    get("/api/v1/lead-imports/{job_id}/errors", "leads", "ListImportRowErrors", "Rejected rows of an import"),
    get("/api/v1/industries", "leads", "ListIndustries", "Industry classification (GB/T 4754-2017)"),
    get("/api/v1/reps", "leads", "ListReps", "Reps and their teams"),
    # identity
    get("/api/v1/customers/{id}", "identity", "GetCustomer", "A customer's golden record and linked records"),
    get("/api/v1/customers/{customer_id}/link-changes", "identity", "ListLinkChanges", "Merge history"),
    post("/api/v1/customers/match", "identity", "MatchRecord", "Find the customers matching a record"),
    post("/api/v1/customer-merges", "identity", "MergeCustomers", "Merge two customers"),
    post("/api/v1/customer-unmerges", "identity", "UnmergeCustomers", "Undo a merge"),
    get("/api/v1/privacy-requests", "identity", "ListPrivacyRequests", "Personal data requests"),
    post("/api/v1/privacy-requests", "identity", "StartPrivacyRequest", "Export or erase a person's data",
         created=True),
    get("/api/v1/privacy-requests/{id}", "identity", "GetPrivacyRequest", "A personal data request's progress"),
    # sales
    post("/api/v1/accounts", "sales", "CreateAccount", "Create an account", created=True),
    get("/api/v1/accounts/{id}", "sales", "GetAccount", "One account"),
    get("/api/v1/accounts/{account_id}/contacts", "sales", "ListContacts", "An account's contacts, oldest first"),
    post("/api/v1/accounts/{account_id}/contacts", "sales", "CreateContact", "Add a contact to an account",
         created=True),
    get("/api/v1/contacts/{id}", "sales", "GetContact", "One contact"),
    Route("PATCH", "/api/v1/contacts/{id}", "sales", "UpdateContact", "Change the fields given of a contact",
          body="*"),
    get("/api/v1/opportunities", "sales", "ListOpportunities", "Opportunities the caller may see"),
    post("/api/v1/opportunities", "sales", "CreateOpportunity", "Create an opportunity", created=True),
    get("/api/v1/opportunities/{id}", "sales", "GetOpportunity", "One opportunity with its stage history"),
    post("/api/v1/opportunities/{id}/move", "sales", "MoveOpportunity", "Move an opportunity to a stage"),
    get("/api/v1/funnel", "sales", "GetFunnel", "The funnel by stage, with conversion and dwell times"),
    get("/api/v1/forecast", "sales", "GetForecast", "The weighted forecast of a period"),
    get("/api/v1/products", "sales", "ListProducts", "Products"),
    get("/api/v1/price-lists", "sales", "ListPriceLists", "Price lists"),
    post("/api/v1/quotes", "sales", "CreateQuote", "Price a quote", created=True),
    get("/api/v1/quotes/{id}", "sales", "GetQuote", "One quote"),
    get("/api/v1/opportunities/{opportunity_id}/quotes", "sales", "ListQuotes",
        "An opportunity's quotes, newest first, without their lines"),
    get("/api/v1/contract-templates", "sales", "ListContractTemplates", "Contract templates"),
    post("/api/v1/contracts", "sales", "CreateContract", "Create a contract from a quote", created=True),
    get("/api/v1/contracts/{id}", "sales", "GetContract", "A contract and its approval chain"),
    post("/api/v1/contracts/{id}/submit", "sales", "SubmitContract", "Submit a contract for approval"),
    post("/api/v1/contracts/{contract_id}/decision", "sales", "DecideApproval", "Approve or reject a contract"),
    post("/api/v1/contracts/{id}/sign", "sales", "SignContract", "Sign an approved contract"),
    get("/api/v1/approvals", "sales", "ListPendingApprovals", "Approvals waiting for the caller"),
    post("/api/v1/orders", "sales", "PlaceOrder", "Place an order", created=True),
    get("/api/v1/orders/{id}", "sales", "GetOrder", "One order"),
    post("/api/v1/orders/{id}/pay", "sales", "PayOrder", "Record an order's payment"),
    post("/api/v1/orders/{id}/ship", "sales", "ShipOrder", "Ship an order"),
    post("/api/v1/orders/{id}/receive", "sales", "ReceiveOrder", "Confirm an order's delivery"),
    post("/api/v1/orders/{id}/refund", "sales", "RefundOrder", "Refund an order"),
    get("/api/v1/handovers/{id}", "sales", "GetHandover", "The hand-over package of a signed contract"),
    get("/api/v1/commitments", "sales", "ListCommitments", "Hand-over commitments"),
    post("/api/v1/commitments/{id}/complete", "sales", "CompleteCommitment", "Mark a commitment done"),
    get("/api/v1/orders", "sales", "ListOrders", "Orders, newest first"),
    post("/api/v1/orders/{id}/cancel", "sales", "CancelOrder", "Cancel an unpaid order"),
    get("/api/v1/activities", "sales", "ListActivities", "A record's activities, newest first"),
    post("/api/v1/activities", "sales", "LogActivity", "Log a call, meeting, e-mail or note", created=True),
    Route("PATCH", "/api/v1/activities/{id}", "sales", "UpdateActivity", "Change the fields given of an activity",
          body="*"),
    get("/api/v1/tasks", "sales", "ListTasks", "Tasks"),
    post("/api/v1/tasks", "sales", "CreateTask", "Create a task", created=True),
    get("/api/v1/tasks/{id}", "sales", "GetTask", "One task"),
    Route("PATCH", "/api/v1/tasks/{id}", "sales", "UpdateTask", "Edit or reschedule an open task", body="*"),
    post("/api/v1/tasks/{id}/complete", "sales", "CompleteTask", "Mark a task done"),
    post("/api/v1/tasks/{id}/cancel", "sales", "CancelTask", "Cancel a task"),
    get("/api/v1/calendar", "sales", "ListCalendar", "Meetings and due tasks of a person or team in a period"),
    get("/api/v1/commission-plans", "sales", "ListCommissionPlans", "Commission plan versions and when each applies"),
    # support, marketing, analytics
    post("/api/v1/tickets", "support", "OpenTicket", "Open a ticket", created=True),
    get("/api/v1/tickets/{id}", "support", "GetTicket", "One ticket"),
    get("/api/v1/customers/{customer_id}/consent", "marketing", "GetConsent", "A customer's consents"),
    post("/api/v1/customers/{customer_id}/consent", "marketing", "SetConsent", "Record a consent answer"),
    get("/api/v1/lead-intake", "analytics", "GetLeadIntake", "Leads by day and channel"),
    post("/api/v1/audit-log/search", "analytics", "SearchAuditLog", "Search the audit log (auditors)"),
)


@functools.cache
def method_of(service: str, rpc: str) -> MethodDescriptor:
    """The descriptor of `service`'s RPC, from the generated module behind its stub."""
    pb2 = importlib.import_module(STUBS[service].__module__.replace("_pb2_grpc", "_pb2"))
    for descriptor in pb2.DESCRIPTOR.services_by_name.values():
        if rpc in descriptor.methods_by_name:
            return descriptor.methods_by_name[rpc]
    raise LookupError(f"{service} has no RPC {rpc}")
