"""Console pages for auditors and admins (services/gateway/console/admin.py): the audit log with its CSV export,
personal data requests with their progress per service, and access administration (users, API keys).

Data is changed through the services' gRPC APIs; `pump` plays the outbox relay and the broker between the
in-process services (the audit events reach analytics, the privacy saga runs), as tests/unit/services do. Forms are
posted with their CSRF tokens, as a browser would.
"""

from __future__ import annotations

import csv
import io
import json
import re
from html import unescape

import pytest
from sqlalchemy import select

from crm.common.v1.common_pb2 import PageRequest
from crm.events.v1.envelope_pb2 import Envelope
from crm.identity.v1 import identity_pb2, identity_pb2_grpc
from crm.leads.v1 import leads_pb2, leads_pb2_grpc
from services.core.consumers import InboxDispatcher
from services.core.i18n import t
from services.core.kernel_models import OutboxMessage
from services.core.runtime import load_definition
from services.gateway import accounts
from services.gateway.console import admin as admin_pages
from services.gateway.models import User
from tests.unit.gateway.conftest import TENANT, csrf_of, logged_in
from tests.unit.gateway.test_login import login


def client_of(app, user, locale: str | None = None):  # noqa: ANN001, ANN201
    client = app.test_client()
    logged_in(app, client, user)
    client.set_cookie("crm_tz", "UTC")
    if locale:
        client.set_cookie("crm_lang", locale)
    return client


def text_of(answer) -> str:  # noqa: ANN001
    return unescape(answer.get_data(as_text=True))


def post(client, page: str, action: str, **data):  # noqa: ANN001, ANN201
    """Submit a form of `page` to `action` with the page's CSRF token."""
    token = csrf_of(client.get(page).get_data(as_text=True))
    return client.post(action, data={"csrf_token": token, **data})


def pump(app, *only: str) -> int:
    """Relay every service's outbox rows (of these event types) to the consumers bound to them, until none is left."""
    services = app.extensions["crm.services"]
    dispatchers = [(InboxDispatcher(name, consumer, running.database), consumer.routing_keys())
                   for name, running in services.items() for consumer in load_definition(name).consumers]
    moved = 0
    while True:
        bodies = []
        for running in services.values():
            with running.database.kernel_session() as session:
                for row in session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all():
                    if not only or row.event_type in only:
                        bodies.append(row.body)
                        session.delete(row)
        if not bodies:
            return moved
        for body in bodies:
            event_type = Envelope.FromString(body).type
            for dispatcher, keys in dispatchers:
                if event_type in keys:
                    dispatcher(body)
        moved += len(bodies)


def leads_stub(app) -> leads_pb2_grpc.LeadsServiceStub:
    return leads_pb2_grpc.LeadsServiceStub(app.extensions["crm.services"]["leads"].channel)


def new_lead(app, subject: str, name: str, **fields) -> leads_pb2.Lead:
    metadata = app.extensions["crm.services"]["leads"].metadata("sales", tenant=TENANT, subject=subject)
    fields.setdefault("email", f"{name.split()[0].lower()}@example.com")
    return leads_stub(app).CreateLead(leads_pb2.CreateLeadRequest(name=name, channel="Referral", **fields),
                                      metadata=metadata).lead


@pytest.fixture
def app(services_gateway):
    return services_gateway


# --- the audit log ------------------------------------------------------------------------------------------------


