"""Recommended bundles (R-SALES-2): association rules over a small basket set whose rules are computed by hand, the
account's history vs similar accounts of its industry, the crm_recommend_bundle plugin with the built-in fallback,
permissions and the RPC."""

from __future__ import annotations

import json

import grpc
import pytest

from crm.sales.v1 import sales_pb2, sales_pb2_grpc
from services.core.errors import FailedPrecondition, NotFound
from services.core.hookspecs import BundleRecommendation, hookimpl
from services.core.i18n import localize
from services.core.plugins import PluginHost
from services.sales import accounts, bundles, opportunities, quotes
from tests.unit.conftest import sample
from tests.unit.services.test_sales_opportunities import ADMIN, add_roster

# Ten baskets: B basic edition, A analytics add-on, S support plan, X extra seats. By hand:
# count B=6, A=5, S=4, X=3; BA=4, BS=2, AS=1, SX=2; BAS=1 (not counted: AS is not frequent).
# With min_count 2 (min_support 5% of 10 = 1 basket):
#   A -> B: conf 4/5 = 0.8,    lift 0.8 / 0.6 = 1.3333, support 0.4
#   B -> A: conf 4/6 = 0.6667, lift 0.6667 / 0.5 = 1.3333, support 0.4
#   X -> S: conf 2/3 = 0.6667, lift 0.6667 / 0.4 = 1.6667, support 0.2
#   S -> X: conf 2/4 = 0.5,    lift 0.5 / 0.3 = 1.6667, support 0.2
#   B -> S (conf 0.3333, lift 0.8333) and S -> B (0.5, 0.8333): lift below 1, dropped.
BASKETS = [("I", "BA"), ("I", "BA"), ("I", "BAS"), ("I", "BA"), ("I", "BS"), ("I", "B"),
           ("C", "A"), ("C", "SX"), ("C", "SX"), ("C", "X")]


def rules_of(baskets, **settings):
    return {(rule.antecedent, rule.consequent): (rule.count, round(rule.confidence, 4), round(rule.lift, 4),
                                                 round(rule.support, 4))
            for rule in bundles.mine_rules([set(items) for _, items in baskets], settings)}


def test_rules_of_the_known_baskets_are_the_hand_computed_ones():
    assert rules_of(BASKETS) == {
        (("A",), "B"): (4, 0.8, 1.3333, 0.4),
        (("B",), "A"): (4, 0.6667, 1.3333, 0.4),
        (("X",), "S"): (2, 0.6667, 1.6667, 0.2),
        (("S",), "X"): (2, 0.5, 1.6667, 0.2),
    }
    # Thresholds: support 30% leaves BA (4 baskets); confidence 0.7 leaves A -> B only.
    assert set(rules_of(BASKETS, min_support=0.3)) == {(("A",), "B"), (("B",), "A")}
    assert set(rules_of(BASKETS, min_confidence=0.7)) == {(("A",), "B")}
    # A two-product antecedent: BAS twice more makes AS frequent, so BA -> S is counted:
    # 12 baskets, BA=6, BAS=3, S=6: conf 3/6 = 0.5, lift 0.5 / (6/12) = 1, not above 1: dropped.
    # A -> B: BA=6, A=7, B=8: conf 6/7 = 0.8571, lift 0.8571 / (8/12) = 1.2857, support 6/12.
    more = rules_of([*BASKETS, ("I", "BAS"), ("I", "BAS")])
    assert (("A", "B"), "S") not in more and more[(("A",), "B")] == (6, 0.8571, 1.2857, 0.5)
    assert bundles.mine_rules([]) == [] and bundles.mine_rules([set(), {"A"}]) == []


def test_a_two_product_antecedent():
    # BAS in 3 of 6 baskets, BA in 3, S alone in 3: BA -> S conf 3/3 = 1, lift 1 / (6/9) = 1.5, support 3/9.
    baskets = [set("BAS")] * 3 + [set("S")] * 3 + [set("BX")] * 3
    found = {(r.antecedent, r.consequent): (r.count, round(r.confidence, 4), round(r.lift, 4))
             for r in bundles.mine_rules(baskets)}
    assert found[(("A", "B"), "S")] == (3, 1.0, 1.5)
    assert found[(("A",), "B")] == (3, 1.0, 1.5)


CATALOG = [{"id": item, "sku": item, "name": name, "unit": ""}
           for item, name in (("A", "Analytics"), ("B", "基础版"), ("S", "Support"), ("X", "Extra seats"))]


def bundles_of(account, history, **settings):
    found = bundles.recommend(account, [{"product_ids": list(items)} for items in history], CATALOG, settings,
                              baskets=[(industry, frozenset(items)) for industry, items in BASKETS])
    return [(tuple(r.product_ids), r.confidence, r.lift, r.support) for r in found], found


