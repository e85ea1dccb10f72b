"""Leads capture beyond the basics (R-LEAD-1, R-LEAD-4, R-LC-4a): attributes, repeats of an open lead, public web
forms with their spam defences, and the gateway's public form endpoint."""

from __future__ import annotations

from dataclasses import replace

import grpc
import pytest
from sqlalchemy import select

from crm.events.v1.leads_pb2 import LeadCreated, LeadRepeated
from crm.leads.v1 import leads_pb2, leads_pb2_grpc
from services.core.errors import InvalidArgument
from services.core.settings import Settings
from services.leads import leads
from services.leads.contacts import email_key, phone_key
from services.leads.models import DUPLICATE, LOST, OPEN, QUALIFIED, Lead, LeadOwnership
from tests.unit.conftest import sample

TENANT = "t1"


@pytest.fixture
def database(migrated_database):
    return migrated_database("leads")


def create(database, caller, **fields) -> Lead:
    fields.setdefault("name", "Ann Lee")
    fields.setdefault("channel", "Baidu SEM")
    with database.session(TENANT) as session:
        return leads.create_lead(session, tenant=TENANT, caller=caller, **fields)


def stored(database, lead_id: str) -> Lead:
    with database.session(TENANT) as session:
        return session.get(Lead, lead_id)


@pytest.mark.parametrize(
    ("raw", "key"),
    [
        ("13800138000", "13800138000"),
        ("+86 138-0013-8000", "13800138000"),
        ("0086 13800138000", "13800138000"),
        ("8613800138000", "13800138000"),
        ("(010) 6552-9988", "01065529988"),
        ("+86 10 6552 9988", "01065529988"),
        ("010-65529988 转 12", "01065529988"),
        ("010-65529988 ext. 12", "01065529988"),
        ("", ""),
    ],
)
def test_phone_key_is_one_spelling_of_a_number(raw, key):
    assert phone_key(raw) == key


def test_email_key_ignores_case_and_spaces():
    assert email_key("  Ann.Lee@Example.COM ") == "ann.lee@example.com"


def test_attributes_are_stored_with_the_lead_and_sent_with_lead_created(database, caller, outbox_events):
    lead = create(database, caller("marketing"), email="ann@example.com", industry="I65", region="上海",
                  employees=250, budget="120000.50")
    row = stored(database, lead.id)
    assert (row.industry, row.region, row.employees, str(row.budget)) == ("65", "上海", 250, "120000.50")
    [(_, event)] = outbox_events(database, LeadCreated)
    assert (event.industry, event.region) == ("65", "上海")


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"industry": "woodwork"}, {"industry": "is not a GB/T 4754 industry division"}),
        ({"employees": -1}, {"employees": "must be between 0 and 10,000,000"}),
        ({"budget": "lots"}, {"budget": "is not a decimal amount"}),
        ({"budget": "-5"}, {"budget": "must be an amount of at least 0 with at most two decimals"}),
        ({"budget": "1.005"}, {"budget": "must be an amount of at least 0 with at most two decimals"}),
        ({"budget": "NaN"}, {"budget": "must be an amount of at least 0 with at most two decimals"}),
    ],
)
def test_bad_attributes_are_field_violations(database, caller, fields, expected):
    with pytest.raises(InvalidArgument) as error:
        create(database, caller("sales"), email="ann@example.com", **fields)
    assert {v.field: v.description for v in error.value.violations} == expected


def test_a_repeat_of_an_open_lead_is_recorded_as_its_duplicate(database, caller, outbox_events):
    before = sample("crm_leads_repeated_total", matched_by="contact")
    first = create(database, caller("sales", subject="rep-1"), phone="138 0013 8000")
    repeat = create(database, caller("marketing"), name="Ann L.", phone="+86 13800138000", channel="Referral")
    assert (repeat.status, repeat.duplicate_of) == (DUPLICATE, first.id)
    assert stored(database, first.id).status == OPEN
    [(_, event)] = outbox_events(database, LeadRepeated)
    assert (event.lead_id, event.repeat_lead_id, event.channel, event.owner_id, event.matched_by) == (
        first.id, repeat.id, "Referral", "rep-1", "contact")
    assert sample("crm_leads_repeated_total", matched_by="contact") == before + 1
    # Both captures reach identity, which links them to one customer.
    assert [e.lead_id for _, e in outbox_events(database, LeadCreated)] == [first.id, repeat.id]