def test_the_audit_log_shows_who_changed_which_lead_with_old_and_new_values(app, make_user, monkeypatch):
    lead = new_lead(app, "rep-1", "Wang Fang", email="wang.fang@example.com", company="Blue Sea")
    metadata = app.extensions["crm.services"]["leads"].metadata("sales", tenant=TENANT, subject="rep-1")
    leads_stub(app).ReleaseLead(leads_pb2.ReleaseLeadRequest(lead_id=lead.id, note="not mine"), metadata=metadata)
    other = new_lead(app, "rep-2", "Li Lei")
    assert pump(app, "audit.recorded") >= 3  # the audit events sit in the leads outbox until relayed
    auditor = client_of(app, make_user("aud-1", ("auditor",)))

    answer = auditor.get(f"/console/audit?entity=lead&record_id={lead.id}")
    assert answer.status_code == 200
    page = text_of(answer)
    rows = re.findall(r"<tr>\s*<td class=\"nowrap\">.*?</tr>", page, re.S)
    # created (with its owner: capture writes the lead once, ADR 0020), released
    assert len(rows) == 2 and "Li Lei" not in page and other.id not in page
    created, released = rows[0], rows[-1]
    assert "rep-1" in created and ">Added<" in created and "wang.fang@example.com" in created
    assert "<dt>email</dt>" in created and "<del>" not in created  # a new record: the values it got
    assert "<dt>phone</dt>" not in created  # ... not every empty column
    assert ">Updated<" in released and "<dt>owner_id</dt>" in released
    assert re.search(r"<del>rep-1</del> → <ins><span class=\"muted\">\(empty\)</span></ins>", released)
    pooled = re.search(r"<dt>pooled_at</dt>\s*<dd><del><span class=\"muted\">—</span></del> → <ins>([^<]+)</ins>",
                       released).group(1)
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", pooled)  # an instant, in the person's zone (UTC)
    assert re.search(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", created) and "Times are shown in UTC." in page
    assert f'href="/console/audit?entity=lead&amp;record_id={lead.id}"' in answer.get_data(as_text=True)

    assert "No changes match these filters." in text_of(auditor.get("/console/audit?actor=nobody"))
    only_created = text_of(auditor.get("/console/audit?action=created&entity=lead"))
    assert "Wang Fang" in only_created and "Li Lei" in only_created and "audit-updated" not in only_created
    future = text_of(auditor.get("/console/audit?start=2999-01-01T00:00"))
    assert "No changes match these filters." in future
    bad = auditor.get("/console/audit?start=yesterday")
    assert bad.status_code == 400 and "is not a date and time" in text_of(bad)
    backwards = auditor.get("/console/audit?start=2024-05-02T00:00&end=2024-05-01T00:00")
    assert backwards.status_code == 400 and "must not be before start_time" in text_of(backwards)

    monkeypatch.setattr(admin_pages, "PAGE_SIZE", 2)
    first = text_of(auditor.get("/console/audit?entity=lead"))
    following = re.search(r'href="([^"]+)" rel="next"', first).group(1)
    second = text_of(auditor.get(following))
    assert "Li Lei" in second and "Li Lei" not in first  # oldest first: the other rep's lead came last


def test_menu_entries_and_pages_follow_the_roles(app, make_user):
    rep = client_of(app, make_user("rep-1", ("sales",)))
    menu = text_of(rep.get("/console/leads"))
    assert "Audit log" not in menu and "Privacy requests" not in menu and "Users and keys" not in menu
    assert 'href="/console/leads"' in menu  # the entries for everyone stay
    for path in ("/console/audit", "/console/audit/export.csv", "/console/privacy", "/console/admin/users",
                 "/console/admin/api-keys"):
        answer = rep.get(path)
        assert answer.status_code == 403, path
        assert re.search(r"<h1>[^<]+ (is|are) for ", text_of(answer)) and "Back to the console" in text_of(answer)
    assert "The audit log is for auditors and admins" in text_of(rep.get("/console/audit"))
    refused = post(rep, "/console/leads", "/console/admin/api-keys", name="mine", roles="admin")
    assert refused.status_code == 403

    auditor = text_of(client_of(app, make_user("aud-1", ("auditor",))).get("/console/leads"))
    assert "Audit log" in auditor and "Privacy requests" in auditor and "Users and keys" not in auditor
    admin = text_of(client_of(app, make_user("adm-1", ("admin",))).get("/console/leads"))
    assert all(entry in admin for entry in ("Audit log", "Privacy requests", "Users and keys"))
    chinese = client_of(app, make_user("rep-2", ("sales",)), locale="zh_CN").get("/console/audit")
    assert chinese.status_code == 403
    assert t("The audit log is for auditors and admins").localized("zh_CN") in text_of(chinese)


def test_the_csv_export_streams_the_filtered_entries_as_a_download(app, make_user):
    lead = new_lead(app, "rep-1", "Zhang Wei", email="zhang.wei@example.com")
    new_lead(app, "rep-2", "Chen Jing")
    pump(app, "audit.recorded")
    auditor = client_of(app, make_user("aud-1", ("auditor",)))
    page = text_of(auditor.get(f"/console/audit?record_id={lead.id}"))
    export_url = re.search(r'href="(/console/audit/export\.csv[^"]*)"', page).group(1).replace("&amp;", "&")
    assert f"record_id={lead.id}" in export_url

    answer = auditor.get(export_url)
    assert answer.status_code == 200 and answer.mimetype == "text/csv"
    assert answer.is_streamed
    assert re.match(r'attachment; filename="audit-log-\d{8}-\d{4}\.csv"', answer.headers["Content-Disposition"])
    rows = list(csv.DictReader(io.StringIO(answer.get_data().decode("utf-8-sig"))))
    assert {row["record_id"] for row in rows} == {lead.id}  # created, then assigned: only this lead
    assert (rows[0]["action"], rows[0]["actor"]) == ("created", "rep-1")
    assert json.loads(rows[0]["changes"])["email"] == [None, "zhang.wei@example.com"]
    everything = list(csv.DictReader(io.StringIO(auditor.get("/console/audit/export.csv").get_data().decode(
        "utf-8-sig"))))
    assert {row["record_id"] for row in everything} >= {lead.id} and len(everything) >= 2

    broken = auditor.get("/console/audit/export.csv?start=2024-05-02T00:00&end=2024-05-01T00:00")
    assert broken.status_code == 302 and broken.headers["Location"].startswith("/console/audit?")
    assert "must not be before start_time" in text_of(auditor.get(broken.headers["Location"]))


# --- personal data requests ---------------------------------------------------------------------------------------


def customer_of_lead(app, subject: str, name: str) -> str:
    """A lead resolved by identity into a customer (the lead learns its customer id), as the bus would do it."""
    lead = new_lead(app, subject, name, phone="13800138000")
    pump(app)
    reply = leads_stub(app).GetLead(leads_pb2.GetLeadRequest(id=lead.id), metadata=app.extensions[
        "crm.services"]["leads"].metadata("admin", tenant=TENANT, subject="adm-1"))
    assert reply.lead.customer_id
    return reply.lead.customer_id


def privacy_requests(app) -> list[identity_pb2.PrivacyRequest]:
    service = app.extensions["crm.services"]["identity"]
    return list(identity_pb2_grpc.IdentityServiceStub(service.channel).ListPrivacyRequests(
        identity_pb2.ListPrivacyRequestsRequest(page=PageRequest(page_size=50)),
        metadata=service.metadata("admin", tenant=TENANT)).requests)


def steps_of(page: str) -> dict[str, str]:
    return dict(re.findall(r'data-service="(\w+)">.*?<span class="badge step-\w+">([^<]+)</span>', page, re.S))


def test_an_export_request_shows_its_progress_per_service_and_then_the_download(app, make_user):
    customer_id = customer_of_lead(app, "rep-1", "Wang Wei")
    admin = client_of(app, make_user("adm-1", ("admin",)))
    assert "No privacy requests yet." in text_of(admin.get("/console/privacy"))

    missing = post(admin, "/console/privacy", "/console/privacy", customer_id=customer_id, kind="export", reason="")
    assert missing.status_code == 400 and "give the legal basis" in text_of(missing)
    unknown = post(admin, "/console/privacy", "/console/privacy", customer_id="C000", kind="export",
                   reason="request by e-mail")
    assert unknown.status_code == 404 and "C000" in text_of(unknown)
    assert privacy_requests(app) == []

    form = text_of(admin.get("/console/privacy"))
    request_id = re.search(r'name="request_id" value="([^"]+)"', form).group(1)
    fields = {"csrf_token": csrf_of(form), "customer_id": customer_id, "kind": "export",
              "reason": "GDPR art. 15 request by e-mail of 2024-05-01", "request_id": request_id}
    started = admin.post("/console/privacy", data=fields)
    assert started.status_code == 302
    again = admin.post("/console/privacy", data=fields)  # a double click starts nothing more
    assert again.headers["Location"] == started.headers["Location"] and len(privacy_requests(app)) == 1

    answer = admin.get(started.headers["Location"])
    page = text_of(answer)
    assert answer.status_code == 200 and answer.headers["Refresh"] == "5"
    assert steps_of(page) == {service: "Pending" for service in
                              ("leads", "sales", "support", "marketing", "analytics", "identity")}
    assert "0 of 6 services done." in page and customer_id in page and "GDPR art. 15" in page
    assert "Download the export" not in page
    listed = text_of(admin.get("/console/privacy"))
    assert customer_id in listed and ">Pending<" in listed and "0 / 6" in listed

    pump(app)  # the saga: privacy.requested to every participant, their answers back to identity
    done = admin.get(started.headers["Location"])
    page = text_of(done)
    assert "Refresh" not in done.headers and "6 of 6 services done." in page
    assert set(steps_of(page).values()) == {"Completed"}
    assert re.search(r'data-service="leads">\s*<td>Leads</td>.*?<td class="num">[1-9]\d*</td>', page, re.S)
    download = re.search(r'href="(/console/privacy/[^"]+/export\.json)"', page).group(1)
    exported = admin.get(download)
    assert exported.status_code == 200 and "attachment" in exported.headers["Content-Disposition"]
    body = json.loads(exported.get_data(as_text=True))
    assert body["request"]["customer_id"] == customer_id
    assert "Wang Wei" in json.dumps(body["services"]["leads"], ensure_ascii=False)

    # An auditor follows the progress, read-only: no start form and no export.
    auditor = client_of(app, make_user("aud-1", ("auditor",)))
    listed = text_of(auditor.get("/console/privacy"))
    assert customer_id in listed and "Start a request" not in listed and "admins start them" in listed
    seen = text_of(auditor.get(started.headers["Location"]))
    assert "6 of 6 services done." in seen and "Download the export" not in seen
    assert auditor.get(download).status_code == 302
    refused = post(auditor, "/console/privacy", "/console/privacy", customer_id=customer_id, kind="export",
                   reason="x")
    assert refused.status_code == 302 and len(privacy_requests(app)) == 1


def test_an_erasure_asks_for_confirmation_first(app, make_user):
    customer_id = customer_of_lead(app, "rep-1", "Li Na")
    admin = client_of(app, make_user("adm-1", ("admin",)))
    asked = post(admin, "/console/privacy", "/console/privacy", customer_id=customer_id, kind="erase",
                 reason="PIPL art. 47 request by phone")
    assert asked.status_code == 200
    page = text_of(asked)
    assert "Erase this person's data" in page and "Li Na" in page and 'name="confirmed" value="yes"' in page
    assert privacy_requests(app) == []  # nothing happened yet
    unknown = post(admin, "/console/privacy", "/console/privacy", customer_id="C000", kind="erase", reason="x")
    assert unknown.status_code == 404 and "C000" in text_of(unknown) and 'name="confirmed"' not in text_of(unknown)

    confirmed = admin.post("/console/privacy", data={
        "csrf_token": csrf_of(page), "confirmed": "yes",
        **dict(re.findall(r'<input type="hidden" name="(customer_id|kind|reason|request_id)" value="([^"]*)"',
                          page))})
    assert confirmed.status_code == 302
    [started] = privacy_requests(app)
    assert started.kind == identity_pb2.PRIVACY_REQUEST_KIND_ERASE and started.customer_id == customer_id
    assert "Erasure started" in text_of(admin.get(confirmed.headers["Location"]))


# --- access administration -----------------------------------------------------------------------------------------


def test_an_api_key_is_shown_once_works_and_stops_working_when_revoked(app, make_user):
    admin = client_of(app, make_user("adm-1", ("admin",)))
    new_lead(app, "rep-1", "Zhou Min")
    invalid = post(admin, "/console/admin/api-keys", "/console/admin/api-keys", name="", roles="sales")
    assert invalid.status_code == 400 and "is required" in text_of(invalid)

    created = post(admin, "/console/admin/api-keys", "/console/admin/api-keys", name="website", roles="sales",
                   subject="rep-1")
    assert created.status_code == 201
    key = re.search(r'data-testid="secret">([^<]+)<', created.get_data(as_text=True)).group(1)
    assert key.startswith("crm_") and "shown only this once" in text_of(created)
    listed = text_of(admin.get("/console/admin/api-keys"))
    secret = key.removeprefix("crm_").partition("_")[2]  # after the key id; base64url, so it may hold "_" itself
    assert "website" in listed and key not in listed and secret not in listed
    assert "Revoke" in listed

    api = app.test_client()
    answer = api.get("/api/v1/leads", headers={"Authorization": f"Bearer {key}"})
    assert answer.status_code == 200 and "Zhou Min" in answer.get_data(as_text=True)

    key_id = re.search(r'action="/console/admin/api-keys/([^/]+)/revoke"', listed).group(1)
    revoked = post(admin, "/console/admin/api-keys", f"/console/admin/api-keys/{key_id}/revoke")
    assert revoked.status_code == 302
    assert "revoked: it no longer works" in text_of(admin.get(revoked.headers["Location"]))
    assert api.get("/api/v1/leads", headers={"Authorization": f"Bearer {key}"}).status_code == 401
    after = text_of(admin.get("/console/admin/api-keys"))
    assert "Revoked" in after and f"/console/admin/api-keys/{key_id}/revoke" not in after


def test_a_new_user_gets_a_temporary_password_and_must_change_it_at_the_first_login(app, make_user):
    me = make_user("adm-1", ("admin",))
    admin = client_of(app, me)
    no_role = post(admin, "/console/admin/users", "/console/admin/users", employee_id="rep-9", display_name="Rep 9")
    assert no_role.status_code == 400 and "choose at least one role" in text_of(no_role)

    created = post(admin, "/console/admin/users", "/console/admin/users", employee_id="rep-9",
                   display_name="Sun Li", roles=["sales", "marketing"], manager_id="adm-1", locale="zh_CN")
    assert created.status_code == 201
    password = re.search(r'data-testid="secret">([^<]+)<', created.get_data(as_text=True)).group(1)
    assert "User Sun Li created" in text_of(created) and len(password) >= 16
    listed = text_of(admin.get("/console/admin/users"))
    assert "Sun Li" in listed and "Must change password" in listed and password not in listed
    taken = post(admin, "/console/admin/users", "/console/admin/users", employee_id="rep-9", display_name="X",
                 roles="sales")
    assert taken.status_code == 400 and "is already taken" in text_of(taken)

    newcomer = app.test_client()
    assert login(newcomer, "rep-9", password).headers["Location"].startswith("/account/password")
    with app.extensions["crm.database"].session(TENANT) as session:
        user = accounts.user_by_employee_id(session, "rep-9")
        assert (user.roles, user.manager_id, user.locale) == (["marketing", "sales"], "adm-1", "zh_CN")
        user_id = user.id

    # A reset gives a new temporary password (the old one stops working); a deactivated user cannot log in.
    reset = post(admin, "/console/admin/users", f"/console/admin/users/{user_id}/reset-password")
    fresh = re.search(r'data-testid="secret">([^<]+)<', reset.get_data(as_text=True)).group(1)
    assert fresh != password and "New temporary password for Sun Li" in text_of(reset)
    assert login(app.test_client(), "rep-9", password).status_code == 401
    assert login(app.test_client(), "rep-9", fresh).headers["Location"].startswith("/account/password")
    answer = post(admin, "/console/admin/users", f"/console/admin/users/{user_id}/reset-2fa")
    assert "sets up a new authenticator app" in text_of(admin.get(answer.headers["Location"]))
    post(admin, "/console/admin/users", f"/console/admin/users/{user_id}/deactivate")
    assert "Deactivated" in text_of(admin.get("/console/admin/users"))
    assert login(app.test_client(), "rep-9", fresh).status_code == 401
    post(admin, "/console/admin/users", f"/console/admin/users/{user_id}/reactivate")
    assert login(app.test_client(), "rep-9", fresh).status_code == 302

    # Admins do not lock themselves out.
    refused = post(admin, "/console/admin/users", f"/console/admin/users/{me.id}/deactivate")
    assert "you cannot deactivate your own account" in text_of(admin.get(refused.headers["Location"]))
    with app.extensions["crm.database"].session(TENANT) as session:
        assert session.get(User, me.id).active
