"""gRPC servicer of crm.sales.v1.SalesService: proto <-> domain, nothing else."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from decimal import Decimal

from crm.common.v1 import common_pb2
from crm.sales.v1 import sales_pb2, sales_pb2_grpc
from services.core.auth import current_caller
from services.core.db import utcnow
from services.core.errors import FieldViolation, InvalidArgument, Validator
from services.core.i18n import DEFAULT_LOCALE, localize, negotiate, t
from services.core.paging import next_page, page_window
from services.core.service import ServiceContext
from services.sales import (
    access,
    accounts,
    activities,
    bundles,
    calendar,
    commissions,
    contracts,
    handover,
    money,
    opportunities,
    orders,
    pipeline,
    quote_pdf,
    quotes,
    rates,
    settings,
    targets,
    tasks,
    territories,
)
from services.sales.convert import (
    account_to_proto,
    activity_to_proto,
    commitment_to_proto,
    contact_to_proto,
    contract_to_proto,
    member_to_proto,
    opportunity_to_proto,
    order_to_proto,
    price_list_to_proto,
    product_to_proto,
    quote_to_proto,
    step_to_proto,
    task_to_proto,
    template_to_proto,
    to_date,
)
from services.sales.models import Opportunity, SalesTarget, Territory
from services.sales.money import parse_money, to_money


def _date(value: common_pb2.Date, field: str, check: Validator) -> date | None:
    if not (value.year or value.month or value.day):
        return None
    try:
        return date(value.year, value.month, value.day)
    except ValueError:
        check.check(False, field, t("is not a calendar date"))
        return None


def _when(message, field: str) -> datetime | None:  # noqa: ANN001
    """A Timestamp field as an aware UTC datetime, None when unset."""
    return getattr(message, field).ToDatetime(tzinfo=UTC) if message.HasField(field) else None


def _given(message, field: str):  # noqa: ANN001, ANN202
    """An optional field's value, None when unset (an Update* request: unset = unchanged)."""
    return getattr(message, field) if message.HasField(field) else None


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

    def CreateContact(self, request, context) -> sales_pb2.CreateContactResponse:  # noqa: N802, ANN001
        caller = current_caller()
        fields = accounts.ContactFields(name=request.name, title=request.title, email=request.email,
                                        phone=request.phone, customer_id=request.customer_id)
        with self.database.session(caller.tenant_id) as session:
            contact = accounts.create_contact(session, caller=caller, account_id=request.account_id, fields=fields)
            return sales_pb2.CreateContactResponse(contact=contact_to_proto(contact))

    def UpdateContact(self, request, context) -> sales_pb2.UpdateContactResponse:  # noqa: N802, ANN001
        caller = current_caller()
        fields = accounts.ContactFields(*(_given(request, name) for name in ("name", "title", "email", "phone",
                                                                           "customer_id")))
        with self.database.session(caller.tenant_id) as session:
            contact = accounts.update_contact(session, caller=caller, contact_id=request.id, fields=fields)
            return sales_pb2.UpdateContactResponse(contact=contact_to_proto(contact))

    def GetContact(self, request, context) -> sales_pb2.GetContactResponse:  # noqa: N802, ANN001
        caller = current_caller()
        with self.database.session(caller.tenant_id) as session:
            contact = accounts.readable_contact(session, caller=caller, contact_id=request.id)
            return sales_pb2.GetContactResponse(contact=contact_to_proto(contact))

    def ListContacts(self, request, context) -> sales_pb2.ListContactsResponse:  # noqa: N802, ANN001
        caller = current_caller()
        offset, size = page_window(request.page)
        with self.database.session(caller.tenant_id) as session:
            found, more = accounts.list_contacts(session, caller=caller, account_id=request.account_id,
                                                 offset=offset, limit=size)
            return sales_pb2.ListContactsResponse(contacts=[contact_to_proto(contact) for contact in found],
                                                  page=next_page(offset, size, more))

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
                                       team=request.team, in_tenant_currency=request.in_tenant_currency)
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
                                            unit=request.unit, tax_rate=request.tax_rate, category=request.category)
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

    def ListPriceLists(self, request, context) -> sales_pb2.ListPriceListsResponse:  # noqa: N802, ANN001
        caller = current_caller()
        with self.database.session(caller.tenant_id) as session:
            return sales_pb2.ListPriceListsResponse(price_lists=[
                price_list_to_proto(price_list) for price_list in quotes.list_price_lists(session)])

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

    def ListQuotes(self, request, context) -> sales_pb2.ListQuotesResponse:  # noqa: N802, ANN001
        caller = current_caller()
        offset, size = page_window(request.page)
        with self.database.session(caller.tenant_id) as session:
            found, more = quotes.list_quotes(session, caller=caller, opportunity_id=request.opportunity_id,
                                             offset=offset, limit=size)
            return sales_pb2.ListQuotesResponse(quotes=[quote_to_proto(view) for view in found],
                                                page=next_page(offset, size, more))

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
            return sales_pb2.CreateContractTemplateResponse(template=template_to_proto(template))

    def ListContractTemplates(self, request, context) -> sales_pb2.ListContractTemplatesResponse:  # noqa: N802, ANN001
        caller = current_caller()
        with self.database.session(caller.tenant_id) as session:
            return sales_pb2.ListContractTemplatesResponse(templates=[
                template_to_proto(template) for template in contracts.list_templates(session)])

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

    def CancelOrder(self, request, context) -> sales_pb2.CancelOrderResponse:  # noqa: N802, ANN001
        caller = current_caller()
        with self.database.session(caller.tenant_id) as session:
            view = orders.cancel(session, caller=caller, order_id=request.id, reason=request.reason)
            return sales_pb2.CancelOrderResponse(order=order_to_proto(view))

    def ListOrders(self, request, context) -> sales_pb2.ListOrdersResponse:  # noqa: N802, ANN001
        caller = current_caller()
        offset, size = page_window(request.page)
        with self.database.session(caller.tenant_id) as session:
            found, more = orders.list_orders(
                session, caller=caller, status=request.status, account_id=request.account_id,
                customer_id=request.customer_id, placed_from=_when(request, "place_time_start"),
                placed_before=_when(request, "place_time_end"), offset=offset, limit=size)
            return sales_pb2.ListOrdersResponse(orders=[order_to_proto(view) for view in found],
                                                page=next_page(offset, size, more))

    # --- hand-over and commitments ---

    def AddCommitment(self, request, context) -> sales_pb2.AddCommitmentResponse:  # noqa: N802, ANN001
        caller = current_caller()
        check = Validator()
        due_date = _date(request.due_date, "due_date", check)
        check.raise_if_any()
        with self.database.session(caller.tenant_id) as session:
            commitment = handover.add_commitment(
                session, caller=caller, description=request.description, opportunity_id=request.opportunity_id,
                contract_id=request.contract_id, due_in_days=request.due_in_days, working_days=request.working_days,
                due_date=due_date)
            return sales_pb2.AddCommitmentResponse(commitment=commitment_to_proto(commitment))

    def ListCommitments(self, request, context) -> sales_pb2.ListCommitmentsResponse:  # noqa: N802, ANN001
        caller = current_caller()
        offset, size = page_window(request.page)
        due_before = request.due_before.ToDatetime(tzinfo=UTC) if request.HasField("due_before") else None
        with self.database.session(caller.tenant_id) as session:
            found, more = handover.list_commitments(
                session, caller=caller, status=request.status, due_before=due_before,
                handover_id=request.handover_id, opportunity_id=request.opportunity_id, offset=offset, limit=size)
            return sales_pb2.ListCommitmentsResponse(commitments=[commitment_to_proto(c) for c in found],
                                                     page=next_page(offset, size, more))

    def CompleteCommitment(self, request, context) -> sales_pb2.CompleteCommitmentResponse:  # noqa: N802, ANN001
        caller = current_caller()
        with self.database.session(caller.tenant_id) as session:
            commitment = handover.complete(session, caller=caller, commitment_id=request.id, note=request.note)
            return sales_pb2.CompleteCommitmentResponse(commitment=commitment_to_proto(commitment))

    def GetHandover(self, request, context) -> sales_pb2.GetHandoverResponse:  # noqa: N802, ANN001
        caller = current_caller()
        with self.database.session(caller.tenant_id) as session:
            view = handover.get_handover(session, caller=caller, handover_id=request.id,
                                         contract_id=request.contract_id)
            return sales_pb2.GetHandoverResponse(handover=view.package, commitments=[
                commitment_to_proto(commitment) for commitment in view.commitments])

    # --- targets, commissions, territories, exchange rates ---

    def SetTarget(self, request, context) -> sales_pb2.SetTargetResponse:  # noqa: N802, ANN001
        caller = current_caller()
        with self.database.session(caller.tenant_id) as session:
            target = targets.set_target(session, caller=caller, scope=request.scope, subject=request.subject,
                                        period=request.period, amount=request.amount.amount,
                                        currency=request.amount.currency)
            return sales_pb2.SetTargetResponse(target=target_to_proto(target))

    def GetAttainment(self, request, context) -> sales_pb2.GetAttainmentResponse:  # noqa: N802, ANN001
        caller = current_caller()
        with self.database.session(caller.tenant_id) as session:
            found = targets.attainment(session, caller=caller, scope=request.scope, subject=request.subject,
                                       period=request.period)
            percent = found.percent
            return sales_pb2.GetAttainmentResponse(
                target=target_to_proto(found.target) if found.target is not None else None,
                won=to_money(found.won, found.currency), won_count=found.won_count,
                attainment_percent="" if percent is None else format(percent, "f"),
                open_pipeline=to_money(found.open_pipeline, found.currency),
                weighted_pipeline=to_money(found.weighted_pipeline, found.currency), open_count=found.open_count,
                unconverted_won=[to_money(amount, code) for code, amount in found.unconverted_won.items()],
                unconverted_open=[to_money(amount, code) for code, amount in found.unconverted_open.items()],
                start_date=to_date(found.period.start), end_date=to_date(found.period.end))

    def SetCommissionPlan(self, request, context) -> sales_pb2.SetCommissionPlanResponse:  # noqa: N802, ANN001
        caller = current_caller()
        rules = _json_object(request.rules_json, "rules_json")
        check = Validator()
        effective_from = _date(request.effective_from, "effective_from", check)
        check.raise_if_any()
        with self.database.session(caller.tenant_id) as session:
            plan = commissions.set_plan(session, caller=caller, scope=request.scope, subject=request.subject,
                                        name=request.name, rules=rules, effective_from=effective_from)
            return sales_pb2.SetCommissionPlanResponse(
                scope=plan.scope, subject=plan.subject, name=plan.name,
                rules_json=json.dumps(plan.rules, ensure_ascii=False, sort_keys=True),
                effective_from=to_date(plan.effective_from))

    def ComputeCommissions(self, request, context) -> sales_pb2.ComputeCommissionsResponse:  # noqa: N802, ANN001
        caller = current_caller()
        with self.database.session(caller.tenant_id) as session:
            found = commissions.compute(session, caller=caller, owner_id=request.owner_id, period=request.period)
        code = found.currency
        return sales_pb2.ComputeCommissionsResponse(
            owner_id=found.owner_id, period=found.period.text, plan_scope=found.plan.scope, plan_name=found.plan.name,
            plan_effective_from=to_date(found.plan.effective_from),
            won=to_money(found.won, code), total=to_money(found.total, code),
            lines=[sales_pb2.CommissionLine(
                opportunity_id=line.opportunity_id, name=line.name, won_date=to_date(line.won_date),
                amount=to_money(line.amount, line.currency), converted=to_money(line.converted, code),
                commission=to_money(line.commission, code),
                parts=[sales_pb2.CommissionPart(
                    kind=part.kind, label=part.label, basis=to_money(part.basis, code),
                    rate_percent=money.text(part.rate), commission=format(part.commission.normalize(), "f"),
                ) for part in line.parts],
                plan_scope=line.plan.scope, plan_name=line.plan.name,
                plan_effective_from=to_date(line.plan.effective_from),
            ) for line in found.lines])

    def ListCommissionPlans(self, request, context) -> sales_pb2.ListCommissionPlansResponse:  # noqa: N802, ANN001
        caller = current_caller()
        offset, size = page_window(request.page)
        with self.database.session(caller.tenant_id) as session:
            found, more = commissions.list_plans(session, caller=caller, scope=request.scope,
                                                 subject=request.subject, offset=offset, limit=size)
            return sales_pb2.ListCommissionPlansResponse(plans=[plan_version_to_proto(v) for v in found],
                                                         page=next_page(offset, size, more))

    def UpsertTerritory(self, request, context) -> sales_pb2.UpsertTerritoryResponse:  # noqa: N802, ANN001
        caller = current_caller()
        given = request.territory
        with self.database.session(caller.tenant_id) as session:
            territory = territories.upsert(session, caller=caller, territory_id=given.id, name=given.name,
                                           regions=list(given.regions), industries=list(given.industries),
                                           manager_id=given.manager_id, rep_ids=list(given.rep_ids))
            return sales_pb2.UpsertTerritoryResponse(territory=territory_to_proto(territory))

    def ListTerritories(self, request, context) -> sales_pb2.ListTerritoriesResponse:  # noqa: N802, ANN001
        caller = current_caller()
        with self.database.session(caller.tenant_id) as session:
            return sales_pb2.ListTerritoriesResponse(territories=[
                territory_to_proto(territory) for territory in territories.list_territories(session)])

    def SetExchangeRate(self, request, context) -> sales_pb2.SetExchangeRateResponse:  # noqa: N802, ANN001
        caller = current_caller()
        check = Validator()
        day = _date(request.day, "day", check)
        check.raise_if_any()
        with self.database.session(caller.tenant_id) as session:
            row = rates.set_rate(session, caller=caller, base=request.base_currency, quote=request.quote_currency,
                                 day=day, rate=request.rate)
            return sales_pb2.SetExchangeRateResponse(
                base_currency=row.base, quote_currency=row.quote, day=to_date(row.day),
                rate=format(Decimal(row.rate).normalize(), "f"))

    # --- activities, tasks and the calendar ---

    def LogActivity(self, request, context) -> sales_pb2.LogActivityResponse:  # noqa: N802, ANN001
        caller = current_caller()
        with self.database.session(caller.tenant_id) as session:
            activity = activities.log_activity(
                session, caller=caller, kind=request.kind, subject=request.subject, account_id=request.account_id,
                contact_id=request.contact_id, opportunity_id=request.opportunity_id, user_id=request.user_id,
                notes=request.notes, outcome=request.outcome, occurred_at=_when(request, "occur_time"),
                ends_at=_when(request, "end_time"), location=request.location,
                attendees=list(request.attendee_ids))
            return sales_pb2.LogActivityResponse(activity=activity_to_proto(activity))

    def ListActivities(self, request, context) -> sales_pb2.ListActivitiesResponse:  # noqa: N802, ANN001
        caller = current_caller()
        offset, size = page_window(request.page)
        with self.database.session(caller.tenant_id) as session:
            found, more = activities.list_activities(
                session, caller=caller, account_id=request.account_id, contact_id=request.contact_id,
                opportunity_id=request.opportunity_id, kind=request.kind, offset=offset, limit=size)
            return sales_pb2.ListActivitiesResponse(activities=[activity_to_proto(a) for a in found],
                                                    page=next_page(offset, size, more))

    def UpdateActivity(self, request, context) -> sales_pb2.UpdateActivityResponse:  # noqa: N802, ANN001
        caller = current_caller()
        with self.database.session(caller.tenant_id) as session:
            activity = activities.update_activity(
                session, caller=caller, activity_id=request.id, subject=_given(request, "subject"),
                notes=_given(request, "notes"), outcome=_given(request, "outcome"),
                occurred_at=_when(request, "occur_time"), ends_at=_when(request, "end_time"),
                location=_given(request, "location"),
                attendees=list(request.attendees.user_ids) if request.HasField("attendees") else None)
            return sales_pb2.UpdateActivityResponse(activity=activity_to_proto(activity))

    def CreateTask(self, request, context) -> sales_pb2.CreateTaskResponse:  # noqa: N802, ANN001
        caller = current_caller()
        with self.database.session(caller.tenant_id) as session:
            task = tasks.create_task(
                session, caller=caller, title=request.title, notes=request.notes, account_id=request.account_id,
                contact_id=request.contact_id, opportunity_id=request.opportunity_id,
                assignee_id=request.assignee_id, due_at=_when(request, "due_time"),
                remind_at=_when(request, "remind_time"), priority=request.priority)
            return sales_pb2.CreateTaskResponse(task=task_to_proto(task, utcnow()))

    def GetTask(self, request, context) -> sales_pb2.GetTaskResponse:  # noqa: N802, ANN001
        caller = current_caller()
        with self.database.session(caller.tenant_id) as session:
            task = tasks.readable(session, caller=caller, task_id=request.id)
            return sales_pb2.GetTaskResponse(task=task_to_proto(task, utcnow()))

    def UpdateTask(self, request, context) -> sales_pb2.UpdateTaskResponse:  # noqa: N802, ANN001
        caller = current_caller()
        with self.database.session(caller.tenant_id) as session:
            task = tasks.update_task(
                session, caller=caller, task_id=request.id, title=_given(request, "title"),
                notes=_given(request, "notes"), priority=_given(request, "priority"),
                assignee_id=_given(request, "assignee_id"), due_at=_when(request, "due_time"),
                remind_at=_when(request, "remind_time"))
            return sales_pb2.UpdateTaskResponse(task=task_to_proto(task, utcnow()))

    def ListTasks(self, request, context) -> sales_pb2.ListTasksResponse:  # noqa: N802, ANN001
        caller = current_caller()
        offset, size = page_window(request.page)
        now = utcnow()
        with self.database.session(caller.tenant_id) as session:
            found, more = tasks.list_tasks(
                session, caller=caller, assignee_id=request.assignee_id, team=request.team, status=request.status,
                overdue=request.overdue, account_id=request.account_id, contact_id=request.contact_id,
                opportunity_id=request.opportunity_id, now=now, offset=offset, limit=size)
            return sales_pb2.ListTasksResponse(tasks=[task_to_proto(task, now) for task in found],
                                               page=next_page(offset, size, more))

    def CompleteTask(self, request, context) -> sales_pb2.CompleteTaskResponse:  # noqa: N802, ANN001
        caller = current_caller()
        with self.database.session(caller.tenant_id) as session:
            task = tasks.complete(session, caller=caller, task_id=request.id, note=request.note)
            return sales_pb2.CompleteTaskResponse(task=task_to_proto(task, utcnow()))

    def CancelTask(self, request, context) -> sales_pb2.CancelTaskResponse:  # noqa: N802, ANN001
        caller = current_caller()
        with self.database.session(caller.tenant_id) as session:
            task = tasks.cancel(session, caller=caller, task_id=request.id, reason=request.reason)
            return sales_pb2.CancelTaskResponse(task=task_to_proto(task, utcnow()))

    def ListCalendar(self, request, context) -> sales_pb2.ListCalendarResponse:  # noqa: N802, ANN001
        caller = current_caller()
        with self.database.session(caller.tenant_id) as session:
            view = calendar.entries(session, caller=caller, start=_when(request, "start_time"),
                                    end=_when(request, "end_time"), user_id=request.user_id, team=request.team)
        return sales_pb2.ListCalendarResponse(entries=[calendar_entry_to_proto(e) for e in view.entries],
                                              truncated=view.truncated)

    def ExportCalendar(self, request, context) -> sales_pb2.ExportCalendarResponse:  # noqa: N802, ANN001
        caller = current_caller()
        with self.database.session(caller.tenant_id) as session:
            ics, file_name = calendar.export(session, caller=caller, start=_when(request, "start_time"),
                                             end=_when(request, "end_time"), user_id=request.user_id,
                                             team=request.team)
        return sales_pb2.ExportCalendarResponse(ics=ics, file_name=file_name)