def test_an_e_mail_repeat_matches_whatever_the_case(database, caller):
    first = create(database, caller("sales"), email="Ann@Example.com")
    assert create(database, caller("sales"), email="ann@example.COM").duplicate_of == first.id


def test_a_lost_lead_is_not_repeated_a_new_interest_is_a_new_lead(database, caller):
    first = create(database, caller("sales"), email="ann@example.com")
    with database.session(TENANT) as session:
        session.get(Lead, first.id).status = LOST
    again = create(database, caller("sales"), email="ann@example.com")
    assert (again.status, again.duplicate_of) == (OPEN, "")


def test_repeats_are_per_tenant(database, caller):
    create(database, caller("sales"), email="ann@example.com")
    with database.session("t2") as session:
        other = leads.create_lead(session, tenant="t2", caller=caller("sales", tenant="t2"), name="Ann",
                                  channel="SEM", email="ann@example.com")
    assert other.status == OPEN


def resolve(database, lead_id: str, customer_id: str) -> None:
    with database.session(TENANT) as session:
        assert leads.link_customer(session, lead_id=lead_id, customer_id=customer_id)


def test_identity_resolving_two_open_leads_to_one_customer_folds_the_later_one(database, caller, outbox_events):
    first = create(database, caller("sales", subject="rep-1"), name="张伟", email="zhang.wei@example.com")
    later = create(database, caller("sales", subject="rep-2"), name="张 伟", phone="13900001111")
    resolve(database, first.id, "C1")
    resolve(database, later.id, "C1")
    assert (stored(database, later.id).status, stored(database, later.id).duplicate_of) == (DUPLICATE, first.id)
    assert stored(database, first.id).status == OPEN
    [(_, event)] = outbox_events(database, LeadRepeated)
    assert (event.lead_id, event.repeat_lead_id, event.matched_by) == (first.id, later.id, "identity")


def test_the_first_lead_of_a_customer_stays_open_whatever_order_identity_answers_in(database, caller):
    first = create(database, caller("sales"), email="a@example.com")
    later = create(database, caller("sales"), phone="13900001111")
    resolve(database, later.id, "C1")
    resolve(database, first.id, "C1")
    assert stored(database, first.id).status == OPEN
    assert stored(database, later.id).duplicate_of == first.id


def test_a_lead_of_another_tenant_with_the_same_customer_id_is_not_folded(database, caller):
    first = create(database, caller("sales"), email="a@example.com")
    with database.session("t2") as session:
        other = leads.create_lead(session, tenant="t2", caller=caller("sales", tenant="t2"), name="Ann",
                                  channel="SEM", phone="13900001111")
    resolve(database, first.id, "C1")
    with database.session("t2") as session:
        assert leads.link_customer(session, lead_id=other.id, customer_id="C1")
    with database.session("t2") as session:
        assert (session.get(Lead, other.id).status, session.get(Lead, other.id).customer_id) == (OPEN, "C1")
    assert stored(database, first.id).status == OPEN


