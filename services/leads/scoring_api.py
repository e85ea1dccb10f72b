"""proto <-> domain for the scoring RPCs (the servicer methods are in api.py, section "scoring and behaviour")."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import grpc

from crm.common.v1 import common_pb2
from crm.leads.v1 import leads_pb2
from services.core.hookspecs import ScoreFactor
from services.core.i18n import DEFAULT_LOCALE, localize, negotiate
from services.leads.models import ScoreRecord
from services.leads.scoring import FACTORS, ScoringSettings, factors_from_json


def caller_locale(context: grpc.ServicerContext | None) -> str:
    """The language the caller asked for (gRPC metadata accept-language), for explanations."""
    for key, value in (context.invocation_metadata() if context is not None else None) or ():
        if key == "accept-language":
            return negotiate(value)
    return DEFAULT_LOCALE


def factors_to_proto(factors: Sequence[ScoreFactor], locale: str) -> list[leads_pb2.ScoreFactor]:
    return [leads_pb2.ScoreFactor(name=f.name, contribution=f.contribution, detail=localize(f.detail, locale))
            for f in factors]


def score_to_proto(
    *, lead_id: str, score: float, temperature: str, model: str, factors: Sequence[ScoreFactor],
    scored_at: datetime | None, locale: str,
) -> leads_pb2.LeadScore:
    message = leads_pb2.LeadScore(lead_id=lead_id, score=score, temperature=temperature, model=model,
                                  factors=factors_to_proto(factors, locale))
    if scored_at is not None:
        message.score_time.FromDatetime(scored_at)
    return message


def record_to_proto(record: ScoreRecord, locale: str) -> leads_pb2.LeadScore:
    return score_to_proto(lead_id=record.lead_id, score=record.score, temperature=record.temperature,
                          model=record.model, factors=factors_from_json(record.factors), scored_at=record.scored_at,
                          locale=locale)


def settings_to_proto(settings: ScoringSettings) -> leads_pb2.ScoringSettings:
    message = leads_pb2.ScoringSettings(
        weights=leads_pb2.ScoringWeights(**{name: settings.weights[name] for name in FACTORS}),
        behaviour_depth=dict(settings.behaviour_depth),
        frequency_scale=settings.frequency_scale,
        target_industries=list(settings.target_industries),
        target_regions=list(settings.target_regions),
        employees_min=settings.employees_min,
        employees_max=settings.employees_max,
        qualify_threshold=settings.qualify_threshold,
        hot_from=settings.hot_from,
        warm_from=settings.warm_from,
        first_contact_hours=settings.first_contact_hours,
        nurture_interval_days=settings.nurture_interval_days,
    )
    if settings.budget_min is not None:
        message.budget_min.CopyFrom(common_pb2.Money(amount=str(settings.budget_min)))
    if settings.budget_max is not None:
        message.budget_max.CopyFrom(common_pb2.Money(amount=str(settings.budget_max)))
    return message


def settings_from_proto(message: leads_pb2.ScoringSettings) -> dict[str, Any]:
    """The JSON form that scoring.update_settings validates (an unset budget bound is unbounded)."""
    return {
        "weights": {name: getattr(message.weights, name) for name in FACTORS},
        "behaviour_depth": dict(message.behaviour_depth),
        "frequency_scale": message.frequency_scale,
        "target_industries": list(message.target_industries),
        "target_regions": list(message.target_regions),
        "employees_min": message.employees_min,
        "employees_max": message.employees_max,
        "budget_min": message.budget_min.amount if message.HasField("budget_min") else None,
        "budget_max": message.budget_max.amount if message.HasField("budget_max") else None,
        "qualify_threshold": message.qualify_threshold,
        "hot_from": message.hot_from,
        "warm_from": message.warm_from,
        "first_contact_hours": message.first_contact_hours,
        "nurture_interval_days": message.nurture_interval_days,
    }
