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
    assert len(re.findall(r"<td[^>]*>rep-1</td>", history)) == 2  # opened and moved by the rep
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


# --- the list RPCs in the console: an opportunity's quotes, price lists, contracts from quotes ----------------------


def quote_for(app, opportunity_id: str, price_list: str, *lines: tuple[str, str], rep: str = "rep-1"):
    return As(app, rep, "sales").CreateQuote(sales_pb2.CreateQuoteRequest(
        opportunity_id=opportunity_id, price_list_id=price_list,
        lines=[sales_pb2.QuoteLineInput(product_id=product, quantity=quantity) for product, quantity in lines])).quote


def quote_rows(html: str) -> list[str]:
    """The quote ids linked from the opportunity page's quote list, in order."""
    table = re.search(r'<table class="list compact quote-list">.*?</table>', html, re.S)
    return re.findall(r'href="/console/quotes/([^"]+)"', table.group(0)) if table else []


def test_the_opportunity_page_lists_its_quotes_newest_first_page_by_page(app, make_user, monkeypatch):
    from services.gateway.console import sales as console_sales

    basic, addon, price_list = catalogue(app)
    opportunity_id = open_deal(app)
    rep = client_of(app, make_user, "rep-1")
    empty = rep.get(f"/console/opportunities/{opportunity_id}").get_data(as_text=True)
    assert "No quote yet." in empty and quote_rows(empty) == []

    made = [quote_for(app, opportunity_id, price_list, (basic, "1")),
            quote_for(app, opportunity_id, price_list, (basic, "3"), (addon, "2.5")),
            quote_for(app, opportunity_id, price_list, (addon, "1"))]
    html = rep.get(f"/console/opportunities/{opportunity_id}").get_data(as_text=True)
    assert quote_rows(html) == [made[2].id, made[1].id, made[0].id]
    row = re.search(rf'<tr>\s*<td><a href="/console/quotes/{made[1].id}".*?</tr>', html, re.S).group(0)
    # 3 x 9999.99 + 2.5 x 2000 = 34999.97 net; VAT 3900.00 + 300.00: total 39199.97.
    assert '<td class="num">2</td>' in row and "¥34,999.97" in row and "¥39,199.97" in row  # lines, net, total
    assert "No quote yet." not in html

    monkeypatch.setattr(console_sales, "QUOTES_PAGE_SIZE", 2)
    first = rep.get(f"/console/opportunities/{opportunity_id}").get_data(as_text=True)
    assert quote_rows(first) == [made[2].id, made[1].id]
    older = re.search(r'href="([^"]+)">Older quotes', first).group(1).replace("&amp;", "&")
    second = rep.get(older).get_data(as_text=True)
    assert quote_rows(second) == [made[0].id] and "Older quotes" not in second
    assert f'href="/console/opportunities/{opportunity_id}">← Newest quotes' in second

    # Another rep sees neither the opportunity nor its quotes; an auditor reads both (the service's rules, tested
    # with managers and territories in tests/unit/services/test_sales_lists.py).
    hidden = client_of(app, make_user, "rep-2").get(f"/console/opportunities/{opportunity_id}")
    assert hidden.status_code == 404 and made[0].id not in hidden.get_data(as_text=True)
    auditor = client_of(app, make_user, "aud-1", ("auditor",)).get(f"/console/opportunities/{opportunity_id}")
    assert auditor.status_code == 200 and len(quote_rows(auditor.get_data(as_text=True))) == 2


def test_the_quote_form_chooses_the_price_list_from_the_tenants_lists(app, make_user):
    rep = client_of(app, make_user, "rep-1")
    opportunity_id = open_deal(app)
    # No price list yet: the form says who makes one and offers no button.
    bare = rep.get(f"/console/opportunities/{opportunity_id}/quotes/new").get_data(as_text=True)
    assert "There is no price list yet" in bare and "Create the quote" not in bare

    basic, _, cny = catalogue(app)
    usd = As(app, "m-1", "manager").CreatePriceList(sales_pb2.CreatePriceListRequest(
        name="2026 USD", currency="USD", items=[sales_pb2.PriceListItem(
            product_id=basic, unit_price=common_pb2.Money(amount="1500", currency="USD"))])).price_list_id
    html = rep.get(f"/console/opportunities/{opportunity_id}/quotes/new").get_data(as_text=True)
    select = re.search(r'<select id="price_list_id" name="price_list_id".*?</select>', html, re.S).group(0)
    options = re.findall(r'<option value="([^"]+)"( selected)?>([^<]+)</option>', select)
    assert options == [(cny, " selected", "2026 CNY · CNY"), (usd, "", "2026 USD · USD")]  # the first by default
    assert 'placeholder="price list id"' not in html

    created = rep.post(f"/console/opportunities/{opportunity_id}/quotes/new",
                       data={"price_list_id": usd, f"qty-{basic}": "2"})
    assert created.status_code == 302
    quote_page = rep.get(created.headers["Location"]).get_data(as_text=True)
    assert "$3,000.00" in quote_page
    assert "There is no contract template yet" in quote_page  # the contract form says who makes one
    again = rep.get(f"/console/opportunities/{opportunity_id}/quotes/new").get_data(as_text=True)
    assert f'<option value="{usd}" selected>' in again and f'<option value="{cny}">' in again  # remembered

    # A price list that is not the tenant's (a forged form) is refused by the service, the form kept.
    forged = rep.post(f"/console/opportunities/{opportunity_id}/quotes/new",
                      data={"price_list_id": "not-a-list", f"qty-{basic}": "2"})
    assert forged.status_code == 404 and "not-a-list" in forged.get_data(as_text=True)
    assert f'name="qty-{basic}" value="2"' in forged.get_data(as_text=True)


