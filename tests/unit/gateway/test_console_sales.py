"""Console pages for sales: the pipeline board and its moves, opportunity and quote pages, approvals.

Data is made through the sales service's own API (tokens of the same tenant and people as the gateway's users);
the pages are read and driven through the gateway, as the logged-in person.
"""

from __future__ import annotations

import re

import pytest

from crm.common.v1 import common_pb2
from crm.sales.v1 import sales_pb2, sales_pb2_grpc
from tests.unit.gateway.conftest import TENANT, csrf_of, logged_in

JSON = {"Accept": "application/json"}


class As:
    """The sales service called directly as one person of the gateway's tenant."""

    def __init__(self, app, subject: str, *roles: str):
        service = app.extensions["crm.services"]["sales"]
        self._stub = sales_pb2_grpc.SalesServiceStub(service.channel)
        self._metadata = service.metadata(*roles, tenant=TENANT, subject=subject)

    def __getattr__(self, name: str):
        method = getattr(self._stub, name)
        return lambda request: method(request, metadata=self._metadata, timeout=10)


@pytest.fixture
def app(services_gateway):
    services_gateway.config["WTF_CSRF_ENABLED"] = False
    return services_gateway


def client_of(app, make_user, employee_id: str, roles=("sales",)):  # noqa: ANN001, ANN201
    client = app.test_client()
    logged_in(app, client, make_user(employee_id, roles))
    return client


def open_deal(app, rep: str = "rep-1", name: str = "Rollout Alpha", amount: str = "120000.00",
              stage: str = "") -> str:
    sales = As(app, rep, "sales")
    account = sales.CreateAccount(sales_pb2.CreateAccountRequest(name="杭州云栖科技")).account
    opportunity = sales.CreateOpportunity(sales_pb2.CreateOpportunityRequest(
        name=name, account_id=account.id, amount=common_pb2.Money(amount=amount, currency="CNY"),
        close_date=common_pb2.Date(year=2030, month=6, day=30))).opportunity
    if stage:
        sales.MoveOpportunity(sales_pb2.MoveOpportunityRequest(id=opportunity.id, stage=stage))
    return opportunity.id


def column(html: str, stage: str) -> str:
    found = re.search(rf'<section class="column stage-{stage}".*?</section>', html, re.S)
    assert found, f"no column {stage}"
    return found.group(0)


def stage_of(app, opportunity_id: str) -> sales_pb2.Opportunity:
    return As(app, "admin", "admin").GetOpportunity(sales_pb2.GetOpportunityRequest(id=opportunity_id)).opportunity


# --- the board ----------------------------------------------------------------------------------------------------


def test_the_board_shows_a_reps_opportunity_in_its_stage_and_hides_it_from_another_rep(app, make_user):
    opportunity_id = open_deal(app, stage="03")
    rep = client_of(app, make_user, "rep-1")
    page = rep.get("/console/pipeline")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    tile = column(html, "03")
    assert "Rollout Alpha" in tile and f'data-id="{opportunity_id}"' in tile
    assert "¥120,000.00" in tile and "rep-1" in tile
    assert "Rollout Alpha" not in column(html, "02")
    assert 'src="/static/pipeline.js"' in html and 'name="csrf_token"' in html
    assert "Pipeline" in html and "Approvals" in html  # the menu entries

    other = client_of(app, make_user, "rep-2").get("/console/pipeline")
    assert other.status_code == 200
    assert "Rollout Alpha" not in other.get_data(as_text=True)

    stranger = app.test_client()  # no session: the login page, for the board and for moves
    assert stranger.get("/console/pipeline").headers["Location"].startswith("/login")
    assert stranger.post("/console/pipeline/move", data={"id": opportunity_id, "stage": "04"}).status_code == 302
    assert stage_of(app, opportunity_id).stage == "03"


