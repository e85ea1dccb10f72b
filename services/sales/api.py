"""gRPC servicer of crm.sales.v1.SalesService: proto <-> domain, nothing else."""

from __future__ import annotations

import json
from datetime import date, datetime

from crm.common.v1 import common_pb2
from crm.sales.v1 import sales_pb2, sales_pb2_grpc
from services.core.auth import current_caller
from services.core.errors import FieldViolation, InvalidArgument, Validator
from services.core.i18n import DEFAULT_LOCALE, localize, negotiate, t
from services.core.paging import next_page, page_window
from services.core.service import ServiceContext
from services.sales import (
    access,
    accounts,
    bundles,
    contracts,
    money,
    opportunities,
    orders,
    pipeline,
    quote_pdf,
    quotes,
    settings,
)
from services.sales.models import Account, ApprovalStep, Opportunity, Product, SalesMember, StageChange
from services.sales.money import parse_money, to_money


def account_to_proto(account: Account) -> sales_pb2.Account:
    message = sales_pb2.Account(
        id=account.id,
        name=account.name,
        customer_id=account.customer_id,
        industry=account.industry,
        region=account.region,
        owner_id=account.owner_id,
    )
    message.create_time.FromDatetime(account.created_at)
    return message


def _date(value: common_pb2.Date, field: str, check: Validator) -> date | None:
    if not (value.year or value.month or value.day):
        return None
    try:
        return date(value.year, value.month, value.day)
    except ValueError:
        check.check(False, field, t("is not a calendar date"))
        return None


def _to_date(value: date | None) -> common_pb2.Date | None:
    return common_pb2.Date(year=value.year, month=value.month, day=value.day) if value else None


def _stamp(message, field: str, value: datetime | None) -> None:  # noqa: ANN001
    if value is not None:
        getattr(message, field).FromDatetime(value)


def member_to_proto(member: SalesMember) -> sales_pb2.Member:
    return sales_pb2.Member(user_id=member.user_id, name=member.name, team=member.team, region=member.region,
                            duties=list(member.duties or []))


def change_to_proto(change: StageChange) -> sales_pb2.StageChange:
    message = sales_pb2.StageChange(from_stage=change.from_stage, to_stage=change.to_stage, actor=change.actor,
                                    dwell_seconds=change.dwell_seconds, reason=change.reason)
    message.change_time.FromDatetime(change.at)
    return message


def opportunity_to_proto(opportunity: Opportunity, probability: str = "",
                         history: list[StageChange] | None = None) -> sales_pb2.Opportunity:
    message = sales_pb2.Opportunity(
        id=opportunity.id, name=opportunity.name, account_id=opportunity.account_id,
        contact_id=opportunity.contact_id, lead_id=opportunity.lead_id or "", stage=opportunity.stage,
        probability=probability, lost_reason=opportunity.lost_reason, lost_note=opportunity.lost_note,
        amount=to_money(opportunity.amount, opportunity.currency), close_date=_to_date(opportunity.close_date),
        owner_id=opportunity.owner_id, team=opportunity.team, region=opportunity.region, channel=opportunity.channel,
        history=[change_to_proto(change) for change in history or []],
    )
    _stamp(message, "stage_enter_time", opportunity.stage_entered_at)
    _stamp(message, "create_time", opportunity.created_at)
    return message


def caller_locale(context) -> str:  # noqa: ANN001
    """The language the caller asked for (gRPC metadata accept-language), for texts in responses."""
    for key, value in (context.invocation_metadata() if context is not None else None) or ():
        if key == "accept-language":
            return negotiate(value)
    return DEFAULT_LOCALE


def _ratio(value: float) -> str:
    """4 decimals without trailing zeros: 0.66666 -> "0.6667", 0.4 -> "0.4", 1.0 -> "1"."""
    return f"{value:.4f}".rstrip("0").rstrip(".")


def _json_object(text: str, field: str) -> dict:
    try:
        value = json.loads(text or "{}")
    except ValueError:
        raise InvalidArgument(FieldViolation(field, t("is not valid JSON"))) from None
    if not isinstance(value, dict):
        raise InvalidArgument(FieldViolation(field, t("must be a JSON object")))
    return value