def drafting_setup(app) -> tuple[str, str, str]:
    """Roster, catalogue, two templates and a quote of rep-1: (quote id, template id, other template id)."""
    admin = As(app, "admin", "admin")
    for user_id, team, duties in (("rep-1", "east", []), ("rep-2", "east", []), ("m-1", "east", []),
                                  ("fin-1", "", ["finance"]), ("law-1", "", ["legal"])):
        admin.UpsertMember(sales_pb2.UpsertMemberRequest(member=sales_pb2.Member(user_id=user_id, team=team,
                                                                                 duties=duties)))
    basic, _, price_list = catalogue(app)
    manager = As(app, "m-1", "manager")
    standard = manager.CreateContractTemplate(sales_pb2.CreateContractTemplateRequest(
        name="标准合同", body="甲方 {account} 支付 {total} {currency}。特别约定：{special_terms}")).template
    framework = manager.CreateContractTemplate(sales_pb2.CreateContractTemplateRequest(
        name="Framework agreement", body="{account}: {total} {currency}")).template
    quote = quote_for(app, open_deal(app), price_list, (basic, "1"))
    return quote.id, standard.id, framework.id


def test_a_contract_is_drafted_from_the_quote_submitted_approved_and_signed(app, make_user):
    quote_id, standard, framework = drafting_setup(app)
    rep = client_of(app, make_user, "rep-1")
    page = rep.get(f"/console/quotes/{quote_id}").get_data(as_text=True)
    form = re.search(r'<section class="card contract-new".*?</section>', page, re.S).group(0)
    assert f'action="/console/quotes/{quote_id}/contracts"' in form
    assert re.findall(r'<option value="([^"]+)"', form) == [framework, standard]  # by name

    too_long = rep.post(f"/console/quotes/{quote_id}/contracts",
                        data={"template_id": standard, "special_terms": "x" * 2001})
    assert too_long.status_code == 400 and "at most 2000 characters" in too_long.get_data(as_text=True)
    no_template = rep.post(f"/console/quotes/{quote_id}/contracts",
                           data={"template_id": "no-such-template", "special_terms": "15 天内完成部署"})
    assert no_template.status_code == 404 and "contract template" in no_template.get_data(as_text=True)
    assert "15 天内完成部署</textarea>" in no_template.get_data(as_text=True)  # what was typed is kept

    drafted = rep.post(f"/console/quotes/{quote_id}/contracts",
                       data={"template_id": standard, "special_terms": "15 天内完成部署"})
    assert drafted.status_code == 302
    contract_url = drafted.headers["Location"]
    contract_id = contract_url.rsplit("/", 1)[1]
    html = rep.get(contract_url).get_data(as_text=True)
    assert "Contract drafted." in html and ">Draft</span>" in html
    assert "甲方 杭州云栖科技 支付 11299.99 CNY。特别约定：15 天内完成部署" in html
    assert f'action="/console/contracts/{contract_id}/submit"' in html and "/sign" not in html
    assert f'href="/console/quotes/{quote_id}">← Quote' in html  # the owner came from the quote

    submitted = rep.post(f"/console/contracts/{contract_id}/submit", follow_redirects=True)
    html = submitted.get_data(as_text=True)
    assert "Contract submitted for approval." in html and "Waiting for approval" in html
    assert "/submit" not in html and "/sign" not in html
    for approver, roles in (("m-1", ("manager",)), ("fin-1", ("sales",)), ("law-1", ("sales",))):
        decided = client_of(app, make_user, approver, roles).post(
            f"/console/contracts/{contract_id}/decision", data={"decision": "approve"}, follow_redirects=True)
        assert "approved." in decided.get_data(as_text=True)

    html = rep.get(contract_url).get_data(as_text=True)
    assert f'action="/console/contracts/{contract_id}/sign"' in html and "/submit" not in html
    signed = rep.post(f"/console/contracts/{contract_id}/sign", follow_redirects=True).get_data(as_text=True)
    assert "Contract signed." in signed and "/sign" not in signed and "rep-1 · " in signed
    found = As(app, "admin", "admin").GetContract(sales_pb2.GetContractRequest(id=contract_id)).contract
    assert (found.status, found.signed_by, found.special_terms) == ("signed", "rep-1", "15 天内完成部署")