def test_a_captured_lead_is_written_once_complete_with_one_audit_record(database, caller, outbox_events):
    """Capture writes the lead with its owner and assignment time in one INSERT, and the transaction's events and
    audit record in one outbox INSERT (ADR 0020)."""
    from sqlalchemy import event as sa_event

    from crm.events.v1.audit_pb2 import AuditRecorded
    from crm.events.v1.leads_pb2 import LeadAssigned

    statements = []
    listen = lambda conn, cursor, statement, *args: statements.append(statement.split("(")[0].strip())  # noqa: E731
    sa_event.listen(database.engine, "before_cursor_execute", listen)
    try:
        lead = create(database, caller("sales", subject="rep-1"), email="ann@example.com")
    finally:
        sa_event.remove(database.engine, "before_cursor_execute", listen)
    assert statements.count("INSERT INTO lead") == 1
    assert not [statement for statement in statements if statement.startswith("UPDATE lead")]
    assert statements.count("INSERT INTO crm_outbox") == 1
    [(_, audit)] = outbox_events(database, AuditRecorded)
    [record] = [r for r in audit.records if r.entity == "lead"]
    assert record.action == "created"
    values = {change.field: change.new_value for change in record.changes}
    assert (values["id"], values["owner_id"], values["status"]) == (lead.id, "rep-1", OPEN)
    assert values["assigned_at"] == lead.assigned_at.isoformat()
    [(_, assigned)] = outbox_events(database, LeadAssigned)
    assert (assigned.lead_id, assigned.owner_id, assigned.reason) == (lead.id, "rep-1", "capture")


def test_a_qualified_lead_is_not_folded_into_an_older_one(database, caller):
    first = create(database, caller("sales"), email="a@example.com")
    later = create(database, caller("sales"), phone="13900001111")
    with database.session(TENANT) as session:
        session.get(Lead, later.id).status = QUALIFIED
    resolve(database, first.id, "C1")
    resolve(database, later.id, "C1")
    assert stored(database, later.id).status == QUALIFIED


# --- web forms over gRPC -------------------------------------------------------------------------------------


@pytest.fixture
def leads_service(grpc_service):
    return grpc_service("leads")


def stub_of(service) -> leads_pb2_grpc.LeadsServiceStub:
    return leads_pb2_grpc.LeadsServiceStub(service.channel)


def new_form(service, rate: int = 0) -> leads_pb2.WebForm:
    return stub_of(service).CreateWebForm(
        leads_pb2.CreateWebFormRequest(name="Website contact", channel="Website", rate_per_minute=rate),
        metadata=service.metadata("marketing"),
    ).form


def submit(service, form_key: str, *, tenant: str = TENANT, **fields) -> leads_pb2.SubmitWebFormResponse:
    fields.setdefault("name", "Ann Lee")
    fields.setdefault("client_address", "203.0.113.7")
    if "email" not in fields and "phone" not in fields:
        fields["email"] = "ann@example.com"
    return stub_of(service).SubmitWebForm(
        leads_pb2.SubmitWebFormRequest(form_key=form_key, **fields),
        metadata=service.metadata(tenant=tenant, subject="gateway-forms", kind="service"),
    )


def test_forms_are_created_by_marketing_and_listed(leads_service):
    form = new_form(leads_service)
    assert len(form.key) >= 20 and form.rate_per_minute == 5 and form.channel == "Website"
    listed = stub_of(leads_service).ListWebForms(leads_pb2.ListWebFormsRequest(),
                                                 metadata=leads_service.metadata("manager"))
    assert [f.key for f in listed.forms] == [form.key]
    with pytest.raises(grpc.RpcError) as error:
        stub_of(leads_service).CreateWebForm(leads_pb2.CreateWebFormRequest(name="x", channel="y"),
                                             metadata=leads_service.metadata("sales"))
    assert error.value.code() == grpc.StatusCode.PERMISSION_DENIED


def test_a_submission_becomes_a_lead_of_the_forms_channel(leads_service):
    form = new_form(leads_service)
    reply = submit(leads_service, form.key, company="Acme", phone="13800138000", industry="65")
    assert reply.accepted
    lead = stub_of(leads_service).GetLead(leads_pb2.GetLeadRequest(id=reply.lead_id),
                                          metadata=leads_service.metadata("manager")).lead
    assert (lead.channel, lead.company, lead.industry, lead.owner_id) == ("Website", "Acme", "65", "")


def test_a_filled_honeypot_discards_the_submission_silently(leads_service):
    form = new_form(leads_service)
    before = sample("crm_leads_form_submissions_total", outcome="spam")
    reply = submit(leads_service, form.key, honeypot="http://spam.example")
    assert (reply.accepted, reply.lead_id) == (False, "")
    with leads_service.database.kernel_session() as session:
        assert session.scalars(select(Lead)).all() == []
    assert sample("crm_leads_form_submissions_total", outcome="spam") == before + 1