class SalesApi(sales_pb2_grpc.SalesServiceServicer):
    def __init__(self, context: ServiceContext):
        self.database = context.database
        self.plugins = context.plugins

    def CreateAccount(self, request, context) -> sales_pb2.CreateAccountResponse:  # noqa: N802, ANN001
        caller = current_caller()
        with self.database.session(caller.tenant_id) as session:
            account = accounts.create_account(
                session,
                tenant=caller.tenant_id,
                caller=caller,
                name=request.name,
                customer_id=request.customer_id,
                industry=request.industry,
                region=request.region,
                owner_id=request.owner_id,
            )
            return sales_pb2.CreateAccountResponse(account=account_to_proto(account))

    def GetAccount(self, request, context) -> sales_pb2.GetAccountResponse:  # noqa: N802, ANN001
        caller = current_caller()
        with self.database.session(caller.tenant_id) as session:
            account = accounts.get_account(session, caller=caller, account_id=request.id)
            return sales_pb2.GetAccountResponse(account=account_to_proto(account))

    # --- roster and opportunities ---

    def UpsertMember(self, request, context) -> sales_pb2.UpsertMemberResponse:  # noqa: N802, ANN001
        caller = current_caller()
        given = request.member
        with self.database.session(caller.tenant_id) as session:
            row = access.upsert_member(session, caller=caller, user_id=given.user_id, name=given.name,
                                       team=given.team, region=given.region, duties=list(given.duties))
            return sales_pb2.UpsertMemberResponse(member=member_to_proto(row))

    def _opportunity(self, session, opportunity: Opportunity, *, with_history: bool = False):  # noqa: ANN001, ANN202
        probability = settings.load(session).probability(opportunity.stage)
        history = opportunities.history(session, opportunity.id) if with_history else None
        return opportunity_to_proto(opportunity, format(probability, "f"), history)

    def CreateOpportunity(self, request, context) -> sales_pb2.CreateOpportunityResponse:  # noqa: N802, ANN001
        caller = current_caller()
        check = Validator()
        amount, currency = parse_money(request.amount, "amount", check)
        close_date = _date(request.close_date, "close_date", check)
        check.raise_if_any()
        with self.database.session(caller.tenant_id) as session:
            opportunity = opportunities.create_opportunity(
                session, caller=caller, name=request.name, account_id=request.account_id, amount=amount,
                currency=currency, close_date=close_date, owner_id=request.owner_id, contact_id=request.contact_id,
                channel=request.channel,
            )
            return sales_pb2.CreateOpportunityResponse(opportunity=self._opportunity(session, opportunity,
                                                                                    with_history=True))

    def GetOpportunity(self, request, context) -> sales_pb2.GetOpportunityResponse:  # noqa: N802, ANN001
        caller = current_caller()
        with self.database.session(caller.tenant_id) as session:
            opportunity = opportunities.readable(session, caller=caller, opportunity_id=request.id)
            return sales_pb2.GetOpportunityResponse(opportunity=self._opportunity(session, opportunity,
                                                                                 with_history=True))

    def ListOpportunities(self, request, context) -> sales_pb2.ListOpportunitiesResponse:  # noqa: N802, ANN001
        caller = current_caller()
        offset, size = page_window(request.page)
        with self.database.session(caller.tenant_id) as session:
            found, more = opportunities.list_opportunities(session, caller=caller, stage=request.stage,
                                                           owner_id=request.owner_id, offset=offset, limit=size)
            return sales_pb2.ListOpportunitiesResponse(
                opportunities=[self._opportunity(session, opportunity) for opportunity in found],
                page=next_page(offset, size, more),
            )

    def MoveOpportunity(self, request, context) -> sales_pb2.MoveOpportunityResponse:  # noqa: N802, ANN001
        caller = current_caller()
        with self.database.session(caller.tenant_id) as session:
            opportunity = opportunities.move(session, caller=caller, opportunity_id=request.id, stage=request.stage,
                                             lost_reason=request.lost_reason, note=request.note)
            return sales_pb2.MoveOpportunityResponse(opportunity=self._opportunity(session, opportunity,
                                                                                  with_history=True))

    def GetFunnel(self, request, context) -> sales_pb2.GetFunnelResponse:  # noqa: N802, ANN001
        caller = current_caller()
        check = Validator()
        start, end = _date(request.start_date, "start_date", check), _date(request.end_date, "end_date", check)
        check.raise_if_any()
        with self.database.session(caller.tenant_id) as session:
            result = pipeline.funnel(session, caller=caller, start=start, end=end, team=request.team,
                                     owner_id=request.owner_id)
        text = (lambda value: "" if value is None else format(value, "f"))  # noqa: E731
        return sales_pb2.GetFunnelResponse(
            stages=[sales_pb2.FunnelStage(
                stage=stage.stage, reached=stage.reached, exits=stage.exits,
                conversion_from_previous=text(stage.conversion_from_previous),
                conversion_from_first=text(stage.conversion_from_first),
                average_dwell_days=text(stage.average_dwell_days),
            ) for stage in result.stages],
            loss_reasons=[sales_pb2.LossReason(reason=reason, count=count) for reason, count in result.loss_reasons],
            lost=result.lost,
        )

    def GetForecast(self, request, context) -> sales_pb2.GetForecastResponse:  # noqa: N802, ANN001
        caller = current_caller()
        check = Validator()
        start, end = _date(request.start_date, "start_date", check), _date(request.end_date, "end_date", check)
        check.raise_if_any()
        with self.database.session(caller.tenant_id) as session:
            groups = pipeline.forecast(session, caller=caller, start=start, end=end, group_by=request.group_by,
                                       team=request.team)
        return sales_pb2.GetForecastResponse(groups=[sales_pb2.ForecastGroup(
            key=group.key, opportunities=group.opportunities, pipeline=to_money(group.pipeline, group.currency),
            weighted=to_money(group.weighted, group.currency), won=to_money(group.won, group.currency),
        ) for group in groups])

    def GetSalesSettings(self, request, context) -> sales_pb2.GetSalesSettingsResponse:  # noqa: N802, ANN001
        caller = current_caller()
        with self.database.session(caller.tenant_id) as session:
            raw = settings.load(session).raw
        return sales_pb2.GetSalesSettingsResponse(settings_json=json.dumps(raw, ensure_ascii=False, sort_keys=True))

    def UpdateSalesSettings(self, request, context) -> sales_pb2.UpdateSalesSettingsResponse:  # noqa: N802, ANN001
        caller = current_caller()
        try:
            raw = json.loads(request.settings_json or "{}")
        except ValueError:
            raise InvalidArgument(FieldViolation("settings_json", t("is not valid JSON"))) from None
        with self.database.session(caller.tenant_id) as session:
            parsed = settings.update(session, caller=caller, raw=raw)
        return sales_pb2.UpdateSalesSettingsResponse(
            settings_json=json.dumps(parsed.raw, ensure_ascii=False, sort_keys=True))

    # --- products, price lists, quotes ---

    def CreateProduct(self, request, context) -> sales_pb2.CreateProductResponse:  # noqa: N802, ANN001
        caller = current_caller()
        with self.database.session(caller.tenant_id) as session:
            product = quotes.create_product(session, caller=caller, sku=request.sku, name=request.name,
                                            unit=request.unit, tax_rate=request.tax_rate)
            return sales_pb2.CreateProductResponse(product=product_to_proto(product))

    def ListProducts(self, request, context) -> sales_pb2.ListProductsResponse:  # noqa: N802, ANN001
        caller = current_caller()
        with self.database.session(caller.tenant_id) as session:
            return sales_pb2.ListProductsResponse(products=[product_to_proto(p) for p in quotes.list_products(session)])

    def CreatePriceList(self, request, context) -> sales_pb2.CreatePriceListResponse:  # noqa: N802, ANN001
        caller = current_caller()
        with self.database.session(caller.tenant_id) as session:
            price_list = quotes.create_price_list(
                session, caller=caller, name=request.name, currency=request.currency,
                items=[(item.product_id, item.unit_price.amount, item.unit_price.currency) for item in request.items])
            return sales_pb2.CreatePriceListResponse(price_list_id=price_list.id)

    def CreateQuote(self, request, context) -> sales_pb2.CreateQuoteResponse:  # noqa: N802, ANN001
        caller = current_caller()
        with self.database.session(caller.tenant_id) as session:
            view = quotes.create_quote(
                session, caller=caller, opportunity_id=request.opportunity_id, price_list_id=request.price_list_id,
                lines=[(line.product_id, line.quantity, line.discount_percent) for line in request.lines])
            return sales_pb2.CreateQuoteResponse(quote=quote_to_proto(view))

    def GetQuote(self, request, context) -> sales_pb2.GetQuoteResponse:  # noqa: N802, ANN001
        caller = current_caller()
        with self.database.session(caller.tenant_id) as session:
            return sales_pb2.GetQuoteResponse(quote=quote_to_proto(
                quotes.readable_quote(session, caller=caller, quote_id=request.id)))

    def RenderQuotePdf(self, request, context) -> sales_pb2.RenderQuotePdfResponse:  # noqa: N802, ANN001
        caller = current_caller()
        with self.database.session(caller.tenant_id) as session:
            pdf = quote_pdf.render(session, caller=caller, quote_id=request.quote_id, locale=caller_locale(context))
        return sales_pb2.RenderQuotePdfResponse(pdf=pdf, file_name=f"quote-{request.quote_id}.pdf")

    def RecommendBundles(self, request, context) -> sales_pb2.RecommendBundlesResponse:  # noqa: N802, ANN001
        caller = current_caller()
        locale = caller_locale(context)
        with self.database.session(caller.tenant_id) as session:
            found = bundles.recommend_for_account(session, caller=caller, account_id=request.account_id,
                                                  plugins=self.plugins)
        return sales_pb2.RecommendBundlesResponse(model=found.model, recommendations=[
            sales_pb2.BundleRecommendation(
                product_ids=list(item.product_ids),
                new_product_ids=[product_id for product_id in item.product_ids if product_id not in found.owned],
                confidence=_ratio(item.confidence), lift=_ratio(item.lift), support=_ratio(item.support),
                reason=localize(item.reason, locale),
            ) for item in found.items])

    def SetBundleModel(self, request, context) -> sales_pb2.SetBundleModelResponse:  # noqa: N802, ANN001
        caller = current_caller()
        values = _json_object(request.settings_json, "settings_json")
        with self.database.session(caller.tenant_id) as session:
            choice = bundles.set_model(session, caller=caller, plugin=request.plugin, settings=values,
                                       plugins=self.plugins)
        return sales_pb2.SetBundleModelResponse(plugin=choice.plugin)

    # --- contracts and approvals ---

    def CreateContractTemplate(self, request, context) -> sales_pb2.CreateContractTemplateResponse:  # noqa: N802, ANN001
        caller = current_caller()
        with self.database.session(caller.tenant_id) as session:
            template = contracts.create_template(session, caller=caller, name=request.name, body=request.body)
            return sales_pb2.CreateContractTemplateResponse(template=sales_pb2.ContractTemplate(
                id=template.id, name=template.name, body=template.body))

    def CreateContract(self, request, context) -> sales_pb2.CreateContractResponse:  # noqa: N802, ANN001
        caller = current_caller()
        with self.database.session(caller.tenant_id) as session:
            contract = contracts.create_contract(session, caller=caller, quote_id=request.quote_id,
                                                 template_id=request.template_id, special_terms=request.special_terms)
            return sales_pb2.CreateContractResponse(contract=contract_to_proto(contracts.ContractView(contract, [])))

    def SubmitContract(self, request, context) -> sales_pb2.SubmitContractResponse:  # noqa: N802, ANN001
        caller = current_caller()
        with self.database.session(caller.tenant_id) as session:
            view = contracts.submit(session, caller=caller, contract_id=request.id,
                                    special_terms=request.special_terms)
            return sales_pb2.SubmitContractResponse(contract=contract_to_proto(view))

    def DecideApproval(self, request, context) -> sales_pb2.DecideApprovalResponse:  # noqa: N802, ANN001
        caller = current_caller()
        with self.database.session(caller.tenant_id) as session:
            view = contracts.decide(session, caller=caller, contract_id=request.contract_id, approve=request.approve,
                                    reason=request.reason)
            return sales_pb2.DecideApprovalResponse(contract=contract_to_proto(view))

    def SignContract(self, request, context) -> sales_pb2.SignContractResponse:  # noqa: N802, ANN001
        caller = current_caller()
        with self.database.session(caller.tenant_id) as session:
            view = contracts.sign(session, caller=caller, contract_id=request.id)
            return sales_pb2.SignContractResponse(contract=contract_to_proto(view))

    def GetContract(self, request, context) -> sales_pb2.GetContractResponse:  # noqa: N802, ANN001
        caller = current_caller()
        with self.database.session(caller.tenant_id) as session:
            contract = contracts.readable(session, caller=caller, contract_id=request.id)
            view = contracts.ContractView(contract, contracts.steps_of(session, contract))
            return sales_pb2.GetContractResponse(contract=contract_to_proto(view))

    def ListPendingApprovals(self, request, context) -> sales_pb2.ListPendingApprovalsResponse:  # noqa: N802, ANN001
        caller = current_caller()
        with self.database.session(caller.tenant_id) as session:
            steps = contracts.pending_for(session, caller=caller)
            return sales_pb2.ListPendingApprovalsResponse(steps=[step_to_proto(step, current=True) for step in steps])


    # --- orders ---

    def PlaceOrder(self, request, context) -> sales_pb2.PlaceOrderResponse:  # noqa: N802, ANN001
        caller = current_caller()
        with self.database.session(caller.tenant_id) as session:
            view = orders.place(session, caller=caller, request_id=request.request_id, account_id=request.account_id,
                                price_list_id=request.price_list_id, opportunity_id=request.opportunity_id,
                                lines=[(line.product_id, line.quantity, line.discount_percent)
                                       for line in request.lines])
            return sales_pb2.PlaceOrderResponse(order=order_to_proto(view), replayed=view.replayed)

    def GetOrder(self, request, context) -> sales_pb2.GetOrderResponse:  # noqa: N802, ANN001
        caller = current_caller()
        with self.database.session(caller.tenant_id) as session:
            return sales_pb2.GetOrderResponse(order=order_to_proto(
                orders.readable(session, caller=caller, order_id=request.id)))

    def _transition(self, order_id: str, to: str, reference: str = "") -> sales_pb2.Order:
        caller = current_caller()
        with self.database.session(caller.tenant_id) as session:
            return order_to_proto(orders.transition(session, caller=caller, order_id=order_id, to=to,
                                                    reference=reference))

    def PayOrder(self, request, context) -> sales_pb2.PayOrderResponse:  # noqa: N802, ANN001
        return sales_pb2.PayOrderResponse(order=self._transition(request.id, orders.PAID,
                                                                 request.payment_reference))

    def ShipOrder(self, request, context) -> sales_pb2.ShipOrderResponse:  # noqa: N802, ANN001
        return sales_pb2.ShipOrderResponse(order=self._transition(request.id, orders.SHIPPED,
                                                                  request.tracking_number))

    def ReceiveOrder(self, request, context) -> sales_pb2.ReceiveOrderResponse:  # noqa: N802, ANN001
        return sales_pb2.ReceiveOrderResponse(order=self._transition(request.id, orders.RECEIVED))

    def RefundOrder(self, request, context) -> sales_pb2.RefundOrderResponse:  # noqa: N802, ANN001
        return sales_pb2.RefundOrderResponse(order=self._transition(request.id, orders.REFUNDED, request.reason))