def test_a_rejected_contract_is_resubmitted_with_new_special_terms(app, make_user):
    quote_id, standard, _ = drafting_setup(app)
    contract_id = As(app, "rep-1", "sales").CreateContract(sales_pb2.CreateContractRequest(
        quote_id=quote_id, template_id=standard, special_terms="30 天付款")).contract.id
    rep = client_of(app, make_user, "rep-1")
    rep.post(f"/console/contracts/{contract_id}/submit")
    As(app, "m-1", "manager").DecideApproval(sales_pb2.DecideApprovalRequest(
        contract_id=contract_id, approve=False, reason="付款期太长"))
    html = rep.get(f"/console/contracts/{contract_id}").get_data(as_text=True)
    assert "Resubmit for approval" in html and "30 天付款</textarea>" in html and "付款期太长" in html
    again = rep.post(f"/console/contracts/{contract_id}/submit", data={"special_terms": "15 天付款"},
                     follow_redirects=True)
    assert "Contract submitted for approval." in again.get_data(as_text=True)
    found = As(app, "admin", "admin").GetContract(sales_pb2.GetContractRequest(id=contract_id)).contract
    assert (found.status, found.round, found.special_terms) == ("pending", 2, "15 天付款")


def test_drafting_submitting_and_signing_follow_the_services_permissions(app, make_user):
    quote_id, standard, _ = drafting_setup(app)
    # The team's manager may draft (the form shows); an auditor reads the quote but gets no form.
    manager = client_of(app, make_user, "m-1", ("manager",))
    assert 'class="card contract-new"' in manager.get(f"/console/quotes/{quote_id}").get_data(as_text=True)
    auditor = client_of(app, make_user, "aud-1", ("auditor",))
    page = auditor.get(f"/console/quotes/{quote_id}")
    assert page.status_code == 200 and "contract-new" not in page.get_data(as_text=True)
    # A forged post is refused by the service all the same, and nothing is drafted.
    refused = auditor.post(f"/console/quotes/{quote_id}/contracts", data={"template_id": standard})
    assert refused.status_code == 403 and "not draft its contract" in refused.get_data(as_text=True)
    stranger = client_of(app, make_user, "rep-2")  # same team, not the owner: cannot even see the quote
    hidden = stranger.post(f"/console/quotes/{quote_id}/contracts", data={"template_id": standard})
    assert hidden.status_code == 404 and "cannot be shown" in hidden.get_data(as_text=True)

    contract_id = As(app, "rep-1", "sales").CreateContract(sales_pb2.CreateContractRequest(
        quote_id=quote_id, template_id=standard)).contract.id
    html = auditor.get(f"/console/contracts/{contract_id}").get_data(as_text=True)
    assert ">Draft</span>" in html and "/submit" not in html
    forged = auditor.post(f"/console/contracts/{contract_id}/submit", follow_redirects=True)
    assert 'class="flash error"' in forged.get_data(as_text=True)
    assert As(app, "admin", "admin").GetContract(sales_pb2.GetContractRequest(id=contract_id)).contract.status \
        == "draft"
    # Signing a contract that is not approved yet is refused with the service's reason.
    early = client_of(app, make_user, "rep-1").post(f"/console/contracts/{contract_id}/sign", follow_redirects=True)
    assert "it is signed only once every approval is given" in early.get_data(as_text=True)


def test_the_contract_form_and_actions_speak_chinese(app, make_user):
    quote_id, standard, _ = drafting_setup(app)
    rep = client_of(app, make_user, "rep-1")
    rep.set_cookie("crm_lang", "zh_CN")
    html = rep.get(f"/console/quotes/{quote_id}").get_data(as_text=True)
    assert "<h2>创建合同</h2>" in html and "合同模板" in html and "特别约定（可选）" in html
    drafted = rep.post(f"/console/quotes/{quote_id}/contracts", data={"template_id": standard},
                       follow_redirects=True).get_data(as_text=True)
    assert "合同已起草。" in drafted and "提交审批" in drafted


def test_the_three_lists_through_the_rest_api(app):
    from tests.unit.gateway.conftest import api_key_headers

    basic, _, price_list = catalogue(app)
    opportunity_id = open_deal(app)
    made = [quote_for(app, opportunity_id, price_list, (basic, str(n + 1))) for n in range(3)]
    As(app, "m-1", "manager").CreateContractTemplate(sales_pb2.CreateContractTemplateRequest(
        name="标准合同", body="{account}"))
    client, rep = app.test_client(), api_key_headers(app, "rep-1")
    page = client.get(f"/api/v1/opportunities/{opportunity_id}/quotes?page_size=2", headers=rep)
    assert page.status_code == 200, page.get_json()
    assert [q["id"] for q in page.get_json()["quotes"]] == [made[2].id, made[1].id]
    assert page.get_json()["quotes"][0]["line_count"] == 1 and page.headers.get("Link")
    assert client.get("/api/v1/price-lists", headers=rep).get_json()["price_lists"][0]["id"] == price_list
    assert [t["name"] for t in client.get("/api/v1/contract-templates", headers=rep).get_json()["templates"]] == [
        "标准合同"]
    other = client.get(f"/api/v1/opportunities/{opportunity_id}/quotes", headers=api_key_headers(app, "rep-2"))
    assert other.status_code == 404