def test_too_many_submissions_from_one_client_are_refused_others_go_on(leads_service):
    form = new_form(leads_service, rate=3)
    for n in range(3):
        assert submit(leads_service, form.key, email=f"p{n}@example.com").accepted
    with pytest.raises(grpc.RpcError) as error:
        submit(leads_service, form.key, email="p9@example.com")
    assert error.value.code() == grpc.StatusCode.RESOURCE_EXHAUSTED
    assert submit(leads_service, form.key, email="other@example.com", client_address="198.51.100.1").accepted


def test_unknown_forms_other_tenants_forms_and_user_callers_are_refused(leads_service):
    form = new_form(leads_service)
    for key, tenant in (("nope", TENANT), (form.key, "t2")):
        with pytest.raises(grpc.RpcError) as error:
            submit(leads_service, key, tenant=tenant)
        assert error.value.code() == grpc.StatusCode.NOT_FOUND
    with pytest.raises(grpc.RpcError) as error:
        stub_of(leads_service).SubmitWebForm(leads_pb2.SubmitWebFormRequest(form_key=form.key, name="x"),
                                             metadata=leads_service.metadata("admin"))
    assert error.value.code() == grpc.StatusCode.PERMISSION_DENIED


def test_a_resubmitted_form_creates_one_lead_and_bad_fields_are_named(leads_service):
    form = new_form(leads_service)
    first = submit(leads_service, form.key, submission_id="s-1")
    assert submit(leads_service, form.key, submission_id="s-1").lead_id == first.lead_id
    with pytest.raises(grpc.RpcError) as error:
        submit(leads_service, form.key, name="", email="not-mail")
    assert error.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert leads_service.violations(error.value) == {"name": "is required", "email": "is not an e-mail address"}


# --- the gateway's public endpoint ---------------------------------------------------------------------------


@pytest.fixture
def gateway(leads_service, tmp_path):
    from services.gateway.app import create_app
    from tests.unit.services.conftest import TOKEN_KEY

    settings = Settings(data_dir=tmp_path, database_url=None, bus_url="memory://", token_key=TOKEN_KEY,
                        grpc_port=0, metrics_port=0, http_port=0, log_level="INFO")
    settings = replace(settings, peer_addrs={"leads": leads_service.address})
    return create_app(settings).test_client()


def test_the_form_page_renders_in_the_browsers_language_with_a_hidden_honeypot(gateway, leads_service):
    form = new_form(leads_service)
    english = gateway.get(f"/t/{TENANT}/forms/{form.key}", headers={"Accept-Language": "en"}).get_data(True)
    chinese = gateway.get(f"/t/{TENANT}/forms/{form.key}", headers={"Accept-Language": "zh-CN"}).get_data(True)
    assert "Contact us" in english and 'name="website"' in english and 'class="trap"' in english
    assert "联系我们" in chinese and 'lang="zh-CN"' in chinese


def test_a_json_post_creates_a_lead_and_errors_are_problem_details(gateway, leads_service):
    form = new_form(leads_service)
    ok = gateway.post(f"/t/{TENANT}/forms/{form.key}", json={"name": "Ann", "email": "ann@example.com"})
    assert ok.status_code == 201
    bad = gateway.post(f"/t/{TENANT}/forms/{form.key}", json={"name": "", "email": "x"},
                       headers={"Accept-Language": "zh-CN"})
    assert bad.status_code == 400 and bad.mimetype == "application/problem+json"
    assert {e["field"] for e in bad.get_json()["errors"]} == {"name", "email"}
    assert "必填" in " ".join(e["message"] for e in bad.get_json()["errors"])
    assert gateway.post(f"/t/{TENANT}/forms/unknown", json={"name": "Ann"}).status_code == 404