def calendar_entry_to_proto(entry: calendar.Entry) -> sales_pb2.CalendarEntry:
    message = sales_pb2.CalendarEntry(
        kind=entry.kind, id=entry.id, title=entry.title, location=entry.location, user_ids=list(entry.user_ids),
        record_kind=entry.record_kind, record_id=entry.record_id, account_id=entry.account_id, status=entry.status,
        priority=entry.priority)
    message.start_time.FromDatetime(entry.start)
    message.end_time.FromDatetime(entry.end)
    return message


def plan_version_to_proto(version: commissions.PlanVersion) -> sales_pb2.CommissionPlanVersion:
    plan = version.row
    message = sales_pb2.CommissionPlanVersion(
        scope=plan.scope, subject=plan.subject, name=plan.name,
        rules_json=json.dumps(plan.rules, ensure_ascii=False, sort_keys=True),
        effective_from=to_date(plan.effective_from), effective_until=to_date(version.effective_until),
        set_by=plan.set_by)
    message.update_time.FromDatetime(plan.updated_at)
    return message


def target_to_proto(target: SalesTarget) -> sales_pb2.Target:
    return sales_pb2.Target(id=target.id, scope=target.scope, subject=target.subject, period=target.period,
                            start_date=to_date(target.start_date), end_date=to_date(target.end_date),
                            amount=to_money(target.amount, target.currency))


def territory_to_proto(territory: Territory) -> sales_pb2.Territory:
    return sales_pb2.Territory(id=territory.id, name=territory.name, regions=list(territory.regions or []),
                               industries=list(territory.industries or []), manager_id=territory.manager_id,
                               rep_ids=list(territory.reps or []))


