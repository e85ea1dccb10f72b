"""The dashboard: the sales funnel and lead intake by channel as server-drawn SVG, for whoever may see them
(services/gateway/console/dashboard.py). Opportunities move through the sales service's API; the intake read
model is fed as the analytics service's consumer of lead.created feeds it (no bus runs in unit tests)."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from html import unescape

import pytest

from crm.common.v1 import common_pb2
from crm.sales.v1 import sales_pb2, sales_pb2_grpc
from services.analytics import intake
from services.core.i18n import t
from tests.unit.gateway.conftest import TENANT, logged_in


@pytest.fixture
def app(services_gateway):
    services_gateway.config["WTF_CSRF_ENABLED"] = False
    return services_gateway


@pytest.fixture
def pipeline(app):
    """Team east: four opportunities of rep-1 — one reached 04, one 03, one stayed in 02, one was lost on price;
    three leads arrived today (two by referral, one from the website)."""
    service = app.extensions["crm.services"]["sales"]
    stub = sales_pb2_grpc.SalesServiceStub(service.channel)
    admin = service.metadata("admin", tenant=TENANT, subject="admin")
    for user_id in ("boss", "rep-1"):
        stub.UpsertMember(sales_pb2.UpsertMemberRequest(member=sales_pb2.Member(user_id=user_id, team="east")),
                          metadata=admin)
    rep = service.metadata("sales", tenant=TENANT, subject="rep-1")
    account = stub.CreateAccount(sales_pb2.CreateAccountRequest(name="Blue Sea"), metadata=rep).account
    for number, path in enumerate((["03", "04"], ["03"], [], ["lost"])):
        opportunity = stub.CreateOpportunity(sales_pb2.CreateOpportunityRequest(
            name=f"Deal {number}", account_id=account.id,
            amount=common_pb2.Money(amount="1000.00", currency="CNY")), metadata=rep).opportunity
        for stage in path:
            stub.MoveOpportunity(sales_pb2.MoveOpportunityRequest(
                id=opportunity.id, stage=stage, lost_reason="price" if stage == "lost" else ""), metadata=rep)
    with app.extensions["crm.services"]["analytics"].database.session(TENANT) as session:
        for channel in ("Referral", "Referral", "Website"):
            intake.count_lead(session, tenant=TENANT, day=datetime.now(UTC).date(), channel=channel)


def page_of(app, user, path: str = "/console/dashboard", locale: str | None = None):  # noqa: ANN001, ANN202
    client = app.test_client()
    logged_in(app, client, user)
    if locale:
        client.set_cookie("crm_lang", locale)
    answer = client.get(path)
    return answer.status_code, unescape(answer.get_data(as_text=True))


def stage_row(html: str, stage: str) -> list[str]:
    """The cells of a stage's row in the funnel table."""
    row = re.search(rf"<tr><td>{stage} [^<]*</td>(.*?)</tr>", html)
    assert row, f"no row for stage {stage}"
    return re.findall(r'<td class="num">([^<]*)</td>', row.group(1))


def test_a_manager_sees_the_team_funnel_and_the_channels_as_svg(app, make_user, pipeline):
    status, html = page_of(app, make_user("boss", ("manager",)))
    assert status == 200
    assert html.count("<svg") >= 3  # funnel, loss reasons, channels (and the daily columns)
    assert stage_row(html, "02") == ["4", "—", "—", "0.00"]  # three left it (moved on or lost)
    assert stage_row(html, "03") == ["2", "50.0%", "50.0%", "0.00"]
    assert stage_row(html, "04") == ["1", "50.0%", "25.0%", "—"]
    assert stage_row(html, "05") == ["0", "0.0%", "0.0%", "—"]
    funnel = re.search(r'<svg class="bars funnel".*?</svg>', html, re.S).group(0)
    assert [int(n) for n in re.findall(r'class="value[^"]*"[^>]*>(\d+)<', funnel)] == [4, 2, 1, 0]
    assert "Lost: 1" in html and ">Price<" in html
    channels = re.search(r'<svg class="bars channels".*?</svg>', html, re.S).group(0)
    assert re.findall(r'class="label">([^<]+)<', channels) == ["Referral", "Website"]
    assert "2 · 67%" in channels and "1 · 33%" in channels
    assert "3 leads in the period" in html


def test_the_period_selector(app, make_user, pipeline):
    manager = make_user("boss", ("manager",))
    status, html = page_of(app, manager, "/console/dashboard?period=custom&start=2020-01-01&end=2020-01-31")
    assert status == 200 and "From 2020-01-01 to 2020-01-31" in html
    assert stage_row(html, "02")[0] == "0" and "No leads arrived in this period." in html
    assert '<option value="custom" selected>' in html
    status, html = page_of(app, manager, "/console/dashboard?period=7")
    assert '<option value="7" selected>' in html and stage_row(html, "02")[0] == "4"
    status, html = page_of(app, manager, "/console/dashboard?period=custom&start=2020-02-01&end=2020-01-01")
    assert status == 200 and '<option value="30" selected>' in html  # an impossible period falls back


def test_a_rep_sees_their_own_funnel_but_not_the_tenants_intake(app, make_user, pipeline):
    status, html = page_of(app, make_user("rep-1", ("sales",)))
    assert status == 200
    assert stage_row(html, "02")[0] == "4"
    assert "This chart is for managers, marketing and admins." in html and "Referral" not in html
    status, html = page_of(app, make_user("rep-2", ("sales",)))
    assert status == 200 and stage_row(html, "02")[0] == "0"


def test_people_outside_sales_get_a_friendly_403(app, make_user):
    status, html = page_of(app, make_user("agent-1", ("service_agent",)))
    assert status == 403 and "The dashboard is not part of your work" in html
    assert "Traceback" not in html


def test_the_dashboard_speaks_chinese(app, make_user, pipeline):
    status, html = page_of(app, make_user("boss", ("manager",)), locale="zh_CN")
    assert status == 200
    for text in ("Sales funnel", "Leads by channel", "First contact"):
        assert t(text).localized("zh_CN") in html and t(text).localized("zh_CN") != text
