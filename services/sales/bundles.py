"""Recommended bundles (R-SALES-2: "basic edition + analytics add-on") through the `crm_recommend_bundle` hook.

The built-in model is association rules over the tenant's baskets: every quote and every order (refunded ones
excepted) is a basket, the set of its products. Over N baskets, for a rule A -> b (A a set of one or two products,
b one product):

    support(A + b) = count(A + b) / N        confidence = count(A + b) / count(A)
    lift = confidence / (count(b) / N)       (> 1: bought together more often than by chance)

Itemsets are counted Apriori-style (pairs only of frequent products, triples only when every pair in them is
frequent). A rule is kept when count(A + b) >= min_count, support >= min_support, confidence >= min_confidence and
lift > min_lift (settings below).

- An account with history (its own quotes and orders): rules whose A it already buys and whose b it does not; the
  bundle is A + b, "new" is b; the best rule per b.
- An account without history: the rules learnt from the baskets of accounts of the same industry (all the
  tenant's baskets when the account has no industry or its industry has too few baskets); the whole bundle is new.

Ranked by confidence, then lift, then support. Like lead scoring (services/leads/scoring.py), the kernel's
builtin_plugins.py holds no domain logic: this module is the built-in of the hook. It runs the model itself when the
tenant's choice is "builtin", and when the chosen plugin fails, times out, is not installed or answers something
that is not a list of BundleRecommendation (counted in crm_plugin_errors_total, reason "invalid").
"""

from __future__ import annotations

import itertools
import logging
import math
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.core.auth import Caller
from services.core.errors import FailedPrecondition, NotFound, Validator
from services.core.hookspecs import BundleRecommendation
from services.core.i18n import t
from services.core.metrics import PLUGIN_ERRORS
from services.core.plugins import BUILTIN, Choice, NoImplementation, PluginHost, choice_for, choose
from services.sales import access, orders
from services.sales.models import Account, Opportunity, Product, Quote, QuoteLine, SalesOrder, SalesOrderLine

log = logging.getLogger("crm.sales.bundles")

HOOK = "crm_recommend_bundle"
READ_ROLES = ("sales", "manager", "admin", "auditor")

DEFAULTS: dict[str, float] = {
    "min_support": 0.05,  # share of baskets holding the whole bundle
    "min_confidence": 0.3,
    "min_lift": 1.0,  # strictly above
    "min_count": 2,  # baskets holding the whole bundle: one deal is an anecdote
    "max_results": 5,
    "max_baskets": 20_000,  # newest baskets the rules are learnt from
    "min_industry_baskets": 5,  # fewer baskets of the account's industry: learn from the whole tenant
}
_BOUNDS: dict[str, tuple[float, float]] = {
    "min_support": (0, 1), "min_confidence": (0, 1), "min_lift": (0, 1000), "min_count": (1, 1_000_000),
    "max_results": (1, 50), "max_baskets": (10, 1_000_000), "min_industry_baskets": (0, 1_000_000),
}
_INTEGERS = {"min_count", "max_results", "max_baskets", "min_industry_baskets"}


def model_settings(values: Mapping[str, Any] | None) -> dict[str, float]:
    """The model's thresholds: the tenant's (the builtin choice's settings) within bounds, else the defaults."""
    result = dict(DEFAULTS)
    for name, value in (values or {}).items():
        if name in _BOUNDS and isinstance(value, int | float) and not isinstance(value, bool):
            low, high = _BOUNDS[name]
            if low <= value <= high:
                result[name] = int(value) if name in _INTEGERS else float(value)
    return result


def validate_settings(values: Mapping[str, Any]) -> dict[str, float]:
    check = Validator()
    for name, value in values.items():
        if not check.check(name in _BOUNDS, f"settings_json.{name}", t("is not a setting of this model")):
            continue
        low, high = _BOUNDS[name]
        number = isinstance(value, int | float) and not isinstance(value, bool)
        check.check(number and low <= value <= high, f"settings_json.{name}",
                    t("must be a number between {min} and {max}", min=low, max=high))
    check.raise_if_any()
    return model_settings(values)