def order_to_proto(view: orders.OrderView) -> sales_pb2.Order:
    order, currency = view.order, view.order.currency
    message = sales_pb2.Order(
        id=order.id, request_id=order.request_id, account_id=order.account_id, opportunity_id=order.opportunity_id,
        price_list_id=order.price_list_id, status=order.status, list_total=to_money(order.list_total, currency),
        discount_total=to_money(order.discount_total, currency), net_total=to_money(order.net_total, currency),
        tax_total=to_money(order.tax_total, currency), total=to_money(order.total, currency),
        owner_id=order.owner_id, team=order.team, payment_reference=order.payment_reference,
        tracking_number=order.tracking_number, refund_reason=order.refund_reason,
        lines=[sales_pb2.OrderLine(
            position=line.position, product_id=line.product_id, description=line.description,
            quantity=money.text(line.quantity), unit_price=to_money(line.unit_price, currency),
            discount_percent=money.text(line.discount_percent), tax_rate=money.text(line.tax_rate),
            list_amount=to_money(line.list_amount, currency), net_amount=to_money(line.net_amount, currency),
            tax_amount=to_money(line.tax_amount, currency)) for line in view.lines],
    )
    for field, value in (("place_time", order.placed_at), ("pay_time", order.paid_at),
                         ("ship_time", order.shipped_at), ("receive_time", order.received_at),
                         ("refund_time", order.refunded_at)):
        _stamp(message, field, value)
    return message


