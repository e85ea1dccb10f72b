"""The hand-over to customer success (R-SALES-4): commitments entered before signature, the package of the whole
history stored and emitted on signature, the commitments' at-risk and overdue alerts through the durable timers
(a completed commitment never fires), listing, completing and permissions, the gRPC API."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import grpc
import pytest
from google.protobuf.timestamp_pb2 import Timestamp

from crm.common.v1 import common_pb2
from crm.events.v1.sales_pb2 import CommitmentAtRisk, CommitmentOverdue, HandoverCreated
from crm.sales.v1 import sales_pb2, sales_pb2_grpc
from services.core import timers
from services.core.errors import FailedPrecondition, InvalidArgument, NotFound, PermissionDenied
from services.core.timers import fire_due
from services.sales import contracts, handover, settings
from services.sales.models import Commitment, Handover
from services.sales.timers import TIMERS
from tests.unit.services.test_sales_contracts import FRIDAY, act, contract_for
from tests.unit.services.test_sales_opportunities import add_roster


@pytest.fixture
def database(migrated_database):
    database = migrated_database("sales")
    add_roster(database)
    return database


def add(database, who, **kwargs):
    with database.session("t1") as session:
        return handover.add_commitment(session, caller=who, **kwargs)


def approve_and_sign(database, caller, contract_id, at=FRIDAY):
    rep = caller("sales", subject="rep-1")
    act(database, contracts.submit, rep, contract_id, now=at)
    for approver in (caller("manager", subject="boss-east"), caller("sales", subject="fin"),
                     caller("sales", subject="lawyer")):
        act(database, contracts.decide, approver, contract_id, approve=True, now=at)
    return act(database, contracts.sign, rep, contract_id, now=at)


def signed_with_commitments(database, caller):
    """A contract of rep-1 signed Friday 2026-10-09 10:00 Shanghai (02:00 UTC) with three commitments."""
    rep = caller("sales", subject="rep-1")
    contract = contract_for(database, caller)
    deploy = add(database, rep, opportunity_id=contract.opportunity_id, description="15 天内完成部署",
                 due_in_days=15)
    training = add(database, rep, contract_id=contract.id, description="training within 10 working days",
                   due_in_days=10, working_days=True)
    go_live = add(database, rep, contract_id=contract.id, description="go-live", due_date=date(2026, 11, 30))
    assert (deploy.status, deploy.contract_id, training.contract_id) == ("draft", "", contract.id)
    approve_and_sign(database, caller, contract.id)
    return contract, deploy.id, training.id, go_live.id


def commitment(database, commitment_id):
    with database.session("t1") as session:
        return session.get(Commitment, commitment_id)


def test_signature_hands_over_the_whole_history_and_starts_the_clocks(database, caller, outbox_events):
    contract, deploy, training, go_live = signed_with_commitments(database, caller)
    # 15 days after the signature; 10 working days (Mon-Fri) = Friday 2026-10-23 10:00 Shanghai; the end of the
    # due date in Shanghai. At risk at 80% of the time from signature to due.
    expected = {
        deploy: (datetime(2026, 10, 24, 2, 0, tzinfo=UTC), datetime(2026, 10, 21, 2, 0, tzinfo=UTC)),
        training: (datetime(2026, 10, 23, 2, 0, tzinfo=UTC), datetime(2026, 10, 20, 6, 48, tzinfo=UTC)),
        go_live: (datetime(2026, 11, 30, 16, 0, tzinfo=UTC), FRIDAY + (datetime(2026, 11, 30, 16, 0, tzinfo=UTC)
                                                                     - FRIDAY) * 4 / 5),
    }
    for commitment_id, (due, at_risk) in expected.items():
        row = commitment(database, commitment_id)
        assert (row.status, row.contract_id, row.due_at, row.at_risk_at) == ("open", contract.id, due, at_risk)
    with database.session("t1") as session:
        assert timers.pending(session, handover.AT_RISK_TIMER, deploy)[0] == expected[deploy][1]
        assert timers.pending(session, handover.OVERDUE_TIMER, deploy)[0] == expected[deploy][0]
        stored = session.query(Handover).one()
    [(tenant, event)] = outbox_events(database, HandoverCreated)
    package = event.package
    assert (tenant, event.handover_id, event.contract_id, event.owner_id) == ("t1", stored.id, contract.id, "rep-1")
    assert (package.account.name, package.opportunity.name, package.opportunity.owner_id) == (
        "杭州云栖科技", "ERP 2026", "rep-1")
    assert [change.to_stage for change in package.opportunity.history] == ["02"]
    assert [(line.quantity, line.net_amount.amount) for line in package.quote.lines] == [("1.00", "9999.99")]
    assert (package.contract.status, package.contract.special_terms, package.contract.total.amount) == (
        "signed", "15 天内完成部署", "11299.99")
    assert [(step.duty, step.state, step.decided_by) for step in package.approval_history] == [
        ("manager", "approved", "boss-east"), ("finance", "approved", "fin"), ("legal", "approved", "lawyer")]
    assert {(c.description, c.status) for c in package.commitments} == {
        ("15 天内完成部署", "open"), ("training within 10 working days", "open"), ("go-live", "open")}
    assert package.commitments[0].due_time.seconds > 0
    # Stored as the package itself.
    with database.session("t1") as session:
        view = handover.get_handover(session, caller=caller("service_agent", subject="cs-1"),
                                     contract_id=contract.id)
    assert view.package == package and len(view.commitments) == 3


def test_at_risk_fires_for_open_commitments_and_never_for_a_completed_one(database, caller, outbox_events):
    _, deploy, training, go_live = signed_with_commitments(database, caller)
    with database.session("t1") as session:
        done = handover.complete(session, caller=caller("service_agent", subject="cs-1"), commitment_id=training,
                                 note="trained 12 users")
        assert timers.pending(session, handover.AT_RISK_TIMER, training) is None
        assert timers.pending(session, handover.OVERDUE_TIMER, training) is None
    assert (done.status, done.completed_by, done.completion_note) == ("done", "cs-1", "trained 12 users")

    # Past the training's at-risk and due times and the deployment's at-risk time.
    fire_due(database, TIMERS, now=datetime(2026, 10, 23, 12, 0, tzinfo=UTC))
    assert [(e.commitment_id, e.owner_id, e.team) for _, e in outbox_events(database, CommitmentAtRisk)] == [
        (deploy, "rep-1", "east")]
    assert outbox_events(database, CommitmentOverdue) == []
    assert [commitment(database, c).status for c in (deploy, training, go_live)] == ["at_risk", "done", "open"]

    fire_due(database, TIMERS, now=datetime(2026, 10, 24, 2, 0, tzinfo=UTC))
    [(_, overdue)] = outbox_events(database, CommitmentOverdue)
    assert (overdue.commitment_id, overdue.description) == (deploy, "15 天内完成部署")
    assert overdue.due_time.ToDatetime(tzinfo=UTC) == datetime(2026, 10, 24, 2, 0, tzinfo=UTC)
    assert commitment(database, deploy).status == "overdue"
    # Completing an overdue commitment is still possible; the go-live one completes before its alerts.
    with database.session("t1") as session:
        handover.complete(session, caller=caller("sales", subject="rep-1"), commitment_id=deploy)
        handover.complete(session, caller=caller("manager", subject="boss-east"), commitment_id=go_live)
    fire_due(database, TIMERS, now=datetime(2027, 1, 1, tzinfo=UTC))
    assert len(outbox_events(database, CommitmentAtRisk)) == 1 and len(outbox_events(database, CommitmentOverdue)) == 1


def test_a_timer_claimed_after_completion_does_nothing(database, caller, outbox_events):
    _, deploy, _, _ = signed_with_commitments(database, caller)
    with database.session("t1") as session:
        # Completed behind the timers' back (as if the cancel had raced with a claim).
        session.get(Commitment, deploy).status = "done"
    fire_due(database, TIMERS, now=datetime(2026, 10, 25, tzinfo=UTC))
    # The others alerted, this one not.
    assert deploy not in {e.commitment_id for _, e in outbox_events(database, CommitmentAtRisk)}
    assert deploy not in {e.commitment_id for _, e in outbox_events(database, CommitmentOverdue)}
    assert len(outbox_events(database, CommitmentOverdue)) == 1  # the training's
    assert commitment(database, deploy).status == "done"


def test_at_risk_working_days_before_due_and_the_due_time_rules():
    tenant = settings.parse({"commitments": {"at_risk_working_days_before": 2}})
    signed = FRIDAY  # Friday 10:00 Shanghai
    row = Commitment(due_in_days=10, working_days=True)
    due, at_risk = handover.due_times(row, signed, tenant)
    # Due Friday 2026-10-23 10:00 Shanghai; two working days before: Wednesday 10:00.
    assert (due.astimezone(UTC), at_risk.astimezone(UTC)) == (datetime(2026, 10, 23, 2, 0, tzinfo=UTC),
                                                              datetime(2026, 10, 21, 2, 0, tzinfo=UTC))
    # A short commitment is at risk from the signature; one due before the signature is due at once.
    due, at_risk = handover.due_times(Commitment(due_in_days=1), signed, tenant)
    assert (due, at_risk) == (signed + timedelta(days=1), signed)
    due, at_risk = handover.due_times(Commitment(due_date=date(2026, 10, 1)), signed, settings.parse({}))
    assert due.astimezone(UTC) == datetime(2026, 10, 1, 16, 0, tzinfo=UTC) and at_risk == due
    with pytest.raises(InvalidArgument) as raised:
        settings.parse({"commitments": {"at_risk_fraction": "1", "at_risk_working_days_before": -1, "x": 1}})
    assert [v.field for v in raised.value.violations] == ["commitments"]
    with pytest.raises(InvalidArgument) as raised:
        settings.parse({"commitments": {"at_risk_fraction": "1", "at_risk_working_days_before": -1}})
    assert [v.field for v in raised.value.violations] == ["commitments.at_risk_fraction",
                                                          "commitments.at_risk_working_days_before"]


def test_commitment_validation_and_who_may_add(database, caller):
    rep = caller("sales", subject="rep-1")
    contract = contract_for(database, caller)
    with pytest.raises(InvalidArgument) as raised:
        add(database, rep, opportunity_id=contract.opportunity_id, contract_id=contract.id, description=" ",
            due_in_days=5, due_date=date(2026, 12, 1))
    assert [v.field for v in raised.value.violations] == ["opportunity_id", "description", "due_in_days"]
    with pytest.raises(InvalidArgument) as raised:
        add(database, rep, opportunity_id=contract.opportunity_id, description="x", due_date=date(2026, 12, 1),
            working_days=True)
    assert [v.field for v in raised.value.violations] == ["working_days"]
    with pytest.raises(NotFound):
        add(database, caller("sales", subject="rep-3"), contract_id=contract.id, description="x", due_in_days=3)
    with pytest.raises(PermissionDenied):
        add(database, caller("auditor", subject="aud"), contract_id=contract.id, description="x", due_in_days=3)
    add(database, caller("manager", subject="boss-east"), contract_id=contract.id, description="x", due_in_days=3)
    approve_and_sign(database, caller, contract.id)
    with pytest.raises(FailedPrecondition):
        add(database, rep, contract_id=contract.id, description="too late", due_in_days=3)


def test_listing_filters_and_permissions(database, caller):
    _, deploy, training, go_live = signed_with_commitments(database, caller)
    fire_due(database, TIMERS, now=datetime(2026, 10, 21, 3, 0, tzinfo=UTC))  # training and deploy at risk

    def listed(who, **filters):
        with database.session("t1") as session:
            return [c.id for c in handover.list_commitments(session, caller=who, **filters)[0]]

    rep = caller("sales", subject="rep-1")
    assert listed(rep) == [training, deploy, go_live]  # by due time
    assert listed(rep, status="at_risk") == [training, deploy]
    assert listed(rep, status="pending", due_before=datetime(2026, 10, 23, 12, 0, tzinfo=UTC)) == [training]
    assert listed(caller("manager", subject="boss-east"), status="open") == [go_live]
    assert listed(caller("service_agent", subject="cs-1")) == [training, deploy, go_live]
    assert listed(caller("auditor", subject="aud")) == [training, deploy, go_live]
    assert listed(caller("sales", subject="rep-3")) == []
    assert listed(caller("manager", subject="boss-west")) == []
    with database.session("t1") as session:
        with pytest.raises(NotFound):
            handover.complete(session, caller=caller("sales", subject="rep-3"), commitment_id=deploy)
        with pytest.raises(PermissionDenied):
            handover.complete(session, caller=caller("auditor", subject="aud"), commitment_id=deploy)
        with pytest.raises(NotFound):
            handover.get_handover(session, caller=caller("manager", subject="boss-west"), contract_id="nope")
        with pytest.raises(InvalidArgument):
            handover.list_commitments(session, caller=rep, status="late")
    with database.session("t1") as session:
        handover.complete(session, caller=rep, commitment_id=deploy)
    with database.session("t1") as session, pytest.raises(FailedPrecondition):
        handover.complete(session, caller=rep, commitment_id=deploy)


def test_api_round_trip(grpc_service):
    service = grpc_service("sales")
    add_roster(service.database)
    stub = sales_pb2_grpc.SalesServiceStub(service.channel)
    rep, boss = service.metadata("sales", subject="rep-1"), service.metadata("manager", subject="boss-east")
    cs = service.metadata("service_agent", subject="cs-1")
    stub.UpdateSalesSettings(sales_pb2.UpdateSalesSettingsRequest(
        settings_json='{"approval_chain": [{"duty": "manager"}]}'), metadata=service.metadata("admin"))
    product = stub.CreateProduct(sales_pb2.CreateProductRequest(sku="B", name="Basic", category="software"),
                                 metadata=boss).product
    assert product.category == "software"
    price = common_pb2.Money(amount="100")
    price_list = stub.CreatePriceList(sales_pb2.CreatePriceListRequest(
        name="CNY", currency="CNY", items=[sales_pb2.PriceListItem(product_id=product.id, unit_price=price)]),
        metadata=boss)
    account = stub.CreateAccount(sales_pb2.CreateAccountRequest(name="Acme"), metadata=rep).account
    opportunity = stub.CreateOpportunity(sales_pb2.CreateOpportunityRequest(name="D", account_id=account.id),
                                         metadata=rep).opportunity
    quote = stub.CreateQuote(sales_pb2.CreateQuoteRequest(
        opportunity_id=opportunity.id, price_list_id=price_list.price_list_id,
        lines=[sales_pb2.QuoteLineInput(product_id=product.id, quantity="1")]), metadata=rep).quote
    template = stub.CreateContractTemplate(sales_pb2.CreateContractTemplateRequest(name="T", body="{account}"),
                                           metadata=boss).template
    contract = stub.CreateContract(sales_pb2.CreateContractRequest(quote_id=quote.id, template_id=template.id),
                                   metadata=rep).contract
    with pytest.raises(grpc.RpcError) as raised:
        stub.AddCommitment(sales_pb2.AddCommitmentRequest(contract_id=contract.id, description="deploy"),
                           metadata=rep)
    assert set(service.violations(raised.value)) == {"due_in_days"}
    added = stub.AddCommitment(sales_pb2.AddCommitmentRequest(
        contract_id=contract.id, description="deploy within 15 days", due_in_days=15), metadata=rep).commitment
    assert (added.status, added.due_in_days, added.HasField("due_time")) == ("draft", 15, False)
    stub.SubmitContract(sales_pb2.SubmitContractRequest(id=contract.id), metadata=rep)
    stub.DecideApproval(sales_pb2.DecideApprovalRequest(contract_id=contract.id, approve=True), metadata=boss)
    stub.SignContract(sales_pb2.SignContractRequest(id=contract.id), metadata=rep)
    got = stub.GetHandover(sales_pb2.GetHandoverRequest(contract_id=contract.id), metadata=cs)
    assert (got.handover.account.name, got.handover.contract.status, got.handover.quote.id) == (
        "Acme", "signed", quote.id)
    assert [(c.id, c.status) for c in got.commitments] == [(added.id, "open")]
    same = stub.GetHandover(sales_pb2.GetHandoverRequest(id=got.handover.handover_id), metadata=rep)
    assert same.handover == got.handover
    far = Timestamp()
    far.FromDatetime(datetime.now(UTC) + timedelta(days=16))
    listed = stub.ListCommitments(sales_pb2.ListCommitmentsRequest(status="pending", due_before=far), metadata=cs)
    assert [c.id for c in listed.commitments] == [added.id]
    done = stub.CompleteCommitment(sales_pb2.CompleteCommitmentRequest(id=added.id, note="ok"), metadata=cs)
    assert (done.commitment.status, done.commitment.completed_by) == ("done", "cs-1")
    with pytest.raises(grpc.RpcError) as raised:
        stub.GetHandover(sales_pb2.GetHandoverRequest(contract_id=contract.id),
                         metadata=service.metadata("sales", subject="rep-3"))
    assert raised.value.code() == grpc.StatusCode.NOT_FOUND