# --- the association-rule model -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Rule:
    antecedent: tuple[str, ...]  # sorted
    consequent: str
    count: int  # baskets holding antecedent + consequent
    support: float
    confidence: float
    lift: float


def mine_rules(baskets: Iterable[Iterable[str]], settings: Mapping[str, Any] | None = None) -> list[Rule]:
    """Every rule A -> b (|A| in 1..2) passing the thresholds, over the given baskets (sets of product ids)."""
    limits = model_settings(settings)
    sets = [frozenset(basket) for basket in baskets]
    sets = [basket for basket in sets if basket]
    total = len(sets)
    if total == 0:
        return []
    needed = max(int(limits["min_count"]), math.ceil(limits["min_support"] * total - 1e-9))
    singles = Counter(item for basket in sets for item in basket)
    frequent = {item for item, count in singles.items() if count >= needed}
    pairs: Counter[tuple[str, ...]] = Counter()
    for basket in sets:
        pairs.update(itertools.combinations(sorted(basket & frequent), 2))
    frequent_pairs = {pair for pair, count in pairs.items() if count >= needed}
    triples: Counter[tuple[str, ...]] = Counter()
    if frequent_pairs:
        for basket in sets:
            items = sorted(basket & frequent)
            triples.update(triple for triple in itertools.combinations(items, 3)
                           if all(pair in frequent_pairs for pair in itertools.combinations(triple, 2)))
    counts: dict[tuple[str, ...], int] = {(item,): count for item, count in singles.items()}
    counts.update(pairs)
    counts.update(triples)
    rules: list[Rule] = []
    for itemset, count in itertools.chain(pairs.items(), triples.items()):
        if count < needed:
            continue
        for consequent in itemset:
            antecedent = tuple(item for item in itemset if item != consequent)
            confidence = count / counts[antecedent]
            lift = confidence / (singles[consequent] / total)
            if confidence >= limits["min_confidence"] and lift > limits["min_lift"]:
                rules.append(Rule(antecedent, consequent, count, count / total, confidence, lift))
    return rules


def _rank(rule: Rule) -> tuple:
    return (-rule.confidence, -rule.lift, -rule.support, rule.antecedent, rule.consequent)


def _percent(value: float) -> str:
    return f"{value * 100:.0f}%"


def recommend(account: Mapping[str, Any], history: Sequence[Mapping[str, Any]], catalog: Sequence[Mapping[str, Any]],
              settings: Mapping[str, Any], *, baskets: Sequence[tuple[str, frozenset[str]]]
              ) -> list[BundleRecommendation]:
    """The built-in answer. `baskets`: the tenant's baskets as (account industry, product ids), newest first."""
    limits = model_settings(settings)
    names = {product["id"]: product["name"] for product in catalog}
    owned = {item for basket in history for item in basket["product_ids"]} & names.keys()
    industry = account.get("industry") or ""
    if owned:
        learnt_from, scope = [items for _, items in baskets], "all"
    else:
        similar = [items for their_industry, items in baskets if industry and their_industry == industry]
        if industry and len(similar) >= limits["min_industry_baskets"]:
            learnt_from, scope = similar, "industry"
        else:
            learnt_from, scope = [items for _, items in baskets], "all"
    rules = sorted((rule for rule in mine_rules(learnt_from, limits)
                    if rule.consequent in names and all(item in names for item in rule.antecedent)), key=_rank)
    results: list[BundleRecommendation] = []
    seen: set[tuple[str, ...] | str] = set()
    for rule in rules:
        if owned:
            if not set(rule.antecedent) <= owned or rule.consequent in owned or rule.consequent in seen:
                continue
            seen.add(rule.consequent)
            bundle = (*rule.antecedent, rule.consequent)
            why = t("customers who buy {have} also buy {add} in {confidence} of cases ({count} of {total} "
                    "baskets, lift {lift})", have=" + ".join(names[item] for item in rule.antecedent),
                    add=names[rule.consequent], confidence=_percent(rule.confidence), count=rule.count,
                    total=len(learnt_from), lift=f"{rule.lift:.2f}")
        else:
            key = tuple(sorted((*rule.antecedent, rule.consequent)))
            if key in seen:
                continue
            seen.add(key)
            bundle = (*rule.antecedent, rule.consequent)
            facts = {"count": rule.count, "total": len(learnt_from), "lift": f"{rule.lift:.2f}"}
            why = (t("often bought together by accounts of the same industry ({count} of {total} baskets, "
                     "lift {lift})", **facts) if scope == "industry"
                   else t("often bought together ({count} of {total} baskets, lift {lift})", **facts))
        results.append(BundleRecommendation(product_ids=tuple(bundle), confidence=round(rule.confidence, 4),
                                            lift=round(rule.lift, 4), reason=why,
                                            support=round(rule.support, 4)))
        if len(results) >= limits["max_results"]:
            break
    return results