def test_moving_through_the_endpoint_changes_the_stage_and_an_illegal_move_shows_the_error(app, make_user):
    opportunity_id = open_deal(app)
    rep = client_of(app, make_user, "rep-1")

    moved = rep.post("/console/pipeline/move", data={"id": opportunity_id, "stage": "04"}, headers=JSON)
    assert moved.status_code == 200
    assert moved.get_json()["ok"] is True and moved.get_json()["stage"] == "04"
    found = stage_of(app, opportunity_id)
    assert found.stage == "04" and found.history[-1].actor == "rep-1"

    # Lost needs a reason: the service refuses, the drag-and-drop script shows its message.
    refused = rep.post("/console/pipeline/move", data={"id": opportunity_id, "stage": "lost"}, headers=JSON)
    assert refused.status_code == 400
    assert refused.get_json()["ok"] is False and "lost_reason" in refused.get_json()["error"]
    assert stage_of(app, opportunity_id).stage == "04"

    # Another rep cannot move it (nor learn it exists).
    stranger = client_of(app, make_user, "rep-2")
    hidden = stranger.post("/console/pipeline/move", data={"id": opportunity_id, "stage": "03"}, headers=JSON)
    assert hidden.status_code == 404 and hidden.get_json()["ok"] is False

    # Without JavaScript: the tile's form posts and comes back to the board with a message.
    won = rep.post("/console/pipeline/move", data={"id": opportunity_id, "stage": "05", "next": "/console/pipeline"})
    assert won.status_code == 302 and won.headers["Location"] == "/console/pipeline"
    board = rep.get("/console/pipeline").get_data(as_text=True)
    assert "Rollout Alpha moved to Won" in board
    assert "Rollout Alpha" in column(board, "05") and 'draggable="true"' not in column(board, "05")

    # Won is final: the form's move is refused and the message says why.
    again = rep.post("/console/pipeline/move", data={"id": opportunity_id, "stage": "03"}, follow_redirects=True)
    assert "is closed" in again.get_data(as_text=True)
    assert 'class="flash error"' in again.get_data(as_text=True)
    assert stage_of(app, opportunity_id).stage == "05"

    # A move to lost carries the reason (and note) the board's dialog asked for.
    other_id = open_deal(app, name="Rollout Beta")
    lost = rep.post("/console/pipeline/move", headers=JSON, data={
        "id": other_id, "stage": "lost", "lost_reason": "competitor", "note": "cheaper offer"})
    assert lost.status_code == 200 and lost.get_json()["stage"] == "lost"
    assert lost.get_json()["meta"].endswith(" · Competitor")  # what the closed tile shows now
    found = stage_of(app, other_id)
    assert (found.stage, found.lost_reason, found.lost_note) == ("lost", "competitor", "cheaper offer")


def test_the_move_endpoint_refuses_a_post_without_the_csrf_token(services_gateway, make_user):
    app = services_gateway
    assert app.config.get("WTF_CSRF_ENABLED", True)
    opportunity_id = open_deal(app)
    rep = client_of(app, make_user, "rep-1")
    refused = rep.post("/console/pipeline/move", data={"id": opportunity_id, "stage": "03"}, headers=JSON)
    assert refused.status_code == 400
    assert stage_of(app, opportunity_id).stage == "02"
    token = csrf_of(rep.get("/console/pipeline").get_data(as_text=True))
    accepted = rep.post("/console/pipeline/move", data={"id": opportunity_id, "stage": "03"},
                        headers={**JSON, "X-CSRFToken": token})
    assert accepted.status_code == 200 and stage_of(app, opportunity_id).stage == "03"


def test_the_board_speaks_chinese(app, make_user):
    open_deal(app, stage="04")
    rep = client_of(app, make_user, "rep-1")
    rep.set_cookie("crm_lang", "zh_CN")
    html = rep.get("/console/pipeline").get_data(as_text=True)
    assert "<h1>销售管道</h1>" in html
    for heading in ("初步接触", "确认意向", "商务谈判", "赢单", "已丢失"):
        assert f">{heading}</h2>" in html
    assert "为什么丢单？" in html  # the lost-reason dialog


# --- opportunity and quotes ---------------------------------------------------------------------------------------


