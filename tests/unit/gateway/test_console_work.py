"""Console pages for a rep's daily work: an opportunity's contacts, activities and tasks, a contact's and a task's
pages, My tasks and My week with its .ics download (console/work.py).

Data is made through the pages as the logged-in person (and checked through the sales service's own API); times are
typed in the person's zone, Asia/Shanghai unless the browser's zone cookie says otherwise.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from google.protobuf.timestamp_pb2 import Timestamp

from crm.sales.v1 import sales_pb2
from tests.unit.gateway.conftest import csrf_of
from tests.unit.gateway.test_console_sales import As, client_of, open_deal


@pytest.fixture
def app(services_gateway):
    services_gateway.config["WTF_CSRF_ENABLED"] = False
    return services_gateway


def admin(app) -> As:
    return As(app, "admin", "admin")


def page_of(client, path: str) -> str:
    answer = client.get(path)
    assert answer.status_code == 200, answer.get_data(as_text=True)[:2000]
    return answer.get_data(as_text=True)


def section(html: str, section_id: str) -> str:
    found = re.search(rf'<section class="card" id="{section_id}">.*?</section>', html, re.S)
    assert found, f"no section {section_id}"
    return found.group(0)


def field_block(html: str, input_id: str) -> str:
    """A form field: from its label to the next label (its input and the error shown next to it)."""
    start = html.index(f'<label for="{input_id}">')
    ends = [found for found in (html.find("<label ", start + 1), html.find("</form>", start)) if found > 0]
    return html[start:min(ends)]


def utc(task: sales_pb2.Task, name: str) -> datetime:
    return getattr(task, name).ToDatetime(tzinfo=UTC)


def _stamp(moment: datetime) -> Timestamp:
    value = Timestamp()
    value.FromDatetime(moment)
    return value


def only_task(app, opportunity_id: str) -> sales_pb2.Task:
    found = admin(app).ListTasks(sales_pb2.ListTasksRequest(opportunity_id=opportunity_id)).tasks
    assert len(found) == 1
    return found[0]


# --- contacts -----------------------------------------------------------------------------------------------------


def test_a_rep_adds_a_contact_sees_it_and_edits_it_on_its_page(app, make_user):
    opportunity_id = open_deal(app)
    rep = client_of(app, make_user, "rep-1")
    html = page_of(rep, f"/console/opportunities/{opportunity_id}")
    assert "No contact at this account yet." in html
    added = rep.post(f"/console/opportunities/{opportunity_id}/contacts", data={
        "account_id": re.search(r'name="account_id" value="([^"]+)"', html).group(1),
        "name": "王芳", "title": "采购经理", "email": "wang.fang@example.cn", "phone": "+86 138-0013-8000"})
    assert added.status_code == 302
    assert added.headers["Location"] == f"/console/opportunities/{opportunity_id}#contacts"

    contacts = section(page_of(rep, f"/console/opportunities/{opportunity_id}"), "contacts")
    assert "王芳" in contacts and "采购经理" in contacts and 'href="mailto:wang.fang@example.cn"' in contacts
    contact_id = re.search(r'href="/console/contacts/([^"?]+)\?next=', contacts).group(1)

    form = page_of(rep, f"/console/contacts/{contact_id}?next=/console/opportunities/{opportunity_id}")
    assert 'value="采购经理"' in form and "杭州云栖科技" in form  # the account's name
    saved = rep.post(f"/console/contacts/{contact_id}", data={
        "name": "王芳", "title": "CFO", "email": "wang.fang@example.cn", "phone": "",
        "next": f"/console/opportunities/{opportunity_id}"})
    assert saved.status_code == 302 and saved.headers["Location"] == f"/console/opportunities/{opportunity_id}"
    stored = admin(app).GetContact(sales_pb2.GetContactRequest(id=contact_id)).contact
    assert (stored.title, stored.phone, stored.email) == ("CFO", "", "wang.fang@example.cn")
    assert "Contact 王芳 saved." in page_of(rep, f"/console/opportunities/{opportunity_id}")


def test_a_bad_email_shows_its_error_next_to_the_input_and_keeps_what_was_typed(app, make_user):
    opportunity_id = open_deal(app)
    rep = client_of(app, make_user, "rep-1")
    account_id = admin(app).GetOpportunity(sales_pb2.GetOpportunityRequest(id=opportunity_id)).opportunity.account_id
    refused = rep.post(f"/console/opportunities/{opportunity_id}/contacts", data={
        "account_id": account_id, "name": "李雷", "title": "IT", "email": "li.lei@", "phone": "010-65529988"})
    assert refused.status_code == 400
    html = refused.get_data(as_text=True)
    email = field_block(html, "contact-email")
    assert 'value="li.lei@"' in email and 'aria-invalid="true"' in email
    assert '<div class="error" id="contact-email-error">is not an e-mail address</div>' in email
    assert 'value="李雷"' in field_block(html, "contact-name") and 'value="010-65529988"' in html
    assert "Rollout Alpha" in html  # the whole opportunity page, shown again
    assert not admin(app).ListContacts(sales_pb2.ListContactsRequest(account_id=account_id)).contacts

    # Same on the contact's own page.
    contact_id = admin(app).CreateContact(sales_pb2.CreateContactRequest(account_id=account_id, name="李雷")).contact.id
    again = rep.post(f"/console/contacts/{contact_id}", data={"name": "李雷", "email": "nope", "phone": "12"})
    assert again.status_code == 400
    html = again.get_data(as_text=True)
    assert 'value="nope"' in field_block(html, "contact-email")
    assert "is not a phone number" in field_block(html, "contact-phone")


# --- activities and My week ---------------------------------------------------------------------------------------


def test_a_rep_logs_a_call_and_a_meeting_and_sees_them_in_the_timeline_and_in_my_week(app, make_user):
    opportunity_id = open_deal(app)
    rep = client_of(app, make_user, "rep-1")
    call = rep.post(f"/console/opportunities/{opportunity_id}/activities", data={
        "kind": "call", "subject": "Pricing call", "outcome": "asked for a discount", "occur": "",
        "end": "2030-01-08T11:30", "location": "ignored for a call"})
    assert call.status_code == 302 and call.headers["Location"].endswith("#activities")

    # A meeting needs its end: the error shows next to the input, what was typed stays.
    missing_end = rep.post(f"/console/opportunities/{opportunity_id}/activities", data={
        "kind": "meeting", "subject": "Kick-off", "occur": "2030-01-08T10:00", "location": "Room 3"})
    assert missing_end.status_code == 400
    html = missing_end.get_data(as_text=True)
    assert "is required for a meeting" in field_block(html, "activity-end")
    assert 'value="2030-01-08T10:00"' in html and 'value="Room 3"' in html and 'value="meeting" checked' in html

    meeting = rep.post(f"/console/opportunities/{opportunity_id}/activities", data={
        "kind": "meeting", "subject": "Kick-off", "occur": "2030-01-08T10:00", "end": "2030-01-08T11:30",
        "location": "Room 3", "attendees": ["rep-3"], "notes": "agenda:\nscope, dates"})
    assert meeting.status_code == 302
    stored = admin(app).ListActivities(sales_pb2.ListActivitiesRequest(opportunity_id=opportunity_id)).activities
    assert [a.kind for a in stored] == ["meeting", "call"]
    assert stored[0].occur_time.ToDatetime(tzinfo=UTC) == datetime(2030, 1, 8, 2, 0, tzinfo=UTC)  # 10:00 Shanghai
    assert list(stored[0].attendee_ids) == ["rep-3"] and stored[1].location == "" and not stored[1].end_time.seconds

    html = page_of(rep, f"/console/opportunities/{opportunity_id}")
    assert "Meeting logged: Kick-off" in html
    timeline = section(html, "activities")
    assert timeline.index("Kick-off") < timeline.index("Pricing call")  # newest first
    assert "2030-01-08 10:00 – 11:30" in timeline and "Room 3" in timeline and "asked for a discount" in timeline

    week = page_of(rep, "/console/calendar?week=2030-01-10")  # any day of the week
    tuesday = re.search(r'<section class="wk-day[^"]*" aria-labelledby="day-2030-01-08">.*?</section>', week, re.S)
    assert tuesday and "Kick-off" in tuesday.group(0) and "10:00–11:30" in tuesday.group(0)
    assert "Pricing call" not in week  # calls are no calendar entries
    assert "2030-01-07 – 2030-01-13" in week
    assert 'href="/console/calendar?week=2029-12-31"' in week and 'href="/console/calendar?week=2030-01-14"' in week

    # The attendee has it in their week too; and a browser in Berlin sees Berlin's times.
    attendee = client_of(app, make_user, "rep-3")
    attendee.set_cookie("crm_tz", "Europe/Berlin")
    assert "03:00–04:30" in page_of(attendee, "/console/calendar?week=2030-01-08")


def test_the_week_downloads_as_an_icalendar_file(app, make_user):
    opportunity_id = open_deal(app)
    As(app, "rep-1", "sales").LogActivity(sales_pb2.LogActivityRequest(
        kind="meeting", opportunity_id=opportunity_id, subject="Demo at the customer",
        occur_time=_stamp(datetime(2030, 1, 9, 6, 0, tzinfo=UTC)),
        end_time=_stamp(datetime(2030, 1, 9, 7, 0, tzinfo=UTC))))
    rep = client_of(app, make_user, "rep-1")
    week = page_of(rep, "/console/calendar?week=2030-01-09")
    link = re.search(r'href="(/console/calendar\.ics\?[^"]+)"', week).group(1)
    assert "week=2030-01-07" in link
    ics = rep.get(link.replace("&amp;", "&"))
    assert ics.status_code == 200
    assert ics.mimetype == "text/calendar" and ics.headers["Content-Disposition"].startswith("attachment;")
    body = ics.get_data(as_text=True)
    assert body.startswith("BEGIN:VCALENDAR") and "SUMMARY:Demo at the customer" in body
    assert "DTSTART:20300109T060000Z" in body

    # Someone else's calendar: refused, and the page says so instead of a file.
    other = client_of(app, make_user, "rep-2")
    refused = other.get("/console/calendar.ics?week=2030-01-09&user=rep-1", follow_redirects=True)
    assert refused.mimetype == "text/html" and 'class="flash error"' in refused.get_data(as_text=True)


# --- tasks --------------------------------------------------------------------------------------------------------


def test_a_rep_creates_a_task_reschedules_it_and_completes_it(app, make_user):
    opportunity_id = open_deal(app)
    rep = client_of(app, make_user, "rep-1")
    created = rep.post(f"/console/opportunities/{opportunity_id}/tasks", data={
        "title": "Send the revised quote", "due": "2030-01-09T17:00", "remind": "60", "priority": "high",
        "notes": "with the analytics add-on"})
    assert created.status_code == 302 and created.headers["Location"].endswith("#tasks")
    task = only_task(app, opportunity_id)
    assert (task.assignee_id, task.priority, task.status) == ("rep-1", "high", "open")
    assert utc(task, "due_time") == datetime(2030, 1, 9, 9, 0, tzinfo=UTC)  # 17:00 in Shanghai
    assert utc(task, "remind_time") == datetime(2030, 1, 9, 8, 0, tzinfo=UTC)  # an hour before

    tasks = section(page_of(rep, f"/console/opportunities/{opportunity_id}"), "tasks")
    assert "Send the revised quote" in tasks and "2030-01-09 17:00" in tasks and "High" in tasks
    mine = page_of(rep, "/console/tasks")
    assert "Send the revised quote" in mine and "Rollout Alpha" in mine  # with its opportunity's name

    # Reschedule on its page: a new due time alone moves the reminder with it.
    form = page_of(rep, f"/console/tasks/{task.id}?next=/console/tasks")
    assert 'value="2030-01-09T17:00"' in form and 'value="2030-01-09T16:00"' in form
    moved = rep.post(f"/console/tasks/{task.id}", data={
        "title": "Send the revised quote", "notes": "with the analytics add-on", "priority": "high",
        "due": "2030-01-10T11:30", "remind": "2030-01-09T16:00",
        "due_was": "2030-01-09T17:00", "remind_was": "2030-01-09T16:00", "next": "/console/tasks"})
    assert moved.status_code == 302 and moved.headers["Location"] == "/console/tasks"
    task = only_task(app, opportunity_id)
    assert utc(task, "due_time") == datetime(2030, 1, 10, 3, 30, tzinfo=UTC)
    assert utc(task, "remind_time") == datetime(2030, 1, 10, 2, 30, tzinfo=UTC)
    assert "Task saved: due 2030-01-10 11:30, reminder 2030-01-10 10:30." in page_of(rep, "/console/tasks")

    # A reminder after the due time: the service's message next to the input.
    refused = rep.post(f"/console/tasks/{task.id}", data={
        "title": "Send the revised quote", "priority": "high", "due": "2030-01-10T11:30", "remind": "2030-01-11T09:00",
        "due_was": "2030-01-10T11:30", "remind_was": "2030-01-10T10:30"})
    assert refused.status_code == 400
    assert "must not be after the due time" in field_block(refused.get_data(as_text=True), "task-remind")

    week = page_of(rep, "/console/calendar?week=2030-01-10")
    thursday = re.search(r'aria-labelledby="day-2030-01-10">.*?</section>', week, re.S).group(0)
    assert "Send the revised quote" in thursday and "11:30" in thursday

    done = rep.post(f"/console/tasks/{task.id}/complete", data={"next": f"/console/opportunities/{opportunity_id}"})
    assert done.status_code == 302 and done.headers["Location"] == f"/console/opportunities/{opportunity_id}"
    assert only_task(app, opportunity_id).status == "done"
    assert "Task done: Send the revised quote." in page_of(rep, f"/console/opportunities/{opportunity_id}")
    assert "Send the revised quote" not in page_of(rep, "/console/tasks")  # open ones only
    assert "Send the revised quote" in page_of(rep, "/console/tasks?show=done")


def test_my_tasks_lists_open_ones_by_due_time_with_the_overdue_marked_and_cancels(app, make_user):
    opportunity_id = open_deal(app)
    sales = As(app, "rep-1", "sales")
    for title, due in (("Later", datetime(2030, 3, 1, tzinfo=UTC)), ("Late", datetime(2020, 3, 1, tzinfo=UTC))):
        sales.CreateTask(sales_pb2.CreateTaskRequest(title=title, opportunity_id=opportunity_id, due_time=_stamp(due)))
    rep = client_of(app, make_user, "rep-1")
    html = page_of(rep, "/console/tasks")
    assert html.index(">Late<") < html.index(">Later<")
    late_row = re.search(r'<tr class="wk-task-open wk-late">.*?</tr>', html, re.S).group(0)
    assert ">Late<" in late_row and "Overdue" in late_row
    assert ">Later<" not in page_of(rep, "/console/tasks?show=overdue")

    late = next(task for task in admin(app).ListTasks(sales_pb2.ListTasksRequest()).tasks if task.title == "Late")
    cancelled = rep.post(f"/console/tasks/{late.id}/cancel", data={"next": "/console/tasks"})
    assert cancelled.status_code == 302
    assert admin(app).GetTask(sales_pb2.GetTaskRequest(id=late.id)).task.status == "cancelled"
    html = page_of(rep, "/console/tasks")
    assert "Task cancelled: Late." in html and ">Late<" not in html


def test_a_manager_picks_a_team_member_and_assigns_them_a_task(app, make_user):
    for user_id in ("m-1", "rep-1"):  # the sales roster: one team
        admin(app).UpsertMember(sales_pb2.UpsertMemberRequest(member=sales_pb2.Member(user_id=user_id, team="east")))
    opportunity_id = open_deal(app)
    make_user("rep-1", manager_id="m-1")  # the gateway's accounts: rep-1 names m-1 as manager
    manager = client_of(app, make_user, "m-1", ("manager",))
    # The team's opportunity: the task form offers the manager's people.
    html = page_of(manager, f"/console/opportunities/{opportunity_id}")
    assert '<option value="rep-1">rep-1</option>' in section(html, "tasks")
    assigned = manager.post(f"/console/opportunities/{opportunity_id}/tasks", data={
        "title": "Call the CFO", "due": "2030-02-01T09:00", "remind": "0", "priority": "normal", "assignee": "rep-1"})
    assert assigned.status_code == 302
    assert only_task(app, opportunity_id).assignee_id == "rep-1"
    shown = page_of(manager, f"/console/opportunities/{opportunity_id}")
    assert "Task added: Call the CFO, due 2030-02-01 09:00." in shown

    assert "Call the CFO" not in page_of(manager, "/console/tasks")  # the manager's own: none
    picked = page_of(manager, "/console/tasks?user=rep-1")
    assert "Call the CFO" in picked and '<option value="rep-1" selected>' in picked
    assert "Call the CFO" in page_of(manager, "/console/tasks?user=all")
    assert "Call the CFO" in page_of(manager, "/console/calendar?week=2030-02-01&user=rep-1")


# --- who sees what ------------------------------------------------------------------------------------------------


def test_another_rep_gets_404_on_a_reps_contact_and_task_and_changes_nothing(app, make_user):
    opportunity_id = open_deal(app)
    sales = As(app, "rep-1", "sales")
    account_id = sales.GetOpportunity(sales_pb2.GetOpportunityRequest(id=opportunity_id)).opportunity.account_id
    contact_id = sales.CreateContact(sales_pb2.CreateContactRequest(account_id=account_id, name="王芳")).contact.id
    task_id = sales.CreateTask(sales_pb2.CreateTaskRequest(
        title="Follow up", opportunity_id=opportunity_id, due_time=_stamp(datetime(2030, 1, 1, tzinfo=UTC)))).task.id
    other = client_of(app, make_user, "rep-2")
    for path in (f"/console/contacts/{contact_id}", f"/console/tasks/{task_id}",
                 f"/console/opportunities/{opportunity_id}"):
        answer = other.get(path)
        assert answer.status_code == 404, path
        assert "cannot be shown" in answer.get_data(as_text=True) and "王芳" not in answer.get_data(as_text=True)
    assert other.post(f"/console/tasks/{task_id}/complete").status_code == 302
    assert other.post(f"/console/contacts/{contact_id}", data={"name": "X"}).status_code == 302
    assert other.post(f"/console/opportunities/{opportunity_id}/activities",
                      data={"kind": "note", "subject": "sneaky"}).status_code == 302
    assert "not found" in page_of(other, "/console/tasks")  # the refusals were flashed
    assert admin(app).GetTask(sales_pb2.GetTaskRequest(id=task_id)).task.status == "open"
    assert admin(app).GetContact(sales_pb2.GetContactRequest(id=contact_id)).contact.name == "王芳"
    assert not admin(app).ListActivities(sales_pb2.ListActivitiesRequest(opportunity_id=opportunity_id)).activities
    assert "Follow up" not in page_of(other, "/console/tasks?user=all")


def test_an_auditor_reads_the_work_but_gets_no_form(app, make_user):
    opportunity_id = open_deal(app)
    sales = As(app, "rep-1", "sales")
    account_id = sales.GetOpportunity(sales_pb2.GetOpportunityRequest(id=opportunity_id)).opportunity.account_id
    sales.CreateContact(sales_pb2.CreateContactRequest(account_id=account_id, name="王芳"))
    sales.CreateTask(sales_pb2.CreateTaskRequest(title="Follow up", opportunity_id=opportunity_id,
                                                 due_time=_stamp(datetime(2030, 1, 1, tzinfo=UTC))))
    sales.LogActivity(sales_pb2.LogActivityRequest(kind="note", opportunity_id=opportunity_id, subject="Met at fair"))
    auditor = client_of(app, make_user, "aud-1", ("auditor",))
    html = page_of(auditor, f"/console/opportunities/{opportunity_id}")
    assert "王芳" in html and "Follow up" in html and "Met at fair" in html
    for action in ("/contacts", "/activities", "/tasks", "/complete", "/cancel"):
        assert f'{action}"' not in html, action
    task_id = only_task(app, opportunity_id).id
    assert 'method="post"' not in page_of(auditor, f"/console/tasks/{task_id}").split("</header>", 1)[1]
    nav = re.search(r'<nav class="mainnav".*?</nav>', html, re.S).group(0)
    assert "My tasks" not in nav

    rep_nav = re.search(r'<nav class="mainnav".*?</nav>', page_of(client_of(app, make_user, "rep-1"), "/console/tasks"),
                        re.S).group(0)
    assert 'href="/console/tasks"' in rep_nav and 'href="/console/calendar"' in rep_nav


def test_every_form_carries_the_csrf_token_and_a_post_without_it_is_refused(services_gateway, make_user):
    app = services_gateway
    opportunity_id = open_deal(app)
    rep = client_of(app, make_user, "rep-1")
    html = page_of(rep, f"/console/opportunities/{opportunity_id}")
    forms = re.findall(r'<form method="post".*?</form>', html, re.S)
    assert len(forms) >= 5 and all('name="csrf_token"' in form for form in forms)
    data = {"kind": "note", "subject": "first"}
    assert rep.post(f"/console/opportunities/{opportunity_id}/activities", data=data).status_code == 400
    assert rep.post(f"/console/opportunities/{opportunity_id}/activities",
                    data={**data, "csrf_token": csrf_of(html)}).status_code == 302


def test_the_pages_need_a_login(app):
    stranger = app.test_client()
    for path in ("/console/tasks", "/console/calendar", "/console/calendar.ics", "/console/tasks/x",
                 "/console/contacts/x"):
        answer = stranger.get(path)
        assert answer.status_code == 302 and answer.headers["Location"].startswith("/login"), path


# --- Chinese ------------------------------------------------------------------------------------------------------


def test_the_work_pages_speak_chinese(app, make_user):
    opportunity_id = open_deal(app)
    rep = client_of(app, make_user, "rep-1")
    rep.set_cookie("crm_lang", "zh_CN")
    html = page_of(rep, f"/console/opportunities/{opportunity_id}")
    for label in ("<h2>联系人", "<h2>任务", "<h2>活动", "添加联系人", "新建任务", "仅限会议"):
        assert label in html, label
    refused = rep.post(f"/console/opportunities/{opportunity_id}/tasks", data={"title": "", "due": ""})
    assert refused.status_code == 400 and "为必填项" in refused.get_data(as_text=True)  # the service's message
    assert "<h1>我的任务</h1>" in page_of(rep, "/console/tasks")
    week = page_of(rep, "/console/calendar?week=2030-01-08")
    assert "我的一周" in week and "周二" in week and "上一周" in week and ".ics" in week