# --- reading the tenant's baskets --------------------------------------------------------------------------------


def _with_products(session: Session, heads: list, parent_id, product_id) -> list[tuple]:  # noqa: ANN001 - columns
    """(source id, account id, time, account industry) rows -> the same with the frozenset of their product ids,
    read from the line table in batches of 500 sources."""
    items: dict[str, set[str]] = {source_id: set() for source_id, *_ in heads}
    ids = list(items)
    for start in range(0, len(ids), 500):
        for source_id, product in session.execute(select(parent_id, product_id)
                                                  .where(parent_id.in_(ids[start:start + 500]))):
            items[source_id].add(product)
    return [(source_id, account, at, industry, frozenset(items[source_id]))
            for source_id, account, at, industry in heads]


def _quote_baskets(session: Session, *, limit: int, account_id: str | None = None
                   ) -> list[tuple[str, str, Any, str, frozenset[str]]]:
    """(source id, account id, time, account industry, product ids) of the newest quotes."""
    query = (select(Quote.id, Opportunity.account_id, Quote.created_at, Account.industry)
             .join(Opportunity, Opportunity.id == Quote.opportunity_id)
             .join(Account, Account.id == Opportunity.account_id)
             .order_by(Quote.created_at.desc(), Quote.id).limit(limit))
    if account_id is not None:
        query = query.where(Opportunity.account_id == account_id)
    return _with_products(session, session.execute(query).all(), QuoteLine.quote_id, QuoteLine.product_id)


def order_baskets(session: Session, *, limit: int, account_id: str | None = None) -> list[tuple]:
    """The same for the newest orders; refunded and cancelled orders do not count."""
    query = (select(SalesOrder.id, SalesOrder.account_id, SalesOrder.placed_at, Account.industry)
             .join(Account, Account.id == SalesOrder.account_id)
             .where(SalesOrder.status.not_in((orders.REFUNDED, orders.CANCELLED)))
             .order_by(SalesOrder.placed_at.desc(), SalesOrder.id).limit(limit))
    if account_id is not None:
        query = query.where(SalesOrder.account_id == account_id)
    return _with_products(session, session.execute(query).all(), SalesOrderLine.order_id, SalesOrderLine.product_id)


# Basket sources: function(session, limit=, account_id=) -> rows as above (orders: refunded ones do not count).
BASKET_SOURCES: list[tuple[str, Any]] = [("quote", _quote_baskets), ("order", order_baskets)]


def tenant_baskets(session: Session, *, limit: int, account_id: str | None = None
                   ) -> list[tuple[str, str, str, Any, str, frozenset[str]]]:
    """(source, id, account id, time, industry, product ids), newest first, of every source."""
    rows = [(source, *row) for source, read in BASKET_SOURCES for row in read(session, limit=limit,
                                                                              account_id=account_id)]
    rows.sort(key=lambda row: (row[3], row[1]), reverse=True)
    return rows[:limit]


def _valid(answer: Any, catalog_ids: set[str], owned: set[str], limit: int) -> list[BundleRecommendation] | None:
    if not isinstance(answer, list | tuple):
        return None
    results = []
    for item in answer:
        if not isinstance(item, BundleRecommendation):
            return None
        try:
            ids = tuple(dict.fromkeys(str(product_id) for product_id in item.product_ids))
            confidence, lift, support = float(item.confidence), float(item.lift), float(item.support)
        except (TypeError, ValueError):
            return None
        if not (0 <= confidence <= 1 and 0 <= support <= 1 and math.isfinite(lift) and lift >= 0):
            return None
        ids = tuple(product_id for product_id in ids if product_id in catalog_ids)
        if not set(ids) - owned:
            continue
        results.append(BundleRecommendation(ids, confidence, lift, str(item.reason or "")[:500], support))
    return results[:limit]


