"""Hook implementations registered under the entry point `example_engagement`."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any

from services.core.hookspecs import Comparison, LeadScore, ScoreFactor, hookimpl

DEFAULT_WEIGHTS = {
    "page_view": 2,
    "email_open": 5,
    "call_answered": 15,
    "demo_attended": 35,
    "contract_template_viewed": 40,
}


@hookimpl
def crm_score_lead(
    lead: Mapping[str, Any], behaviour: Sequence[Mapping[str, Any]], settings: Mapping[str, Any]
) -> LeadScore:
    weights = {**DEFAULT_WEIGHTS, **settings.get("weights", {})}
    counts = Counter(event["kind"] for event in behaviour if event.get("kind") in weights)
    factors = sorted(
        (ScoreFactor(kind, float(weights[kind] * n), f"{n} × {kind}") for kind, n in counts.items()),
        key=lambda factor: factor.contribution,
        reverse=True,
    )
    return LeadScore(score=min(100.0, sum(f.contribution for f in factors)), factors=tuple(factors[:3]))


def _mailbox(email: str) -> str:
    local, _, domain = email.partition("@")
    return local.replace(".", "") + "@" + domain


@hookimpl
def crm_compare(field_name: str, left: str, right: str, settings: Mapping[str, Any]) -> Comparison | None:
    """E-mail boxes that ignore dots (li.lei@ = lilei@) agree closely; other fields are left to the built-in."""
    if field_name != "email":
        return None
    if left == right:
        return Comparison(level=3, similarity=1.0)
    if _mailbox(left) == _mailbox(right):
        return Comparison(level=2, similarity=0.9)
    return Comparison(level=0, similarity=0.0)