def test_an_html_post_thanks_the_visitor_and_a_bot_is_told_the_same(gateway, leads_service):
    form = new_form(leads_service)
    url = f"/t/{TENANT}/forms/{form.key}"
    person = gateway.post(url, data={"name": "Ann", "phone": "13800138000", "website": ""})
    bot = gateway.post(url, data={"name": "Bot", "phone": "13800138001", "website": "http://spam"})
    assert person.status_code == bot.status_code == 201
    assert "Thank you" in person.get_data(True) and "Thank you" in bot.get_data(True)
    with leads_service.database.kernel_session() as session:
        assert [lead.name for lead in session.scalars(select(Lead))] == ["Ann"]


def test_an_html_post_with_errors_shows_the_form_again_with_the_values_kept(gateway, leads_service):
    form = new_form(leads_service)
    page = gateway.post(f"/t/{TENANT}/forms/{form.key}", data={"name": "Ann", "email": "nope"})
    html = page.get_data(True)
    assert page.status_code == 400 and 'value="Ann"' in html and "is not an e-mail address" in html


def test_capture_reads_the_assignment_settings_with_its_repeat_check_and_uses_a_change_at_once(
        database, caller, outbox_events):
    """The tenant's pool settings come with the repeat check (one SELECT per capture, ADR 0024); nothing keeps them
    between transactions, so a capture after a change, or later in the changing transaction, uses the new ones."""
    from sqlalchemy import event as sa_event

    from crm.events.v1.leads_pb2 import LeadAssigned
    from services.leads import rules

    admin = caller("admin", subject="boss")

    def follow_up_hours() -> list[float]:
        return [(event.follow_up_due_time.ToDatetime() - event.assign_time.ToDatetime()).total_seconds() / 3600
                for _, event in outbox_events(database, LeadAssigned)]

    statements = []
    listen = lambda conn, cursor, statement, *args: statements.append(statement.split()[0])  # noqa: E731
    sa_event.listen(database.engine, "before_cursor_execute", listen)
    try:
        create(database, caller("sales", subject="rep-1"), email="a@example.com")
    finally:
        sa_event.remove(database.engine, "before_cursor_execute", listen)
    assert statements.count("SELECT") == 1
    with database.session(TENANT) as session:
        rules.update_pool(session, caller=admin, values={"follow_up_hours": 10}, fields=["follow_up_hours"])
    create(database, caller("sales", subject="rep-1"), email="b@example.com")
    with database.session(TENANT) as session:
        rules.update_pool(session, caller=admin, values={"follow_up_hours": 20}, fields=["follow_up_hours"])
        leads.create_lead(session, tenant=TENANT, caller=caller("sales", subject="rep-1"), name="Cai", channel="web",
                          email="c@example.com")
    assert follow_up_hours() == [48, 10, 20]


def test_a_captured_lead_can_be_changed_in_its_transaction_and_the_change_is_audited(database, caller, outbox_events):
    """Capture writes the lead with its own statement, then keeps it in the session as loaded: a change made after
    it in the same transaction is written (and audited) as an update."""
    from crm.events.v1.audit_pb2 import AuditRecorded

    with database.session(TENANT) as session:
        lead = leads.create_lead(session, tenant=TENANT, caller=caller("sales", subject="rep-1"), name="Ann Lee",
                                 channel="web", email="ann@example.com", company="Acme")
        lead.company = "Acme Ltd"
    assert stored(database, lead.id).company == "Acme Ltd"
    [(_, audit)] = outbox_events(database, AuditRecorded)
    records = [(record.action, {change.field: (change.old_value, change.new_value) for change in record.changes})
               for record in audit.records if record.entity == "lead"]
    assert [action for action, _ in records] == ["created", "updated"]
    assert records[0][1]["company"] == ("", "Acme") and records[0][1]["owner_id"] == ("", "rep-1")
    assert records[1][1] == {"company": ("Acme", "Acme Ltd")}
    with database.session(TENANT) as session:
        [history] = session.scalars(select(LeadOwnership).where(LeadOwnership.lead_id == lead.id)).all()
        assert (history.tenant_id, history.to_owner, history.reason, history.at) == (TENANT, "rep-1", "capture",
                                                                                    lead.assigned_at)