@dataclass(frozen=True)
class Recommendations:
    account: Account
    owned: frozenset[str]
    items: list[BundleRecommendation]
    model: str


def recommend_for_account(session: Session, *, caller: Caller, account_id: str,
                          plugins: PluginHost | None = None) -> Recommendations:
    """The tenant's model's bundles for an account the caller may read (NOT_FOUND otherwise)."""
    caller.require_role(*READ_ROLES)
    account = session.get(Account, account_id) if account_id else None
    if account is None or not _may_read_account(session, caller, account):
        raise NotFound(t("account {id} not found", id=repr(account_id)))
    choice = choice_for(session, HOOK)
    limits = model_settings(choice.settings if choice.plugin == BUILTIN else {})
    own_rows = tenant_baskets(session, limit=int(limits["max_baskets"]), account_id=account.id)
    history = [{"source": source, "id": row_id, "at": at.isoformat() if at else None, "product_ids": sorted(items)}
               for source, row_id, _, at, _, items in own_rows]
    products = list(session.scalars(select(Product).where(Product.active.is_(True)).order_by(Product.sku)))
    catalog = [{"id": p.id, "sku": p.sku, "name": p.name, "unit": p.unit} for p in products]
    account_facts = {"id": account.id, "name": account.name, "industry": account.industry, "region": account.region,
                     "customer_id": account.customer_id, "owner_id": account.owner_id}
    owned = frozenset(item for basket in history for item in basket["product_ids"])
    if choice.plugin != BUILTIN:
        try:
            answer = _host(plugins).call(HOOK, choice, account=account_facts, history=history,
                                                    catalog=catalog)
        except NoImplementation:
            answer = None  # the host counted the failure; no kernel built-in recommends bundles: this module does
        else:
            valid = _valid(answer, {p["id"] for p in catalog}, set(owned), int(limits["max_results"]))
            if valid is not None:
                return Recommendations(account, owned, valid, choice.plugin)
            PLUGIN_ERRORS.labels(HOOK, choice.plugin, "invalid").inc()
            log.warning("plugin %s returned no valid bundles (%r); using the built-in model", choice.plugin, answer)
    baskets = [(industry, items) for _, _, _, _, industry, items in
               tenant_baskets(session, limit=int(limits["max_baskets"]))]
    items = recommend(account_facts, history, catalog, limits, baskets=baskets)
    return Recommendations(account, owned, items, BUILTIN)


def _may_read_account(session: Session, caller: Caller, account: Account) -> bool:
    scope = access.scope_of(session, caller)
    if scope.read_all or scope.change_all or account.owner_id == scope.subject:
        return True
    owner = access.member(session, account.owner_id)
    return bool(scope.team) and owner is not None and owner.team == scope.team


_default_host: PluginHost | None = None


def _host(plugins: PluginHost | None) -> PluginHost:
    """The service's host (api.py passes it), or one made once for callers without one (CLI, tests)."""
    global _default_host
    if plugins is not None:
        return plugins
    if _default_host is None:
        _default_host = PluginHost()
    return _default_host


def installed_models(plugins: PluginHost | None = None) -> list[str]:
    return sorted({BUILTIN, *_host(plugins).implementations(HOOK)})


def set_model(session: Session, *, caller: Caller, plugin: str, settings: Mapping[str, Any] | None = None,
              plugins: PluginHost | None = None) -> Choice:
    """Choose the tenant's bundle model: "builtin" (settings: the thresholds above) or an installed plugin."""
    caller.require_role("admin")
    plugin = (plugin or "").strip() or BUILTIN
    if plugin not in installed_models(plugins):
        raise FailedPrecondition(t("bundle model {name} is not installed", name=repr(plugin)))
    values = dict(settings or {})
    if plugin == BUILTIN:
        validate_settings(values)
    choose(session, HOOK, plugin, values)
    return Choice(plugin, values)