def product_to_proto(product: Product) -> sales_pb2.Product:
    return sales_pb2.Product(id=product.id, sku=product.sku, name=product.name, unit=product.unit,
                             tax_rate=money.text(product.tax_rate), active=product.active)


def quote_to_proto(view: quotes.QuoteView) -> sales_pb2.Quote:
    quote, currency = view.quote, view.quote.currency
    message = sales_pb2.Quote(
        id=quote.id, opportunity_id=quote.opportunity_id, price_list_id=quote.price_list_id,
        list_total=to_money(quote.list_total, currency), discount_total=to_money(quote.discount_total, currency),
        net_total=to_money(quote.net_total, currency), tax_total=to_money(quote.tax_total, currency),
        total=to_money(quote.total, currency),
        lines=[sales_pb2.QuoteLine(
            position=line.position, product_id=line.product_id, description=line.description,
            quantity=money.text(line.quantity), unit_price=to_money(line.unit_price, currency),
            discount_percent=money.text(line.discount_percent), tax_rate=money.text(line.tax_rate),
            list_amount=to_money(line.list_amount, currency), net_amount=to_money(line.net_amount, currency),
            tax_amount=to_money(line.tax_amount, currency)) for line in view.lines],
    )
    _stamp(message, "create_time", quote.created_at)
    return message