def test_an_account_with_history_gets_what_goes_with_what_it_buys():
    ranked, found = bundles_of({"industry": "I"}, ["B"])
    assert ranked == [(("B", "A"), 0.6667, 1.3333, 0.4)]
    assert str(found[0].reason) == ("customers who buy 基础版 also buy Analytics in 67% of cases (4 of 10 baskets, "
                                    "lift 1.33)")
    assert "客户" in localize(found[0].reason, "zh_CN")
    # Buying B and S: B -> A (0.6667) before S -> X (0.5); S -> B is about something it has.
    assert [bundle for bundle, *_ in bundles_of({"industry": "I"}, ["B", "S"])[0]] == [("B", "A"), ("S", "X")]
    assert bundles_of({"industry": "I"}, ["B", "A", "S", "X"])[0] == []
    assert bundles_of({"industry": "I"}, ["B", "S"], max_results=1)[0] == [(("B", "A"), 0.6667, 1.3333, 0.4)]


def test_an_account_without_history_learns_from_its_industry_or_the_tenant():
    # Industry C has 4 baskets: A, SX, SX, X. S -> X conf 2/2 = 1, lift 1 / (3/4) = 1.3333, support 0.5.
    ranked, found = bundles_of({"industry": "C"}, [], min_industry_baskets=4)
    assert ranked == [(("S", "X"), 1.0, 1.3333, 0.5)]
    assert "same industry" in str(found[0].reason)
    # Default: at least 5 baskets of the industry, so the whole tenant: A -> B, then X -> S (B -> A is the same
    # bundle as A -> B).
    assert bundles_of({"industry": "C"}, [])[0] == [(("A", "B"), 0.8, 1.3333, 0.4), (("X", "S"), 0.6667, 1.6667, 0.2)]
    assert bundles_of({"industry": ""}, [])[0] == bundles_of({"industry": "C"}, [])[0]


def test_products_no_longer_in_the_catalogue_are_not_recommended():
    catalog = [p for p in CATALOG if p["id"] != "A"]
    found = bundles.recommend({"industry": "I"}, [{"product_ids": ["B"]}], catalog, {},
                              baskets=[(industry, frozenset(items)) for industry, items in BASKETS])
    assert found == []


# --- through the database ------------------------------------------------------------------------------------


@pytest.fixture
def database(migrated_database):
    database = migrated_database("sales")
    add_roster(database)
    return database


def load_baskets(database):
    """The ten baskets as quotes, one account each; returns {name: account id} and {letter: product id}."""
    with database.session("t1") as session:
        ids = {}
        for letter, name in (("A", "Analytics add-on"), ("B", "基础版"), ("S", "Support"), ("X", "Extra seats")):
            ids[letter] = quotes.create_product(session, caller=ADMIN, sku=letter, name=name, tax_rate="0.13").id
        price_list = quotes.create_price_list(session, caller=ADMIN, name="CNY", currency="CNY",
                                              items=[(product_id, "100", "CNY") for product_id in ids.values()]).id
        account_ids = {}
        for position, (industry, items) in enumerate(BASKETS):
            account = accounts.create_account(session, tenant="t1", caller=ADMIN, name=f"Acme {position}",
                                              industry=industry, owner_id="rep-1")
            opportunity = opportunities.create_opportunity(session, caller=ADMIN, name="Deal",
                                                           account_id=account.id, owner_id="rep-1")
            quotes.create_quote(session, caller=ADMIN, opportunity_id=opportunity.id, price_list_id=price_list,
                                lines=[(ids[letter], "1", "0") for letter in items])
            account_ids[position] = account.id
        account_ids["new"] = accounts.create_account(session, tenant="t1", caller=ADMIN, name="New Co",
                                                     industry="C", owner_id="rep-3").id
        return account_ids, ids


def test_recommendations_from_the_tenants_quotes(database, caller):
    accounts_by, ids = load_baskets(database)
    letter = {product_id: name for name, product_id in ids.items()}
    rep = caller("sales", subject="rep-1")
    with database.session("t1") as session:
        # Basket 5 (index 5) is "B" alone.
        found = bundles.recommend_for_account(session, caller=rep, account_id=accounts_by[5])
        assert found.model == "builtin" and found.owned == {ids["B"]}
        assert [("".join(letter[p] for p in r.product_ids), r.confidence, r.lift) for r in found.items] == [
            ("BA", 0.6667, 1.3333)]
        # Basket 4 is B + S.
        found = bundles.recommend_for_account(session, caller=rep, account_id=accounts_by[4])
        assert ["".join(letter[p] for p in r.product_ids) for r in found.items] == ["BA", "SX"]
        # A rep of another team does not see rep-1's account; rep-3 sees their own new one.
        with pytest.raises(NotFound):
            bundles.recommend_for_account(session, caller=caller("sales", subject="rep-3"), account_id=accounts_by[5])
        found = bundles.recommend_for_account(session, caller=caller("sales", subject="rep-3"),
                                              account_id=accounts_by["new"])
        assert ["".join(letter[p] for p in r.product_ids) for r in found.items] == ["AB", "XS"]
        # The tenant lowers the industry threshold: the new C account learns from the 4 C baskets.
        bundles.set_model(session, caller=ADMIN, plugin="builtin", settings={"min_industry_baskets": 4})
        found = bundles.recommend_for_account(session, caller=caller("manager", subject="boss-west"),
                                              account_id=accounts_by["new"])
        assert [("".join(letter[p] for p in r.product_ids), r.confidence) for r in found.items] == [("SX", 1.0)]


