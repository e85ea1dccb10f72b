"""The features of one lead, the same for training (a row of the won/lost history) and for scoring (the `lead`
and `behaviour` the crm_score_lead hook receives): plain Python, no numpy, so every replica computes them alike."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

KINDS = ("page_view", "email_open", "call_answered", "demo_attended", "contract_template_viewed")
HALF_LIFE_SECONDS = 7 * 86400.0  # as the leads service decays interactions
CATEGORIES = ("industry", "section", "region", "channel")
NUMERIC = (
    "employees_log", "employees_known", "budget_log", "budget_known",
    *(f"{kind}_log" for kind in KINDS), *(f"{kind}_seen" for kind in KINDS), "interactions_log",
)

# GB/T 4754-2017: the divisions (two-digit codes) of each section letter.
SECTIONS = (("A", 1, 5), ("B", 6, 12), ("C", 13, 43), ("D", 44, 46), ("E", 47, 50), ("F", 51, 52), ("G", 53, 60),
            ("H", 61, 62), ("I", 63, 65), ("J", 66, 69), ("K", 70, 70), ("L", 71, 72), ("M", 73, 75), ("N", 76, 79),
            ("O", 80, 82), ("P", 83, 83), ("Q", 84, 85), ("R", 86, 90), ("S", 91, 96), ("T", 97, 97))


def section_of(division: str) -> str:
    if division.isdigit():
        code = int(division)
        for letter, low, high in SECTIONS:
            if low <= code <= high:
                return letter
    return ""


def _number(value: Any) -> float:
    try:
        number = float(value) if value not in (None, "") else 0.0
    except (TypeError, ValueError):
        return 0.0
    return number if math.isfinite(number) and number > 0 else 0.0


def _counts(lead: Mapping[str, Any], behaviour: Sequence[Mapping[str, Any]]) -> dict[str, float]:
    given = lead.get("behaviour_counts")
    if isinstance(given, Mapping):
        return {kind: _number(given.get(kind)) for kind in KINDS}
    counted = Counter(event.get("kind") for event in behaviour)
    return {kind: float(counted.get(kind, 0)) for kind in KINDS}


def _interactions(lead: Mapping[str, Any], behaviour: Sequence[Mapping[str, Any]], now: datetime | None) -> float:
    if lead.get("interactions") is not None:
        return _number(lead.get("interactions"))
    now = now or datetime.now(UTC)
    total = 0.0
    for event in behaviour:
        try:
            at = datetime.fromisoformat(str(event.get("at")))
        except ValueError:
            continue
        total += 2.0 ** (-max((now - at).total_seconds(), 0.0) / HALF_LIFE_SECONDS)
    return total


def features(
    lead: Mapping[str, Any], behaviour: Sequence[Mapping[str, Any]] = (), now: datetime | None = None
) -> tuple[dict[str, float], dict[str, str]]:
    """(numeric features, categorical features) of one lead.

    `lead` as the hook gets it (industry, region, employees, budget, channel, behaviour_counts, interactions) or a
    history row converted by `history_lead`; without behaviour_counts/interactions they come from `behaviour`.
    """
    counts = _counts(lead, behaviour)
    employees, budget = _number(lead.get("employees")), _number(lead.get("budget"))
    numeric = {
        "employees_log": math.log1p(employees), "employees_known": float(employees > 0),
        "budget_log": math.log1p(budget), "budget_known": float(budget > 0),
        **{f"{kind}_log": math.log1p(counts[kind]) for kind in KINDS},
        **{f"{kind}_seen": float(counts[kind] > 0) for kind in KINDS},
        "interactions_log": math.log1p(_interactions(lead, behaviour, now)),
    }
    industry = str(lead.get("industry") or "").strip()
    categorical = {
        "industry": industry, "section": section_of(industry),
        "region": str(lead.get("region") or "").strip().lower(),
        "channel": str(lead.get("channel") or "").strip().lower(),
    }
    return numeric, categorical


def history_lead(row: Mapping[str, Any]) -> dict[str, Any]:
    """A row of the won/lost history (`crm leads export-history`) as the hook's `lead`."""
    return {
        "industry": row.get("industry") or "", "region": row.get("region") or "",
        "employees": row.get("employees"), "budget": row.get("budget"), "channel": row.get("channel") or "",
        "behaviour_counts": {kind: row.get(kind) for kind in KINDS},
        "interactions": row.get("interactions") or 0.0,
    }
