"""Console pages for leads: the list as each person may see it, the detail page with follow-ups and reminders, the
public pool with claims, and the batch import with its per-row error report (services/gateway/console/leads.py).

Data is created through the leads service's gRPC API as the people of the gateway's tenant would, or through the
pages themselves; the in-process services run no timer worker, so an import job is advanced with fire_due."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime, timedelta
from html import unescape
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import update

from crm.leads.v1 import leads_pb2, leads_pb2_grpc
from services.core.i18n import catalog, t
from services.core.timers import fire_due
from services.gateway import people
from services.gateway.console import leads as leads_pages
from services.gateway.models import User
from services.leads.timers import TIMERS
from tests.unit.gateway.conftest import TENANT, csrf_of, logged_in

TEMPLATES = Path(leads_pages.__file__).resolve().parents[1] / "templates" / "console"


@pytest.fixture
def app(services_gateway):
    services_gateway.config["WTF_CSRF_ENABLED"] = False
    return services_gateway


def stub(app) -> leads_pb2_grpc.LeadsServiceStub:
    return leads_pb2_grpc.LeadsServiceStub(app.extensions["crm.services"]["leads"].channel)


def as_(app, *roles: str, subject: str):
    return app.extensions["crm.services"]["leads"].metadata(*roles, tenant=TENANT, subject=subject)


def new_lead(app, subject: str, name: str, **fields) -> leads_pb2.Lead:
    fields.setdefault("channel", "Referral")
    fields.setdefault("email", f"{name.split()[0].lower()}@example.com")
    return stub(app).CreateLead(leads_pb2.CreateLeadRequest(name=name, **fields),
                                metadata=as_(app, "sales", subject=subject)).lead


def add_rep(app, user_id: str, team: str = "east") -> None:
    stub(app).UpsertRep(leads_pb2.UpsertRepRequest(user_id=user_id, name=user_id, team=team),
                        metadata=as_(app, "admin", subject="admin"))


def client_of(app, user, locale: str | None = None):  # noqa: ANN001
    client = app.test_client()
    logged_in(app, client, user)
    if locale:
        client.set_cookie("crm_lang", locale)
    return client


def text_of(answer) -> str:  # noqa: ANN001
    return unescape(answer.get_data(as_text=True))


def test_the_list_shows_a_rep_their_own_leads_and_not_another_reps(app, make_user, monkeypatch):
    mine = new_lead(app, "rep-1", "Wang Fang", company="Blue Sea Software")
    theirs = new_lead(app, "rep-2", "Li Lei", company="Red Hill")
    client = client_of(app, make_user("rep-1", ("sales",)))

    answer = client.get("/console/leads")
    assert answer.status_code == 200
    page = text_of(answer)
    assert "Wang Fang" in page and "Blue Sea Software" in page and "Referral" in page
    assert "Li Lei" not in page and "Red Hill" not in page
    assert f'href="/console/leads/{mine.id}"' in page
    # Guessing the other rep's lead id leads nowhere.
    other = client.get(f"/console/leads/{theirs.id}")
    assert other.status_code == 404 and "Li Lei" not in text_of(other)
    # The manager of a team sees the team's leads.
    add_rep(app, "rep-1")
    add_rep(app, "rep-2")
    stub(app).UpsertRep(leads_pb2.UpsertRepRequest(user_id="boss", name="boss", team="east", takes_leads=False),
                        metadata=as_(app, "admin", subject="admin"))
    boss = client_of(app, make_user("boss", ("manager",)))
    managed = text_of(boss.get("/console/leads"))
    assert "Wang Fang" in managed and "Li Lei" in managed
    # Owners show by the name the gateway knows them by (read again after a minute), the employee id as the tooltip.
    make_user("rep-2", ("sales",))
    with app.extensions["crm.database"].session(TENANT) as session:
        session.execute(update(User).where(User.employee_id == "rep-2").values(display_name="李雷 <Lee>"))
    monkeypatch.setattr(people, "FRESH_FOR_SECONDS", 0)
    managed = boss.get("/console/leads").get_data(as_text=True)
    assert '<span class="person" title="rep-2">李雷 &lt;Lee&gt;</span>' in managed  # a name is text, never markup


def test_filters_sort_and_page_tokens(app, make_user, monkeypatch):
    monkeypatch.setattr(leads_pages, "PAGE_SIZE", 2)
    for number in range(3):
        new_lead(app, "rep-1", f"Person{number} Zhang", channel="Website" if number else "Expo")
    client = client_of(app, make_user("rep-1", ("sales",)))

    first = text_of(client.get("/console/leads?order=oldest"))
    assert first.index("Person0") < first.index("Person1") and "Person2" not in first
    following = re.search(r'href="([^"]+)" rel="next"', first).group(1)
    second = text_of(client.get(following + "&_external=1&_scheme=javascript"))
    assert "Person2" in second and "Person0" not in second and 'rel="next"' not in second
    back = re.search(r'href="([^"]+)" rel="prev"', second).group(1)
    assert back.startswith("/console/leads?") and "_scheme" not in back
    assert "Person0" in text_of(client.get(back))

    only_expo = text_of(client.get("/console/leads?channel=Expo"))
    assert "Person0" in only_expo and "Person1" not in only_expo
    assert "No leads match these filters." in text_of(client.get("/console/leads?status=converted"))
    assert "Person0" in text_of(client.get("/console/leads?scope=mine&order=oldest"))
    client.set_cookie("crm_tz", "Not/AZone")  # whatever a browser sends: unknown zones fall back
    assert "Times are shown in Asia/Shanghai." in text_of(client.get("/console/leads?lead_id=x&page_token=&trail="))


def test_the_list_speaks_chinese(app, make_user):
    new_lead(app, "rep-1", "Wang Fang")
    answer = client_of(app, make_user("rep-1", ("sales",)), locale="zh_CN").get("/console/leads")
    page = text_of(answer)
    assert '<html lang="zh-CN">' in page
    for header in ("Name", "Company", "Score", "Channel", "Owner", "Status", "Contact by"):
        chinese = t(header).localized("zh_CN")
        assert chinese != header and f"<th>{chinese}</th>" in page.replace('<th class="num">', "<th>")
    assert t("Leads").localized("zh_CN") in page


def test_a_follow_up_added_on_the_detail_page_appears_there(app, make_user):
    lead = new_lead(app, "rep-1", "Wang Fang")
    client = client_of(app, make_user("rep-1", ("sales",)))
    page = text_of(client.get(f"/console/leads/{lead.id}"))
    assert "wang@example.com" in page and "No follow-ups yet." in page

    refused = client.post(f"/console/leads/{lead.id}/follow-ups", data={"kind": "call", "content": " "})
    assert refused.status_code == 400
    assert "content, objection or next step is required" in text_of(refused)

    added = client.post(f"/console/leads/{lead.id}/follow-ups", data={
        "kind": "visit", "content": "Met the CTO at their office", "objection": "too expensive",
        "budget_cycle": "budget frozen in Q4", "next_step": "send the quote", "remind": "in_weeks_1"})
    assert added.status_code == 302 and added.headers["Location"].endswith(f"/console/leads/{lead.id}#follow-ups")
    page = text_of(client.get(f"/console/leads/{lead.id}"))
    for shown in ("Met the CTO at their office", "too expensive", "budget frozen in Q4", "send the quote", "Visit"):
        assert shown in page
    assert "Follow-up added; reminder set for" in page  # the flash message
    assert "in_weeks 1" in page  # the reminder it scheduled, as it was asked for
    listed = stub(app).ListFollowUps(leads_pb2.ListFollowUpsRequest(lead_id=lead.id),
                                     metadata=as_(app, "sales", subject="rep-1")).follow_ups
    assert [(f.kind, f.objection) for f in listed] == [("visit", "too expensive")]


def test_reminders_are_scheduled_at_a_local_time_and_cancelled(app, make_user):
    lead = new_lead(app, "rep-1", "Wang Fang")
    client = client_of(app, make_user("rep-1", ("sales",)))
    client.set_cookie("crm_tz", "Europe/Berlin")
    refused = client.post(f"/console/leads/{lead.id}/reminders", data={"remind_at": "2020-01-01T09:00"})
    assert refused.status_code == 400 and "must be in the future" in text_of(refused)
    assert client.post(f"/console/leads/{lead.id}/reminders", data={"remind_at": "soon"}).status_code == 400

    at = (datetime.now(UTC) + timedelta(days=3)).astimezone(ZoneInfo("Europe/Berlin"))
    local = at.strftime("%Y-%m-%dT%H:%M")
    scheduled = client.post(f"/console/leads/{lead.id}/reminders", data={"remind_at": local, "note": "call back"})
    assert scheduled.status_code == 302
    reminder = stub(app).ListReminders(leads_pb2.ListRemindersRequest(lead_id=lead.id),
                                       metadata=as_(app, "sales", subject="rep-1")).reminders[0]
    assert reminder.note == "call back"
    assert reminder.remind_time.ToDatetime(tzinfo=UTC) == at.replace(second=0, microsecond=0).astimezone(UTC)
    page = text_of(client.get(f"/console/leads/{lead.id}"))
    assert "call back" in page and at.strftime("%Y-%m-%d %H:%M") in page and "Europe/Berlin" in page

    cancelled = client.post(f"/console/leads/{lead.id}/reminders/{reminder.id}/cancel")
    assert cancelled.status_code == 302
    page = text_of(client.get(f"/console/leads/{lead.id}"))
    assert "Reminder cancelled." in page and 'class="reminder-cancelled"' in page


def test_a_rep_claims_a_lead_from_the_public_pool(app, make_user):
    add_rep(app, "rep-1")
    add_rep(app, "rep-2")
    lead = new_lead(app, "rep-1", "Wang Fang", phone="13800138000", email="wangfang@example.com")
    owner = client_of(app, make_user("rep-1", ("sales",)))
    assert owner.post(f"/console/leads/{lead.id}/release").status_code == 302
    assert "The lead went back to the public pool." in text_of(owner.get(f"/console/leads/{lead.id}"))

    rep = client_of(app, make_user("rep-2", ("sales",)))
    pool = text_of(rep.get("/console/pool"))
    assert "Wang Fang" in pool and "138****8000" in pool and "w***@example.com" in pool
    assert "13800138000" not in pool and "wangfang@example.com" not in pool
    assert f'action="/console/leads/{lead.id}/claim"' in pool

    claimed = rep.post(f"/console/leads/{lead.id}/claim", data={"next": "/console/pool"})
    assert claimed.status_code == 302 and claimed.headers["Location"] == f"/console/leads/{lead.id}"
    page = text_of(rep.get(f"/console/leads/{lead.id}"))
    assert "is yours now" in page and "13800138000" in page and "wangfang@example.com" in page
    assert "Wang Fang" not in text_of(rep.get("/console/pool"))

    # The rep who released a lead waits out the cool-down before claiming it back: the service says so.
    second = new_lead(app, "rep-1", "Zhao Min", phone="13900139000")
    owner.post(f"/console/leads/{second.id}/release")
    refused = owner.post(f"/console/leads/{second.id}/claim", data={"next": "/console/pool"})
    assert refused.status_code == 302 and refused.headers["Location"] == "/console/pool"
    pool = text_of(owner.get("/console/pool"))
    assert re.search(r'class="flash error"[^>]*>you may claim this lead again from ', pool)
    # Pages no longer offer the refused button: they say when the cool-down ends (in the rep's zone), to them only.
    assert f'action="/console/leads/{second.id}/claim"' not in pool
    assert re.search(r"You may claim it again from \d{4}-\d\d-\d\d \d\d:\d\d", pool)
    assert f'action="/console/leads/{second.id}/claim"' not in text_of(owner.get(f"/console/leads/{second.id}"))
    assert f'action="/console/leads/{second.id}/claim"' in text_of(rep.get("/console/pool"))


def good_and_bad_rows(template: bytes) -> bytes:
    return template + "蓝海软件,65,王芳,13800138000,,,,,\n红山,99,李雷,13900139000,,,,,\n".encode()


def test_import_a_file_with_a_bad_row(app, make_user):
    client = client_of(app, make_user("boss", ("manager",)))
    template = client.get("/console/leads/import/template.csv")
    assert template.status_code == 200 and "attachment" in template.headers["Content-Disposition"]
    assert template.headers["Content-Disposition"].endswith(".csv")
    xlsx = client.get("/console/leads/import/template.xlsx")
    assert xlsx.status_code == 200 and xlsx.data[:2] == b"PK"
    assert client.get("/console/leads/import/template.pdf").status_code == 404

    empty = client.post("/console/leads/import", data={}, content_type="multipart/form-data")
    assert empty.status_code == 400 and "choose a file to import" in text_of(empty)
    unusable = client.post("/console/leads/import", content_type="multipart/form-data",
                           data={"file": (io.BytesIO(b"%PDF"), "leads.pdf")})
    assert unusable.status_code == 400 and "unknown file format" in text_of(unusable)

    started = client.post("/console/leads/import", content_type="multipart/form-data", data={
        "file": (io.BytesIO(good_and_bad_rows(template.data)), "expo.csv"), "default_channel": "Expo A"})
    assert started.status_code == 302
    job_page = started.headers["Location"]
    job_id = job_page.rsplit("/", 1)[1]
    waiting = text_of(client.get(job_page))
    assert "expo.csv" in waiting and "data-poll=" in waiting
    for _ in range(10):  # the service's timer worker would do this in the background
        progress = client.get(f"{job_page}/progress").get_json()
        if progress["done"]:
            break
        fire_due(app.extensions["crm.services"]["leads"].database, TIMERS)
    assert progress == {"status": "succeeded", "status_label": "Succeeded", "done": True, "percent": 100,
                        "total": 2, "processed": 2, "imported": 1, "rejected": 1}

    page = text_of(client.get(job_page))
    assert "data-poll=" not in page
    assert re.search(r'<td class="num">3</td><td>所属行业\*/Industry\*</td><td>is not a GB/T 4754 industry division'
                     r'</td>', page)
    report = client.get(f"{job_page}/errors.csv")
    assert report.status_code == 200 and "attachment" in report.headers["Content-Disposition"]
    assert list(csv.reader(io.StringIO(report.data.decode("utf-8-sig")))) == [
        ["row", "column", "reason"], ["3", "所属行业*/Industry*", "is not a GB/T 4754 industry division"]]
    recent = text_of(client.get("/console/leads/import"))
    assert f'href="/console/leads/import/{job_id}"' in recent and "expo.csv" in recent
    assert "蓝海软件" in text_of(client.get("/console/leads?channel=Expo A"))
    assert client.get("/console/leads/import/no-such-job").status_code == 404


def test_a_rep_is_told_who_imports(app, make_user):
    client = client_of(app, make_user("rep-1", ("sales",)))
    page = text_of(client.get("/console/leads/import"))
    assert "Importing leads is for managers, marketing and admins." in page and 'type="file"' not in page
    refused = client.post("/console/leads/import", content_type="multipart/form-data",
                          data={"file": (io.BytesIO(b"a,b\n"), "x.csv")})
    assert refused.status_code == 403


def test_the_forms_carry_a_csrf_token_and_posts_without_one_are_refused(services_gateway, make_user):
    app = services_gateway  # CSRF protection on, as in production
    lead = new_lead(app, "rep-1", "Wang Fang")
    client = client_of(app, make_user("rep-1", ("sales",)))
    page = client.get(f"/console/leads/{lead.id}").get_data(as_text=True)
    forms = re.findall(r'<form method="post".*?</form>', page, re.S)
    assert len(forms) >= 4 and all('name="csrf_token"' in form for form in forms)
    data = {"kind": "note", "content": "first contact"}
    assert client.post(f"/console/leads/{lead.id}/follow-ups", data=data).status_code == 400
    assert client.post(f"/console/leads/{lead.id}/follow-ups",
                       data={**data, "csrf_token": csrf_of(page)}).status_code == 302


def test_pages_need_a_login(gateway_app):
    client = gateway_app.test_client()
    for path in ("/console/leads", "/console/leads/x", "/console/pool", "/console/leads/import",
                 "/console/leads/import/j"):
        answer = client.get(path)
        assert answer.status_code == 302 and answer.headers["Location"].startswith("/login")


def test_every_text_of_these_pages_has_a_chinese_translation():
    pattern = re.compile(r"""\b_\(\s*(["'])(.+?)\1""")
    found = {match.group(2) for name in ("leads_*.html", "pool_*.html", "import_*.html", "dashboard*.html")
             for path in TEMPLATES.glob(name) for match in pattern.finditer(path.read_text())}
    assert "Follow-ups" in found and "Sales funnel" in found
    assert sorted(found - set(catalog("zh_CN"))) == []
