"""Console pages: the pipeline board, opportunities, quotes, approvals and contracts (R-LC-2, R-LC-3, R-SALES-1..3).

Every page reaches the sales service as the logged-in person (common.backend): the service decides what they may
see and do (a rep: their own opportunities; a manager: the team's; an approver: the steps waiting for their duty),
and its refusals become page messages in the person's language. Pages that need several answers ask at once (gRPC
futures), so they cost one round trip of latency.

The opportunity page also shows the opportunity's contacts, activities and tasks, with their forms (console/work.py).

The board works without JavaScript (each tile has a small move form); static/pipeline.js adds drag and drop, which
posts to the same endpoint and asks for JSON.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation

import grpc
from flask import (
    Blueprint,
    Response,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    url_for,
)

from crm.common.v1 import common_pb2
from crm.sales.v1 import sales_pb2
from services.core.i18n import t
from services.gateway.app import add_nav
from services.gateway.console.common import backend, errors_by_field, flash_error, labels, say, when
from services.gateway.principal import current_principal, login_required
from services.gateway.problems import field_violations, http_status_of, message_of
from services.gateway.web_auth import safe_next

blueprint = Blueprint("sales", __name__, template_folder="../templates")

add_nav("sales.board", t("Pipeline"))
add_nav("sales.approvals", t("Approvals"))

# The service's stages (services/sales/opportunities.py): 02..05 (05 = won) and lost; won and lost are final.
STAGES = {"02": t("First contact"), "03": t("Intent confirmed"), "04": t("Negotiation"), "05": t("Won"),
          "lost": t("Lost")}
OPEN_STAGES = ("02", "03", "04")
CLOSED_STAGES = ("05", "lost")
LOST_REASONS = {"price": t("Price"), "competitor": t("Competitor"), "no_budget": t("No budget"),
                "no_decision": t("No decision"), "other": t("Other")}
STEP_STATES = {"pending": t("Pending"), "approved": t("Approved"), "rejected": t("Rejected")}
CONTRACT_STATUSES = {"draft": t("Draft"), "pending": t("Waiting for approval"), "approved": t("Approved"),
                     "rejected": t("Rejected"), "signed": t("Signed")}
DUTIES = {"manager": t("Manager"), "finance": t("Finance"), "legal": t("Legal")}
# Tiles per column: open stages are the work at hand; closed ones show the newest only.
OPEN_LIMIT = 100
CLOSED_LIMIT = 20
LIST_PAGE_SIZE = 50
MAX_CONTRACTS_LOOKED_UP = 100  # approvals page: contracts fetched for context, at once
QUOTES_PAGE_SIZE = 20  # an opportunity page's quotes, newest first
MAX_SPECIAL_TERMS = 2000  # the service's limit on a contract's special terms
PRICE_LIST_KEY = "crm_price_list"  # the last price list a person quoted from (their session)
SYMBOLS = {"CNY": "¥", "USD": "$", "EUR": "€", "GBP": "£"}


# --- formatting shared by the sales and customer pages ----------------------------------------------------------


def past(message, name: str) -> bool:  # noqa: ANN001
    return message.HasField(name) and getattr(message, name).ToDatetime(tzinfo=UTC) < datetime.now(UTC)


def amount_text(amount: str) -> str:
    """A decimal string with digit grouping, exactly as given: "1234567.5" -> "1,234,567.5" (never a float)."""
    if not amount:
        return ""
    try:
        return format(Decimal(amount), ",")
    except (InvalidOperation, ValueError):
        return amount


def money(value: common_pb2.Money | None) -> str:
    if value is None or not value.amount:
        return ""
    symbol = SYMBOLS.get(value.currency)
    number = amount_text(value.amount)
    return f"{symbol}{number}" if symbol else f"{value.currency} {number}".strip()


def day(value: common_pb2.Date) -> str:
    return f"{value.year:04d}-{value.month:02d}-{value.day:02d}" if value.year else ""


def duration(seconds: int) -> str:
    """Dwell as a person says it: "3 d 4 h", "5 h 10 min", "12 min", "< 1 min"."""
    seconds = max(0, int(seconds))
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes = rest // 60
    if days:
        return say(t("{days} d {hours} h", days=days, hours=hours))
    if hours:
        return say(t("{hours} h {minutes} min", hours=hours, minutes=minutes))
    if minutes:
        return say(t("{minutes} min", minutes=minutes))
    return say(t("< 1 min"))


def in_stage_for(opportunity: sales_pb2.Opportunity) -> str:
    if not opportunity.HasField("stage_enter_time"):
        return ""
    entered = opportunity.stage_enter_time.ToDatetime(tzinfo=UTC)
    return duration(int((datetime.now(UTC) - entered).total_seconds()))


def failure_text(error: grpc.RpcError) -> str:
    """One line for a failed call: its field violations, else its message (never a stack trace)."""
    violations = field_violations(error)
    if violations:
        return "; ".join(f"{v['field']}: {v['message']}" for v in violations)
    if http_status_of(error) >= 500:
        return say(t("The service is unavailable; try again later."))
    return message_of(error) or say(t("The request failed."))


def stage_label(stage: str) -> str:
    return say(STAGES[stage]) if stage in STAGES else stage


@blueprint.record_once
def _template_helpers(state) -> None:  # noqa: ANN001 - flask BlueprintSetupState
    """Formatting for the sales and customer templates, as Jinja globals so imported macros see them too (names
    prefixed so no other area's helper is shadowed)."""
    state.app.jinja_env.globals.update(sx_when=when, sx_past=past, sx_money=money, sx_day=day, sx_duration=duration,
                                       sx_stage=stage_label, sx_amount=amount_text)


def _page(token: str = "", size: int = LIST_PAGE_SIZE) -> common_pb2.PageRequest:
    return common_pb2.PageRequest(page_size=size, page_token=token)


def _wants_json() -> bool:
    return request.accept_mimetypes.best == "application/json"


def _back(default: str) -> str:
    target = request.form.get("next", "")
    return safe_next(target) if target else default


def may_change(owner_id: str) -> bool:
    """Whether the person may act on a record of `owner_id` (draft, submit or sign its contract), as the sales service
    decides it (services/sales/access.may_change) for a record they can see: admin; an auditor never; else its owner
    or a manager (a manager sees only their team's quotes and contracts, so a visible one is their team's). Only
    which actions to offer: the service still decides, and its refusal shows as a message."""
    principal = current_principal()
    if principal is None:
        return False
    if principal.has_any_role("admin"):
        return True
    if principal.has_any_role("auditor"):
        return False
    return (bool(owner_id) and principal.subject == owner_id) or principal.has_any_role("manager")


# --- the pipeline board -----------------------------------------------------------------------------------------


@dataclass
class Column:
    stage: str
    label: str
    tiles: list[sales_pb2.Opportunity] = field(default_factory=list)
    more: bool = False
    totals: list[str] = field(default_factory=list)

    @property
    def closed(self) -> bool:
        return self.stage in CLOSED_STAGES


def _totals(opportunities: list[sales_pb2.Opportunity]) -> list[str]:
    """The column's amount per currency, summed exactly."""
    sums: dict[str, Decimal] = {}
    for opportunity in opportunities:
        if opportunity.amount.amount:
            try:
                value = Decimal(opportunity.amount.amount)
            except InvalidOperation:
                continue
            sums[opportunity.amount.currency] = sums.get(opportunity.amount.currency, Decimal(0)) + value
    return [money(common_pb2.Money(amount=str(total), currency=currency)) for currency, total in sorted(sums.items())]


@blueprint.get("/console/pipeline")
@login_required
def board():  # noqa: ANN201
    principal = current_principal()
    owner = request.args.get("owner", "").strip()[:64]
    if request.args.get("mine"):
        owner = principal.subject
    stub = backend("sales")
    calls = {stage: stub.ListOpportunities.future(sales_pb2.ListOpportunitiesRequest(
        stage=stage, owner_id=owner, page=_page(size=CLOSED_LIMIT if stage in CLOSED_STAGES else OPEN_LIMIT)))
        for stage in STAGES}
    columns, status = [], 200
    for stage, call in calls.items():
        column = Column(stage, say(STAGES[stage]))
        try:
            reply = call.result()
        except grpc.RpcError as error:
            if status == 200:  # one message for a failure that every column shares
                status = flash_error(error)
        else:
            column.tiles, column.more = list(reply.opportunities), bool(reply.page.next_page_token)
            column.totals = _totals(column.tiles)
        columns.append(column)
    return render_template(
        "console/pipeline.html", columns=columns, owner=owner, mine=owner == principal.subject and bool(owner),
        stages=labels(STAGES), lost_reasons=labels(LOST_REASONS),
        may_filter_owner=principal.has_any_role("manager", "admin", "auditor"), in_stage_for=in_stage_for,
    ), status


@blueprint.post("/console/pipeline/move")
@login_required
def move():  # noqa: ANN201
    """Move an opportunity (the board's drag and drop asks for JSON; the tiles' forms get a redirect)."""
    form = request.form
    opportunity_id, stage = form.get("id", "").strip(), form.get("stage", "").strip()
    lost = stage == "lost"
    call = sales_pb2.MoveOpportunityRequest(id=opportunity_id, stage=stage,
                                            lost_reason=form.get("lost_reason", "").strip() if lost else "",
                                            note=form.get("note", "").strip() if lost else "")
    back = _back(url_for("sales.board"))
    try:
        moved = backend("sales").MoveOpportunity(call).opportunity
    except grpc.RpcError as error:
        if _wants_json():
            return jsonify(ok=False, error=failure_text(error)), http_status_of(error)
        flash_error(error)
        return redirect(back)
    message = say(t("{name} moved to {stage}", name=moved.name, stage=stage_label(moved.stage)))
    if _wants_json():
        meta = ""
        if moved.stage in CLOSED_STAGES:  # what a closed tile shows instead of its time in stage
            reason = LOST_REASONS.get(moved.lost_reason)
            meta = " · ".join(part for part in (day(moved.close_date), say(reason) if reason else "") if part)
        return jsonify(ok=True, id=moved.id, stage=moved.stage, message=message, meta=meta)
    flash(message)
    return redirect(back)


@blueprint.get("/console/opportunities")
@login_required
def opportunities():  # noqa: ANN201
    """A plain list of opportunities by stage and owner: the board's overflow, paged."""
    stage = request.args.get("stage", "")
    stage = stage if stage in STAGES else ""
    owner = request.args.get("owner", "").strip()[:64]
    token = request.args.get("page_token", "")
    try:
        reply = backend("sales").ListOpportunities(sales_pb2.ListOpportunitiesRequest(
            stage=stage, owner_id=owner, page=_page(token)))
    except grpc.RpcError as error:
        status = flash_error(error)
        found, next_token = [], ""
    else:
        status, found, next_token = 200, list(reply.opportunities), reply.page.next_page_token
    return render_template(
        "console/opportunity_list.html", opportunities=found, stage=stage, owner=owner, stages=labels(STAGES),
        next_url=url_for("sales.opportunities", stage=stage, owner=owner, page_token=next_token)
        if next_token else "",
        first_url=url_for("sales.opportunities", stage=stage, owner=owner) if token else "",
    ), status


# --- one opportunity ----------------------------------------------------------------------------------------------


@blueprint.get("/console/opportunities/<opportunity_id>")
@login_required
def opportunity(opportunity_id: str):  # noqa: ANN201
    return opportunity_page(opportunity_id)


def opportunity_page(opportunity_id: str, *, forms: dict | None = None, status: int = 200):  # noqa: ANN201
    """The opportunity with its quotes, and its contacts, activities and tasks (console/work.py); `forms`: the work
    forms shown again with what was typed and their errors after the service refused them ({"contact": (values,
    errors), ...}), with that `status`."""
    from services.gateway.console import work  # here, not at the top: work's forms re-render this page

    stub = backend("sales")
    token = request.args.get("quotes_page", "")
    quotes_call = stub.ListQuotes.future(sales_pb2.ListQuotesRequest(
        opportunity_id=opportunity_id, page=_page(token, QUOTES_PAGE_SIZE)))
    work_calls = work.OpportunityWork(stub, opportunity_id, activities_token=request.args.get("activities_page", ""))
    try:
        found = stub.GetOpportunity(sales_pb2.GetOpportunityRequest(id=opportunity_id)).opportunity
    except grpc.RpcError as error:
        quotes_call.cancel()
        work_calls.cancel()
        status = flash_error(error)
        return render_template("console/opportunity.html", opportunity=None), status
    account_call = stub.GetAccount.future(sales_pb2.GetAccountRequest(id=found.account_id)) \
        if found.account_id else None
    work_calls.ask_contacts(found.account_id)  # with the account: the page's second and last round trip
    quotes, quotes_failed, next_token = [], "", ""
    try:
        reply = quotes_call.result()
    except grpc.RpcError as error:
        quotes_failed = failure_text(error)  # the opportunity still shows; its quote list says why it is missing
    else:
        quotes, next_token = list(reply.quotes), reply.page.next_page_token
    account = None
    if account_call is not None:
        try:
            account = account_call.result().account
        except grpc.RpcError:
            account = None  # the opportunity's facts still show; the account name is a nicety
    history = []
    for change in found.history:
        history.append({"change": change, "from": stage_label(change.from_stage) if change.from_stage else "",
                        "to": stage_label(change.to_stage),
                        "dwell": duration(change.dwell_seconds) if change.from_stage else "",
                        "reason": say(LOST_REASONS[change.reason]) if change.reason in LOST_REASONS
                        else change.reason})
    return render_template(
        "console/opportunity.html", opportunity=found, account=account, history=history,
        closed=found.stage in CLOSED_STAGES, in_stage=in_stage_for(found), stages=labels(STAGES),
        lost_reasons=labels(LOST_REASONS), lost_reason=say(LOST_REASONS.get(found.lost_reason, found.lost_reason)),
        customers_page="customers.show" in _endpoints(), leads_page="leads.detail" in _endpoints(),
        quotes=quotes, quotes_failed=quotes_failed,
        quotes_next_url=url_for("sales.opportunity", opportunity_id=found.id, quotes_page=next_token)
        if next_token else "",
        quotes_first_url=url_for("sales.opportunity", opportunity_id=found.id) if token else "",
        work=work_calls.view(found, account, forms or {}),
    ), status


def _endpoints() -> set[str]:
    from flask import current_app

    return set(current_app.view_functions)


# --- quotes -------------------------------------------------------------------------------------------------------


def _line_field(field_name: str, order: list[str]) -> str:
    """The form field of a service violation: lines[2].quantity -> qty-<product of line 2>."""
    found = re.fullmatch(r"lines\[(\d+)\]\.(\w+)", field_name)
    if found and int(found.group(1)) < len(order):
        product_id = order[int(found.group(1))]
        return f"discount-{product_id}" if found.group(2) == "discount_percent" else f"qty-{product_id}"
    return "price_list_id" if field_name == "price_list_id" else ""


@blueprint.route("/console/opportunities/<opportunity_id>/quotes/new", methods=["GET", "POST"])
@login_required
def new_quote(opportunity_id: str):  # noqa: ANN201
    stub = backend("sales")
    calls = {"opportunity": stub.GetOpportunity.future(sales_pb2.GetOpportunityRequest(id=opportunity_id)),
             "products": stub.ListProducts.future(sales_pb2.ListProductsRequest()),
             "price_lists": stub.ListPriceLists.future(sales_pb2.ListPriceListsRequest())}
    try:
        found = calls["opportunity"].result().opportunity
        products = [product for product in calls["products"].result().products if product.active]
        price_lists = list(calls["price_lists"].result().price_lists)
    except grpc.RpcError as error:
        for call in calls.values():
            call.cancel()
        status = flash_error(error)
        return render_template("console/quote_new.html", opportunity=None), status
    # The price list chosen by default: the one this person last quoted from, else the first (often the only one).
    remembered = session.get(PRICE_LIST_KEY, "")
    known = {price_list.id for price_list in price_lists}
    values = {"price_list_id": remembered if remembered in known else (price_lists[0].id if price_lists else "")}
    errors: dict[str, str] = {}
    status = 200
    if request.method == "POST":
        values = {key: value.strip() for key, value in request.form.items() if key != "csrf_token"}
        order = [product.id for product in products if values.get(f"qty-{product.id}")]
        lines = [sales_pb2.QuoteLineInput(product_id=product_id, quantity=values[f"qty-{product_id}"],
                                          discount_percent=values.get(f"discount-{product_id}", ""))
                 for product_id in order]
        if not values.get("price_list_id"):
            errors["price_list_id"] = say(t("is required"))
        if not lines:
            errors[""] = say(t("Enter a quantity for at least one product."))
        if not errors:
            try:
                quote = stub.CreateQuote(sales_pb2.CreateQuoteRequest(
                    opportunity_id=found.id, price_list_id=values["price_list_id"], lines=lines)).quote
            except grpc.RpcError as error:
                status = http_status_of(error)
                for name, message in errors_by_field(error).items():
                    key = _line_field(name, order)
                    errors[key] = f"{errors[key]}; {message}" if key in errors else message
            else:
                session[PRICE_LIST_KEY] = values["price_list_id"]
                flash(say(t("Quote created.")))
                return redirect(url_for("sales.quote", quote_id=quote.id))
        status = status if status != 200 else 400
    return render_template("console/quote_new.html", opportunity=found, products=products, values=values,
                           errors=errors, price_lists=price_lists), status


@blueprint.get("/console/quotes")
@login_required
def find_quote():  # noqa: ANN201
    """The quote-number box: straight to the quote's page (the page says when it cannot be shown)."""
    quote_id = request.args.get("id", "").strip()
    if not quote_id:
        return redirect(url_for("sales.board"))
    return redirect(url_for("sales.quote", quote_id=quote_id))


@blueprint.get("/console/quotes/<quote_id>")
@login_required
def quote(quote_id: str):  # noqa: ANN201
    return _quote_page(quote_id)


def _quote_page(quote_id: str, values: dict[str, str] | None = None, errors: dict[str, str] | None = None,
                status: int = 200):  # noqa: ANN202 - a Flask response
    """The quote, and for whoever may draft its contract the contract form (shown again with `values` and `errors`
    after a refused draft)."""
    stub = backend("sales")
    templates_call = stub.ListContractTemplates.future(sales_pb2.ListContractTemplatesRequest())
    try:
        found = stub.GetQuote(sales_pb2.GetQuoteRequest(id=quote_id)).quote
    except grpc.RpcError as error:
        templates_call.cancel()
        return render_template("console/quote.html", quote=None), flash_error(error)
    try:
        deal = stub.GetOpportunity(sales_pb2.GetOpportunityRequest(id=found.opportunity_id)).opportunity
    except grpc.RpcError:
        deal = None
    try:
        templates = list(templates_call.result().templates)
    except grpc.RpcError:
        templates = []  # the quote still shows; the contract form says there is no template to draft from
    return render_template(
        "console/quote.html", quote=found, opportunity_name=deal.name if deal else found.opportunity_id,
        may_draft=deal is not None and may_change(deal.owner_id), templates=templates,
        values=values or {}, errors=errors or {}, max_special_terms=MAX_SPECIAL_TERMS,
    ), status


@blueprint.post("/console/quotes/<quote_id>/contracts")
@login_required
def create_contract(quote_id: str):  # noqa: ANN201
    """Draft a contract from the quote and a template; its page follows (submit for approval from there)."""
    values = {"template_id": request.form.get("template_id", "").strip(),
              "special_terms": request.form.get("special_terms", "").strip()}
    errors: dict[str, str] = {}
    if not values["template_id"]:
        errors["template_id"] = say(t("is required"))
    if len(values["special_terms"]) > MAX_SPECIAL_TERMS:
        errors["special_terms"] = say(t("must be at most {max} characters", max=MAX_SPECIAL_TERMS))
    if errors:
        return _quote_page(quote_id, values, errors, 400)
    try:
        drafted = backend("sales").CreateContract(sales_pb2.CreateContractRequest(
            quote_id=quote_id, template_id=values["template_id"], special_terms=values["special_terms"])).contract
    except grpc.RpcError as error:
        found = errors_by_field(error)
        errors = {key if key in ("template_id", "special_terms") else "": message for key, message in found.items()}
        return _quote_page(quote_id, values, errors, http_status_of(error))
    flash(say(t("Contract drafted. Submit it for approval when it is ready.")))
    return redirect(url_for("sales.contract", contract_id=drafted.id))


@blueprint.get("/console/quotes/<quote_id>/pdf")
@login_required
def quote_pdf(quote_id: str):  # noqa: ANN201
    try:
        rendered = backend("sales").RenderQuotePdf(sales_pb2.RenderQuotePdfRequest(quote_id=quote_id))
    except grpc.RpcError as error:
        flash_error(error)
        return redirect(url_for("sales.quote", quote_id=quote_id))
    name = re.sub(r"[^A-Za-z0-9._-]", "_", rendered.file_name or f"quote-{quote_id}.pdf")
    return Response(rendered.pdf, mimetype="application/pdf",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


# --- approvals and contracts --------------------------------------------------------------------------------------


def _step_labels() -> dict:
    return {"step_states": labels(STEP_STATES), "duties": labels(DUTIES), "statuses": labels(CONTRACT_STATUSES)}


@blueprint.get("/console/approvals")
@login_required
def approvals():  # noqa: ANN201
    stub = backend("sales")
    try:
        steps = list(stub.ListPendingApprovals(sales_pb2.ListPendingApprovalsRequest()).steps)
    except grpc.RpcError as error:
        status = flash_error(error)
        return render_template("console/approvals.html", steps=[], contracts={}, **_step_labels()), status
    steps.sort(key=lambda step: (step.due_time.seconds if step.HasField("due_time") else 0, step.contract_id))
    ids = list(dict.fromkeys(step.contract_id for step in steps))[:MAX_CONTRACTS_LOOKED_UP]
    calls = {contract_id: stub.GetContract.future(sales_pb2.GetContractRequest(id=contract_id))
             for contract_id in ids}
    contracts = {}
    for contract_id, call in calls.items():
        try:
            contracts[contract_id] = call.result().contract
        except grpc.RpcError:
            continue  # the step still shows, without the contract's figures
    names = _opportunity_names(stub, {contract.opportunity_id for contract in contracts.values()})
    return render_template("console/approvals.html", steps=steps, contracts=contracts, names=names,
                           **_step_labels())


def _opportunity_names(stub, ids: set[str]) -> dict[str, str]:  # noqa: ANN001 - the sales stub
    """Opportunity id -> name, asked at once; an opportunity the person may not read keeps no name."""
    calls = {opportunity_id: stub.GetOpportunity.future(sales_pb2.GetOpportunityRequest(id=opportunity_id))
             for opportunity_id in sorted(ids) if opportunity_id}
    names = {}
    for opportunity_id, call in calls.items():
        try:
            names[opportunity_id] = call.result().opportunity.name
        except grpc.RpcError:
            continue
    return names


@blueprint.get("/console/contracts/<contract_id>")
@login_required
def contract(contract_id: str):  # noqa: ANN201
    stub = backend("sales")
    pending = stub.ListPendingApprovals.future(sales_pb2.ListPendingApprovalsRequest())
    try:
        found = stub.GetContract(sales_pb2.GetContractRequest(id=contract_id)).contract
    except grpc.RpcError as error:
        pending.cancel()
        status = flash_error(error)
        return render_template("console/approvals_contract.html", contract=None, **_step_labels()), status
    try:
        may_decide = any(step.contract_id == found.id for step in pending.result().steps)
    except grpc.RpcError:
        may_decide = False
    names = _opportunity_names(stub, {found.opportunity_id})
    owner_side = may_change(found.owner_id)
    return render_template("console/approvals_contract.html", contract=found, may_decide=may_decide,
                           opportunity_name=names.get(found.opportunity_id, ""),
                           may_submit=owner_side and found.status in ("draft", "rejected"),
                           may_sign=owner_side and found.status == "approved", owner_side=owner_side,
                           max_special_terms=MAX_SPECIAL_TERMS, **_step_labels())


@blueprint.post("/console/contracts/<contract_id>/submit")
@login_required
def submit_contract(contract_id: str):  # noqa: ANN201
    """A draft (or rejected) contract into its approval chain; new special terms replace the old ones."""
    back = url_for("sales.contract", contract_id=contract_id)
    try:
        submitted = backend("sales").SubmitContract(sales_pb2.SubmitContractRequest(
            id=contract_id, special_terms=request.form.get("special_terms", "").strip())).contract
    except grpc.RpcError as error:
        flash_error(error)
        return redirect(back)
    flash(say(t("Contract submitted for approval.") if submitted.status == "pending"
              else t("Contract approved: no approval step applies to it.")))
    return redirect(back)


@blueprint.post("/console/contracts/<contract_id>/sign")
@login_required
def sign_contract(contract_id: str):  # noqa: ANN201
    """Record the signature of an approved contract (the service hands the deal over to customer success)."""
    back = url_for("sales.contract", contract_id=contract_id)
    try:
        backend("sales").SignContract(sales_pb2.SignContractRequest(id=contract_id))
    except grpc.RpcError as error:
        flash_error(error)
        return redirect(back)
    flash(say(t("Contract signed.")))
    return redirect(back)


@blueprint.post("/console/contracts/<contract_id>/decision")
@login_required
def decide(contract_id: str):  # noqa: ANN201
    approve = request.form.get("decision") == "approve"
    reason = request.form.get("reason", "").strip()
    back = _back(url_for("sales.approvals"))
    try:
        decided = backend("sales").DecideApproval(sales_pb2.DecideApprovalRequest(
            contract_id=contract_id, approve=approve, reason=reason)).contract
    except grpc.RpcError as error:
        flash_error(error)
        return redirect(back)
    flash(say(t("Contract {id}: approved.", id=decided.id) if approve
              else t("Contract {id}: rejected.", id=decided.id)))
    return redirect(back)
