"""Sales on real PostgreSQL with threads: concurrent approvers and signers never get a contract signed without every
approval (R-SALES-3), and two hand-overs of the same qualified lead racing make one opportunity (R-LEAD-6)."""

from __future__ import annotations

import threading
import time

import pytest
from sqlalchemy import func, select, text

from services.core.auth import Caller
from services.core.db import Database
from services.core.errors import FailedPrecondition, NotFound, PermissionDenied
from services.core.migrate import upgrade
from services.core.runtime import load_definition
from services.sales import access, accounts, contracts, opportunities, quotes, settings
from services.sales.models import ApprovalStep, Contract, Opportunity
from tests.unit.services.test_sales_opportunities import qualified

pytestmark = pytest.mark.integration

ADMIN = Caller("t1", "root", "user", frozenset({"admin"}))


def user(subject: str, *roles: str) -> Caller:
    return Caller("t1", subject, "user", frozenset(roles or ("sales",)))


@pytest.fixture
def database(pg_url):
    database = Database("sales", pg_url)
    upgrade(load_definition("sales"), database)
    with database.session("t1") as session:
        for user_id, team, duties in [("rep", "east", []), ("boss", "east", []), ("fin-1", "", ["finance"]),
                                      ("fin-2", "", ["finance"]), ("law-1", "", ["legal"]),
                                      ("law-2", "", ["legal"])]:
            access.upsert_member(session, caller=ADMIN, user_id=user_id, team=team, duties=duties)
        settings.update(session, caller=ADMIN, raw={"approval_chain": [
            {"duty": "manager"}, {"duty": "finance"}, {"duty": "legal"}]})
        product = quotes.create_product(session, caller=ADMIN, sku="B", name="Basic")
        database.price_list = quotes.create_price_list(session, caller=ADMIN, name="P", currency="CNY",
                                                       items=[(product.id, "100", "CNY")]).id
        database.product = product.id
        database.template = contracts.create_template(session, caller=ADMIN, name="T", body="{total}").id
    yield database
    with database.engine.begin() as connection:  # the session's database is shared: leave no sales tables behind
        connection.execute(text("DROP SCHEMA sales CASCADE"))
    database.dispose()


def submitted_contract(database: Database) -> str:
    rep = user("rep")
    with database.session("t1") as session:
        account = accounts.create_account(session, tenant="t1", caller=rep, name="Acme")
        opportunity = opportunities.create_opportunity(session, caller=rep, name="D", account_id=account.id)
        view = quotes.create_quote(session, caller=rep, opportunity_id=opportunity.id,
                                   price_list_id=database.price_list, lines=[(database.product, "1", "0")])
        contract = contracts.create_contract(session, caller=rep, quote_id=view.quote.id,
                                             template_id=database.template)
        contracts.submit(session, caller=rep, contract_id=contract.id)
        return contract.id


def race(database: Database, contract_id: str, actors: list[tuple[Caller, str]], seconds: float = 20.0) -> dict:
    """Every actor ("approve", "reject" or "sign") retries until it succeeds or the contract is final."""
    outcomes: dict[str, list[str]] = {"approve": [], "reject": [], "sign": []}
    lock = threading.Lock()
    start = threading.Barrier(len(actors))

    def run(who: Caller, action: str) -> None:
        start.wait()
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            try:
                with database.session("t1") as session:
                    if action == "sign":
                        contracts.sign(session, caller=who, contract_id=contract_id)
                    else:
                        contracts.decide(session, caller=who, contract_id=contract_id, approve=action == "approve",
                                         reason="no" if action == "reject" else "")
                with lock:
                    outcomes[action].append(who.subject)
                return
            except (FailedPrecondition, PermissionDenied, NotFound):
                with database.session("t1") as session:
                    status = session.get(Contract, contract_id).status
                if status in ("signed", "rejected"):
                    return
                time.sleep(0.001)

    threads = [threading.Thread(target=run, args=actor) for actor in actors]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


def state(database: Database, contract_id: str) -> tuple[Contract, list[ApprovalStep]]:
    with database.session("t1") as session:
        contract = session.get(Contract, contract_id)
        return contract, contracts.steps_of(session, contract)


def test_concurrent_approvers_and_signers_sign_once_after_every_approval(database):
    for _ in range(3):
        contract_id = submitted_contract(database)
        actors = [(user("boss", "manager"), "approve"), (user("fin-1"), "approve"), (user("fin-2"), "approve"),
                  (user("law-1"), "approve"), (user("law-2"), "approve"), (user("rep"), "sign"),
                  (user("boss", "manager"), "sign"), (ADMIN, "sign")]
        outcomes = race(database, contract_id, actors)
        contract, steps = state(database, contract_id)
        assert contract.status == "signed" and len(outcomes["sign"]) == 1
        # Each step decided exactly once, by one of its approvers, all before the signature.
        assert len(outcomes["approve"]) == 3
        assert [(s.duty, s.state) for s in steps] == [("manager", "approved"), ("finance", "approved"),
                                                      ("legal", "approved")]
        assert all(s.decided_at <= contract.signed_at for s in steps)


def test_a_rejection_racing_approvals_and_signers_never_ends_signed_without_every_approval(database):
    for _ in range(3):
        contract_id = submitted_contract(database)
        actors = [(user("boss", "manager"), "approve"), (user("fin-1"), "approve"), (user("fin-2"), "reject"),
                  (user("law-1"), "approve"), (user("law-2"), "reject"), (user("rep"), "sign"), (ADMIN, "sign")]
        race(database, contract_id, actors)
        contract, steps = state(database, contract_id)
        if contract.status == "signed":
            assert all(s.state == "approved" for s in steps)
        else:
            assert contract.status == "rejected"
            assert [s.state for s in steps].count("rejected") == 1
            assert contract.signed_at is None


def test_two_hand_overs_of_the_same_lead_racing_make_one_opportunity(database):
    start = threading.Barrier(4)
    errors: list[Exception] = []

    def hand_over() -> None:
        start.wait()
        try:
            with database.session("t1") as session:
                opportunities.open_from_lead(session, qualified("lead-race", owner_id="rep"))
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)

    threads = [threading.Thread(target=hand_over) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with database.session("t1") as session:
        assert session.scalar(select(func.count()).select_from(Opportunity).where(
            Opportunity.lead_id == "lead-race")) == 1
