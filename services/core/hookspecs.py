"""The whole plugin contract (R-PLUG-1). Partners implement these hooks in a pip package that declares

    [project.entry-points.crm]
    my_plugin = "my_package.my_module"

and mark functions with `services.core.hookspecs.hookimpl` (or `pluggy.HookimplMarker("crm")`). Each tenant
chooses, per hook, which registered plugin it uses and with which settings; a plugin that raises or times out
is isolated: the built-in answers instead, `crm_plugin_errors_total` counts it and a log line names it.

Arguments are plain Python values (dicts, lists, strings, numbers), never ORM objects, so a plugin cannot
reach into a service's database. Results are the dataclasses below.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pluggy

PROJECT = "crm"
hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)


@dataclass(frozen=True)
class ScoreFactor:
    name: str  # e.g. "behaviour_depth"
    contribution: float  # points this factor added (may be negative)
    detail: str = ""  # human-readable, e.g. "attended a demo"


@dataclass(frozen=True)
class LeadScore:
    score: float  # 0..100
    factors: Sequence[ScoreFactor] = field(default_factory=tuple)  # top factors, largest first


@dataclass(frozen=True)
class Comparison:
    level: int  # 0 disagree, 1 fuzzy, 2 close, 3 exact; -1 one side missing (no evidence either way)
    similarity: float  # 0..1, for explanations


@dataclass(frozen=True)
class BundleRecommendation:
    product_ids: Sequence[str]  # the bundle, catalogue product ids: what the account has plus what it should add
    confidence: float  # 0..1: P(the added products | the rest of the bundle)
    lift: float  # confidence / P(the added products); > 1 means bought together more often than by chance
    reason: str = ""  # human-readable, e.g. "bought together in 12 of 20 quotes"
    support: float = 0.0  # 0..1: share of the baskets holding the whole bundle


@dataclass(frozen=True)
class SendResult:
    accepted: bool
    provider_message_id: str = ""
    error: str = ""


@hookspec
def crm_score_lead(
    lead: Mapping[str, Any], behaviour: Sequence[Mapping[str, Any]], settings: Mapping[str, Any]
) -> LeadScore:
    """Score a lead 0-100 from its attributes and behaviour events (R-LEAD-5).

    `lead` holds the lead's attributes (name, company, industry, region, size, channel, ...); `behaviour` its
    behaviour events, newest first, each {"kind": "page_view" | "email_open" | ..., "at": ISO time, ...}.
    """


@hookspec
def crm_segment(customer: Mapping[str, Any], settings: Mapping[str, Any]) -> Sequence[str]:
    """Return the names of the segments a customer belongs to (R-MKT-1)."""


@hookspec
def crm_compare(field_name: str, left: str, right: str, settings: Mapping[str, Any]) -> Comparison | None:
    """Compare one field of two records for identity matching (R-ID-2): the comparison level and similarity.

    `left` and `right` are normalised features (see services/identity/matching/features.py), never empty.
    Levels: 0 disagree, 1 fuzzy, 2 close, 3 exact (higher values count as exact). Return None to leave the field
    to the built-in comparators; a tenant's plugin may thus handle only the fields it knows better.
    """


@hookspec
def crm_send(channel: str, recipient: str, message: Mapping[str, Any], settings: Mapping[str, Any]) -> SendResult:
    """Send one message through a channel (e-mail, SMS, push, ...) (R-MKT-2)."""


@hookspec
def crm_on_event(event_type: str, tenant_id: str, event: Mapping[str, Any], settings: Mapping[str, Any]) -> None:
    """React to a platform event (every registered implementation is called; failures are isolated)."""


@hookspec
def crm_assign_lead(
    lead: Mapping[str, Any], candidates: Sequence[Mapping[str, Any]], settings: Mapping[str, Any]
) -> str | None:
    """Choose the rep who gets a lead (R-LEAD-9): one of `candidates`' "user_id", or None to let the tenant's
    ordered rules decide.

    `lead` holds the lead's attributes (id, name, company, industry, region, employees, channel, score,
    temperature, previous owner); `candidates` the reps that passed the hard rules (available, under capacity) and
    the soft rules that applied, in round-robin order, each {"user_id", "team", "regions", "industries" (the
    rep's own and those of the sales territories that list them), "territories" (their names), "daily_cap",
    "holding_limit", "open_leads", "assigned_today", "conversion_rate" (None when the conversion rule
    did not run), "last_assigned_at" (ISO time or None)}. An answer that is not a candidate's user id counts as
    None: a plugin cannot give a lead to a rep who is absent or at capacity.
    """


@hookspec
def crm_recommend_bundle(
    account: Mapping[str, Any], history: Sequence[Mapping[str, Any]], catalog: Sequence[Mapping[str, Any]],
    settings: Mapping[str, Any],
) -> Sequence[BundleRecommendation]:
    """Recommend product bundles for an account (R-SALES-2: "basic edition + analytics add-on"), best first.

    `account` holds {"id", "name", "industry" (GB/T 4754 section letter or ""), "region", "customer_id",
    "owner_id"}; `history` the account's past baskets, newest first, each {"source": "quote" | "order", "id",
    "at": ISO time, "product_ids": [...]}; `catalog` the tenant's active products, each {"id", "sku", "name",
    "unit"}. Product ids that are not in `catalog` are dropped from an answer, and so are recommendations that
    add nothing the account does not already buy. The sales service's own association-rule model
    (services/sales/bundles.py) answers when the tenant chose "builtin" or the chosen plugin fails.
    """