class GoodPlugin:
    @hookimpl
    def crm_recommend_bundle(self, account, history, catalog, settings):
        skus = {product["sku"]: product["id"] for product in catalog}
        return [BundleRecommendation([skus["X"], "no-such-product"], 0.9, 3.0, f"partner says {settings['tag']}"),
                BundleRecommendation([skus["B"]], 0.9, 3.0, "already bought: dropped")]


class BrokenPlugin:
    @hookimpl
    def crm_recommend_bundle(self, account, history, catalog, settings):
        return [{"product_ids": ["B"]}]  # not a BundleRecommendation


class FailingPlugin:
    @hookimpl
    def crm_recommend_bundle(self, account, history, catalog, settings):
        raise RuntimeError("model file missing")


def test_a_tenants_plugin_answers_and_the_builtin_takes_over_when_it_fails(database, caller):
    accounts_by, ids = load_baskets(database)
    host = PluginHost(load_entry_points=False)
    for name, plugin in (("good", GoodPlugin()), ("broken", BrokenPlugin()), ("failing", FailingPlugin())):
        host.register(plugin, name=name)
    rep = caller("sales", subject="rep-1")
    try:
        with database.session("t1") as session:
            with pytest.raises(FailedPrecondition):
                bundles.set_model(session, caller=ADMIN, plugin="absent", plugins=host)
            bundles.set_model(session, caller=ADMIN, plugin="good", settings={"tag": "hi"}, plugins=host)
            found = bundles.recommend_for_account(session, caller=rep, account_id=accounts_by[5], plugins=host)
            assert found.model == "good"
            assert [(list(r.product_ids), r.reason) for r in found.items] == [([ids["X"]], "partner says hi")]
            for name, reason in (("broken", "invalid"), ("failing", "exception")):
                before = sample("crm_plugin_errors_total", hook="crm_recommend_bundle", plugin=name, reason=reason)
                bundles.set_model(session, caller=ADMIN, plugin=name, plugins=host)
                found = bundles.recommend_for_account(session, caller=rep, account_id=accounts_by[5], plugins=host)
                assert found.model == "builtin" and [len(r.product_ids) for r in found.items] == [2]
                assert sample("crm_plugin_errors_total", hook="crm_recommend_bundle", plugin=name,
                              reason=reason) == before + 1
    finally:
        host.close()


def test_recommend_bundles_rpc(grpc_service):
    service = grpc_service("sales")
    stub = sales_pb2_grpc.SalesServiceStub(service.channel)
    accounts_by, ids = load_baskets(service.database)
    rep = service.metadata("sales", subject="rep-1")
    got = stub.RecommendBundles(sales_pb2.RecommendBundlesRequest(account_id=accounts_by[5]),
                                metadata=[*rep, ("accept-language", "zh-CN")])
    assert got.model == "builtin"
    [only] = got.recommendations
    assert (list(only.product_ids), list(only.new_product_ids)) == ([ids["B"], ids["A"]], [ids["A"]])
    assert (only.confidence, only.lift, only.support) == ("0.6667", "1.3333", "0.4")
    assert "基础版" in only.reason and "客户" in only.reason
    with pytest.raises(grpc.RpcError) as raised:
        stub.SetBundleModel(sales_pb2.SetBundleModelRequest(plugin="builtin", settings_json=json.dumps(
            {"min_confidence": 2, "nope": 1})), metadata=service.metadata("admin", subject="root"))
    assert set(service.violations(raised.value)) == {"settings_json.min_confidence", "settings_json.nope"}
    with pytest.raises(grpc.RpcError) as raised:
        stub.SetBundleModel(sales_pb2.SetBundleModelRequest(plugin="builtin"), metadata=rep)
    assert raised.value.code() == grpc.StatusCode.PERMISSION_DENIED
    with pytest.raises(grpc.RpcError) as raised:
        stub.RecommendBundles(sales_pb2.RecommendBundlesRequest(account_id=accounts_by[5]),
                              metadata=service.metadata("sales", subject="rep-3"))
    assert raised.value.code() == grpc.StatusCode.NOT_FOUND
