"""Hook implementations registered under the entry point `predictive_scoring`.

The tenant's settings are the trained parameters (`crm-predictive-scoring train` writes them; `crm leads
scoring-model --tenant T --plugin predictive_scoring --settings params.json` installs them), optionally with
"scale": "probability" for 100 x the probability of winning instead of the percentile among past leads.
Settings without parameters raise NotTrained: the platform then scores with its default model and counts it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from crm_plugin_predictive_scoring.model import terms, to_score
from services.core.hookspecs import LeadScore, ScoreFactor, hookimpl

TOP_FACTORS = 4
SOURCES = {
    "employees": "company size", "budget": "budget", "interactions": "recent interactions",
    "page_view": "page views", "email_open": "e-mails opened", "call_answered": "calls answered",
    "demo_attended": "demo attended", "contract_template_viewed": "contract template viewed",
    "industry": "industry", "section": "industry section", "region": "region", "channel": "channel",
}


@hookimpl
def crm_score_lead(
    lead: Mapping[str, Any], behaviour: Sequence[Mapping[str, Any]], settings: Mapping[str, Any]
) -> LeadScore:
    scale = settings.get("scale", "percentile")
    logit, parts = terms(settings.get("model") or {}, lead, behaviour)
    score = to_score(settings["model"], logit, scale)
    # A factor's points: how much lower the score would be without its part of the logit.
    factors = []
    for source, part in parts.items():
        if part:
            points = score - to_score(settings["model"], logit - part, scale)
            factors.append(ScoreFactor(source, round(points, 2), _detail(source, lead)))
    factors.sort(key=lambda factor: -factor.contribution)
    return LeadScore(score=round(score, 2), factors=tuple(factors[:TOP_FACTORS]))


def _detail(source: str, lead: Mapping[str, Any]) -> str:
    label = SOURCES.get(source, source)
    if source in ("industry", "region", "channel"):
        return f"{label}: {lead.get(source) or '-'}"
    if source in ("employees", "budget"):
        return f"{label}: {lead.get(source) or 'unknown'}"
    counts = lead.get("behaviour_counts") or {}
    if source in counts:
        return f"{label}: {counts[source]}"
    return label