def step_to_proto(step: ApprovalStep, *, current: bool) -> sales_pb2.ApprovalStep:
    message = sales_pb2.ApprovalStep(
        contract_id=step.contract_id, round=step.round, position=step.position, duty=step.duty,
        condition=step.condition, state=step.state, current=current,
        expected_working_days=step.expected_working_days, decided_by=step.decided_by, reason=step.reason)
    _stamp(message, "start_time", step.started_at)
    _stamp(message, "due_time", step.due_at)
    _stamp(message, "decide_time", step.decided_at)
    return message


def contract_to_proto(view: contracts.ContractView) -> sales_pb2.Contract:
    contract = view.contract
    current = next((step for step in view.steps if step.state == "pending"), None) \
        if contract.status == "pending" else None
    message = sales_pb2.Contract(
        id=contract.id, opportunity_id=contract.opportunity_id, quote_id=contract.quote_id,
        template_id=contract.template_id, body=contract.body, special_terms=contract.special_terms,
        status=contract.status, round=contract.round, total=to_money(contract.total, contract.currency),
        discount_percent=money.text(contract.discount_percent), rejection_reason=contract.rejection_reason,
        owner_id=contract.owner_id, team=contract.team, signed_by=contract.signed_by,
        steps=[step_to_proto(step, current=step is current) for step in view.steps],
    )
    _stamp(message, "sign_time", contract.signed_at)
    return message