def catalogue(app) -> tuple[str, str, str]:
    manager = As(app, "m-1", "manager")
    basic = manager.CreateProduct(sales_pb2.CreateProductRequest(sku="BASIC", name="基础版", tax_rate="0.13")).product
    addon = manager.CreateProduct(sales_pb2.CreateProductRequest(sku="ANALYTICS", name="Analytics add-on",
                                                                 tax_rate="0.06")).product
    price_list = manager.CreatePriceList(sales_pb2.CreatePriceListRequest(name="2026 CNY", currency="CNY", items=[
        sales_pb2.PriceListItem(product_id=basic.id, unit_price=common_pb2.Money(amount="9999.99", currency="CNY")),
        sales_pb2.PriceListItem(product_id=addon.id, unit_price=common_pb2.Money(amount="2000", currency="CNY")),
    ])).price_list_id
    return basic.id, addon.id, price_list


def test_the_opportunity_page_shows_facts_and_stage_history(app, make_user):
    opportunity_id = open_deal(app, stage="03")
    rep = client_of(app, make_user, "rep-1")
    page = rep.get(f"/console/opportunities/{opportunity_id}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Rollout Alpha" in html and "¥120,000.00" in html and "杭州云栖科技" in html
    history = re.search(r"<h2>Stage history</h2>.*?</table>", html, re.S).group(0)
    assert "First contact → <strong>Intent confirmed</strong>" in history
    assert history.count("<td>rep-1</td>") == 2  # opened and moved by the rep
    assert "2030-06-30" in html  # expected close
    assert f"/console/opportunities/{opportunity_id}/quotes/new" in html

    missing = client_of(app, make_user, "rep-2").get(f"/console/opportunities/{opportunity_id}")
    assert missing.status_code == 404
    assert "cannot be shown" in missing.get_data(as_text=True) and "Traceback" not in missing.get_data(as_text=True)


def test_a_quote_is_created_priced_exactly_and_downloaded_as_pdf(app, make_user):
    basic, addon, price_list = catalogue(app)
    opportunity_id = open_deal(app)
    rep = client_of(app, make_user, "rep-1")
    form = rep.get(f"/console/opportunities/{opportunity_id}/quotes/new")
    assert form.status_code == 200
    assert "基础版" in form.get_data(as_text=True) and "Analytics add-on" in form.get_data(as_text=True)

    # A bad line comes back next to its product, with the values kept.
    bad = rep.post(f"/console/opportunities/{opportunity_id}/quotes/new", data={
        "price_list_id": price_list, f"qty-{basic}": "3", f"discount-{basic}": "101"})
    assert bad.status_code == 400
    html = bad.get_data(as_text=True)
    assert f'name="discount-{basic}" value="101"' in html and 'aria-invalid="true"' in html

    created = rep.post(f"/console/opportunities/{opportunity_id}/quotes/new", data={
        "price_list_id": price_list, f"qty-{basic}": "3", f"discount-{basic}": "15", f"qty-{addon}": "2.5"})
    assert created.status_code == 302
    quote_url = created.headers["Location"]
    html = rep.get(quote_url).get_data(as_text=True)
    # 3 x 9999.99 - 15% = 25499.97 + 13% VAT 3315.00; 2.5 x 2000 = 5000.00 + 6% VAT 300.00 (the service's sums).
    for text in ("¥29,999.97", "¥25,499.97", "¥3,315.00", "¥34,999.97", "¥4,500.00", "¥30,499.97", "¥3,615.00",
                 "¥34,114.97"):
        assert text in html, text
    assert "Quote created." in html
    pdf = rep.get(f"{quote_url}/pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf" and pdf.data.startswith(b"%PDF")
    assert "attachment" in pdf.headers["Content-Disposition"]
    # The price list is remembered for the next quote.
    again = rep.get(f"/console/opportunities/{opportunity_id}/quotes/new").get_data(as_text=True)
    assert f'value="{price_list}"' in again

    hidden = client_of(app, make_user, "rep-2").get(quote_url)
    assert hidden.status_code == 404


# --- approvals ----------------------------------------------------------------------------------------------------


def pending_contract(app) -> str:
    admin = As(app, "admin", "admin")
    for user_id, team, duties in (("rep-1", "east", []), ("m-1", "east", []), ("fin-1", "", ["finance"]),
                                  ("law-1", "", ["legal"])):
        admin.UpsertMember(sales_pb2.UpsertMemberRequest(member=sales_pb2.Member(user_id=user_id, team=team,
                                                                                 duties=duties)))
    basic, _, price_list = catalogue(app)
    opportunity_id = open_deal(app)
    rep, manager = As(app, "rep-1", "sales"), As(app, "m-1", "manager")
    quote = rep.CreateQuote(sales_pb2.CreateQuoteRequest(opportunity_id=opportunity_id, price_list_id=price_list,
                                                         lines=[sales_pb2.QuoteLineInput(product_id=basic,
                                                                                         quantity="1")])).quote
    template = manager.CreateContractTemplate(sales_pb2.CreateContractTemplateRequest(
        name="标准合同", body="甲方 {account} 支付 {total} {currency}。")).template
    contract = rep.CreateContract(sales_pb2.CreateContractRequest(quote_id=quote.id, template_id=template.id,
                                                                  special_terms="15 天内完成部署")).contract
    rep.SubmitContract(sales_pb2.SubmitContractRequest(id=contract.id))
    return contract.id


def test_approvals_list_what_waits_for_the_approver_and_deciding_works(app, make_user):
    contract_id = pending_contract(app)
    manager = client_of(app, make_user, "m-1", ("manager",))
    page = manager.get("/console/approvals")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert f"/console/contracts/{contract_id}" in html and "¥11,299.99" in html and "15 天内完成部署" in html
    assert "Rollout Alpha" in html  # the contract's opportunity by name
    assert "Nothing waits" in client_of(app, make_user, "rep-1").get("/console/approvals").get_data(as_text=True)

    decided = manager.post(f"/console/contracts/{contract_id}/decision", data={"decision": "approve"},
                           follow_redirects=True)
    assert "approved." in decided.get_data(as_text=True)
    assert "Nothing waits" in decided.get_data(as_text=True)

    finance = client_of(app, make_user, "fin-1", ("sales",))
    assert f"/console/contracts/{contract_id}" in finance.get("/console/approvals").get_data(as_text=True)
    no_reason = finance.post(f"/console/contracts/{contract_id}/decision", data={"decision": "reject"},
                             follow_redirects=True)
    assert 'class="flash error"' in no_reason.get_data(as_text=True)
    rejected = finance.post(f"/console/contracts/{contract_id}/decision",
                            data={"decision": "reject", "reason": "payment terms too long"}, follow_redirects=True)
    assert "rejected." in rejected.get_data(as_text=True)

    contract = As(app, "admin", "admin").GetContract(sales_pb2.GetContractRequest(id=contract_id)).contract
    assert contract.status == "rejected"
    assert [(step.duty, step.state) for step in contract.steps][:2] == [("manager", "approved"),
                                                                         ("finance", "rejected")]
    # The contract page shows the chain with each step's state, who decided and the expected time.
    html = manager.get(f"/console/contracts/{contract_id}").get_data(as_text=True)
    steps = re.search(r'<table class="list compact steps">.*?</table>', html, re.S).group(0)
    assert "m-1" in steps and "payment terms too long" in steps and "1 working days" in steps
    assert steps.count(">Approved</span>") == 1 and steps.count(">Rejected</span>") == 1


def test_the_contract_page_offers_the_decision_to_the_current_approver_only(app, make_user):
    contract_id = pending_contract(app)
    manager = client_of(app, make_user, "m-1", ("manager",))
    html = manager.get(f"/console/contracts/{contract_id}").get_data(as_text=True)
    assert f'action="/console/contracts/{contract_id}/decision"' in html and "current" in html
    owner = client_of(app, make_user, "rep-1").get(f"/console/contracts/{contract_id}").get_data(as_text=True)
    assert "/decision" not in owner and "Waiting for approval" in owner
    stranger = client_of(app, make_user, "rep-2").get(f"/console/contracts/{contract_id}")
    assert stranger.status_code == 404
