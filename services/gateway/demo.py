"""A demo tenant with people and a living pipeline, so a newcomer sees a working CRM in the first minute.

Everything goes through the same doors as real data: users into the gateway's schema, customer data through the
services' gRPC APIs (so events flow, identity resolves, scores move). Deterministic: the same seed gives the same
company names, and a second run against the same tenant adds nothing.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

import grpc
import pyotp

from crm.common.v1 import common_pb2
from crm.leads.v1 import leads_pb2, leads_pb2_grpc
from crm.sales.v1 import sales_pb2, sales_pb2_grpc
from services.core.auth import mint_token
from services.core.client import connect
from services.core.db import Database, utcnow
from services.core.settings import Settings
from services.gateway import accounts
from services.gateway.models import Tenant

DEMO_TENANT = "demo"
DEMO_PASSWORD = "demo-password-1"  # shown by `crm demo-data`; demo users are for laptops, never production


@dataclass(frozen=True)
class DemoUser:
    employee_id: str
    name: str
    roles: tuple[str, ...]
    manager_id: str | None = None


USERS = (
    DemoUser("admin", "Alex Admin", ("admin",)),
    DemoUser("m-1", "王经理 Wang Li", ("manager",)),
    DemoUser("rep-1", "张伟 Zhang Wei", ("sales",), "m-1"),
    DemoUser("rep-2", "Emma Rep", ("sales",), "m-1"),
    DemoUser("agent-1", "李娜 Li Na", ("service_agent",)),
    DemoUser("mkt-1", "Marco Marketing", ("marketing",)),
    DemoUser("audit-1", "Ada Auditor", ("auditor",)),
    DemoUser("fin-1", "陈静 Chen Jing", ("manager",)),
)
TEAM = "east"
COMPANIES = ("华东精密制造", "Northwind Traders", "蓝海软件", "Contoso Retail", "星河物流", "Fabrikam Health",
             "云杉教育", "Tailspin Tours", "金桥电子", "Litware Media", "长江能源", "Adventure Works")
PEOPLE = ("张三", "李四", "王芳", "刘洋", "陈晨", "杨静", "Olivia Chen", "Liam Park", "Sophia Li", "Noah Kim",
          "Mia Wang", "Lucas Zhao")
CHANNELS = ("Referral", "Website", "Trade show", "Cold call", "WeChat", "Partner")
REGIONS = ("上海", "北京", "广东", "浙江", "江苏")
INDUSTRIES = ("65", "39", "51", "59", "83")
PRODUCTS = (("CRM-SEAT", "CRM seat (annual)", "seat", "0.06", "software", "1800.00"),
            ("ONBOARD", "Onboarding package", "package", "0.06", "service", "25000.00"),
            ("SUPPORT-P", "Premium support (annual)", "year", "0.06", "service", "12000.00"))


def seed(settings: Settings, database: Database, *, leads: int = 60, opportunities: int = 16,
         seed_value: int = 7) -> dict[str, str]:
    """Create the demo tenant (unless it exists); returns {employee id: TOTP secret} of the demo users."""
    with database.kernel_session() as session:
        if session.get(Tenant, DEMO_TENANT) is not None:
            return {}
        accounts.create_tenant(session, tenant_id=DEMO_TENANT, name="Demo Co 演示公司", default_locale="en")
    secrets: dict[str, str] = {}
    with database.session(DEMO_TENANT) as session:
        for person in USERS:
            user = accounts.create_user(session, tenant=DEMO_TENANT, employee_id=person.employee_id,
                                        display_name=person.name, roles=list(person.roles),
                                        initial_password=DEMO_PASSWORD, manager_id=person.manager_id)
            # Demo people skip the forced first-login steps; their second factor is enrolled and printed.
            user.must_change_password = False
            user.totp_secret = pyotp.random_base32()
            user.totp_enrolled_at = utcnow()
            secrets[person.employee_id] = user.totp_secret
    _seed_services(settings, random.Random(seed_value), leads, opportunities)
    return secrets


def _callers(settings: Settings):  # noqa: ANN202
    """as_(service, stub_class, person): a stub calling as that demo person, one channel per service and person."""
    stubs: dict[tuple[str, str], object] = {}

    def as_(service: str, stub_class, person: DemoUser):  # noqa: ANN001, ANN202
        key = (service, person.employee_id)
        if key not in stubs:
            token = mint_token(settings.token_key, tenant_id=DEMO_TENANT, subject=person.employee_id,
                               roles=person.roles, ttl_seconds=600)
            stubs[key] = connect(service, stub_class, settings, token=token, timeout=30)
        return stubs[key]

    return as_


def _seed_services(settings: Settings, rng: random.Random, lead_count: int, opportunity_count: int) -> None:
    as_ = _callers(settings)
    by_id = {person.employee_id: person for person in USERS}
    manager, admin, reps = by_id["m-1"], by_id["admin"], [by_id["rep-1"], by_id["rep-2"]]
    leads_admin = as_("leads", leads_pb2_grpc.LeadsServiceStub, admin)
    leads_admin.UpsertRep(leads_pb2.UpsertRepRequest(user_id=manager.employee_id, name=manager.name, team=TEAM,
                                                     takes_leads=False))
    for rep in reps:
        leads_admin.UpsertRep(leads_pb2.UpsertRepRequest(user_id=rep.employee_id, name=rep.name, team=TEAM,
                                                         regions=list(REGIONS), industries=list(INDUSTRIES)))
    sales_admin = as_("sales", sales_pb2_grpc.SalesServiceStub, admin)
    sales_admin.UpsertMember(sales_pb2.UpsertMemberRequest(member=sales_pb2.Member(
        user_id=manager.employee_id, name=manager.name, team=TEAM)))
    sales_admin.UpsertMember(sales_pb2.UpsertMemberRequest(member=sales_pb2.Member(
        user_id="fin-1", name=by_id["fin-1"].name, duties=["finance", "legal"])))
    for rep in reps:
        sales_admin.UpsertMember(sales_pb2.UpsertMemberRequest(member=sales_pb2.Member(
            user_id=rep.employee_id, name=rep.name, team=TEAM, region=rng.choice(REGIONS))))

    created = []
    for index in range(lead_count):
        rep = reps[index % 2] if index % 5 else None  # every fifth lead ends in the public pool
        caller = as_("leads", leads_pb2_grpc.LeadsServiceStub, rep or admin)
        person, company = rng.choice(PEOPLE), rng.choice(COMPANIES)
        reply = caller.CreateLead(leads_pb2.CreateLeadRequest(
            name=person, company=company, email=f"demo{index}@example.com",
            phone=f"138{rng.randrange(10**7, 10**8)}", channel=rng.choice(CHANNELS),
            region=rng.choice(REGIONS), industry=rng.choice(INDUSTRIES), employees=rng.choice((20, 80, 300, 1200)),
            request_id=f"demo-lead-{index}"))
        if rep is None and reply.lead.owner_id in by_id:
            # Assignment gave it an owner; hand it back so that the public pool has something to claim.
            as_("leads", leads_pb2_grpc.LeadsServiceStub, by_id[reply.lead.owner_id]).ReleaseLead(
                leads_pb2.ReleaseLeadRequest(lead_id=reply.lead.id, note="demo: for the public pool"))
        created.append((reply.lead.id, rep))
    for lead_id, rep in created:
        if rep is None:
            continue
        caller = as_("leads", leads_pb2_grpc.LeadsServiceStub, rep)
        for kind in rng.sample(("page_view", "email_open", "call_answered", "demo_attended"), rng.randint(0, 3)):
            caller.RecordBehaviour(leads_pb2.RecordBehaviourRequest(lead_id=lead_id, kind=kind, source="demo"))
        if rng.random() < 0.4:
            caller.AddFollowUp(leads_pb2.AddFollowUpRequest(
                lead_id=lead_id, kind=rng.choice(("call", "visit", "email")),
                content="Introduced the product; interested in a pilot.", next_step="Send a quote"))

    product_ids = [sales_admin.CreateProduct(sales_pb2.CreateProductRequest(
        sku=sku, name=name, unit=unit, tax_rate=tax, category=category)).product.id
        for sku, name, unit, tax, category, _ in PRODUCTS]
    sales_admin.CreatePriceList(sales_pb2.CreatePriceListRequest(name="Standard", currency="CNY", items=[
        sales_pb2.PriceListItem(product_id=pid, unit_price=common_pb2.Money(amount=price, currency="CNY"))
        for pid, (*_, price) in zip(product_ids, PRODUCTS, strict=True)]))
    stages = ("02", "03", "04", "05")
    for index in range(opportunity_count):
        rep = reps[index % 2]
        sales = as_("sales", sales_pb2_grpc.SalesServiceStub, rep)
        account = sales.CreateAccount(sales_pb2.CreateAccountRequest(
            name=COMPANIES[index % len(COMPANIES)], region=rng.choice(REGIONS))).account
        opportunity = sales.CreateOpportunity(sales_pb2.CreateOpportunityRequest(
            name=f"{account.name} · CRM rollout", account_id=account.id, channel=rng.choice(CHANNELS),
            amount=common_pb2.Money(amount=f"{rng.randrange(50, 900) * 1000}.00", currency="CNY"))).opportunity
        target = rng.choice(stages + ("lost",))
        for stage in stages[1:]:
            if target != "lost" and stage > target:
                break
            try:
                sales.MoveOpportunity(sales_pb2.MoveOpportunityRequest(
                    id=opportunity.id, stage=stage if target != "lost" else "lost",
                    lost_reason="competitor" if target == "lost" else ""))
            except grpc.RpcError:
                break
            if target == "lost":
                break
