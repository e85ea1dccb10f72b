"""proto <-> domain for the assignment, rep roster, public pool and ListLeads RPCs (services/leads/api.py)."""

from __future__ import annotations

from datetime import UTC, datetime

import grpc

from crm.leads.v1 import leads_pb2 as pb
from services.core.i18n import DEFAULT_LOCALE, localize, negotiate
from services.leads import assignment, rules
from services.leads.models import LeadOwnership
from services.leads.reps import RepView

RULE_KINDS = {
    rules.AVAILABILITY: pb.ASSIGNMENT_RULE_KIND_AVAILABILITY, rules.TERRITORY: pb.ASSIGNMENT_RULE_KIND_TERRITORY,
    rules.INDUSTRY: pb.ASSIGNMENT_RULE_KIND_INDUSTRY, rules.CAPACITY: pb.ASSIGNMENT_RULE_KIND_CAPACITY,
    rules.CONVERSION: pb.ASSIGNMENT_RULE_KIND_CONVERSION,
}
RULE_NAMES = {value: key for key, value in RULE_KINDS.items()}
ORDERS = {
    pb.LEAD_ORDER_UNSPECIFIED: "create_time_desc", pb.LEAD_ORDER_CREATE_TIME_DESC: "create_time_desc",
    pb.LEAD_ORDER_CREATE_TIME_ASC: "create_time_asc", pb.LEAD_ORDER_SCORE_DESC: "score_desc",
    pb.LEAD_ORDER_ASSIGN_TIME_DESC: "assign_time_desc", pb.LEAD_ORDER_POOL_TIME_ASC: "pool_time_asc",
}
POOL_FILTERS = {pb.POOL_FILTER_UNSPECIFIED: None, pb.POOL_FILTER_IN_POOL: True, pb.POOL_FILTER_NOT_IN_POOL: False}


def caller_locale(context: grpc.ServicerContext | None) -> str:
    for key, value in (context.invocation_metadata() or ()) if context is not None else ():
        if key == "accept-language":
            return negotiate(value)
    return DEFAULT_LOCALE


def time_of(message, name: str) -> datetime | None:  # noqa: ANN001
    return getattr(message, name).ToDatetime(tzinfo=UTC) if message.HasField(name) else None


def _stamp(field, value: datetime | None) -> None:  # noqa: ANN001
    if value is not None:
        field.FromDatetime(value)


# -- paging ---------------------------------------------------------------------------------------------------


# -- reps -----------------------------------------------------------------------------------------------------


def rep_to_proto(view: RepView) -> pb.Rep:
    rep = view.rep
    message = pb.Rep(
        user_id=rep.user_id, name=rep.name, team=rep.team, takes_leads=rep.takes_leads, active=rep.active,
        regions=list(rep.regions or []), industries=list(rep.industries or []), daily_cap=rep.daily_cap,
        holding_limit=rep.holding_limit, absent=view.absent, open_leads=view.open_leads,
        assigned_today=view.assigned_today, claimed_today=view.claimed_today,
        territories=[pb.RepTerritory(territory_id=territory.territory_id, name=territory.name,
                                     regions=territory.regions, industries=territory.industries)
                     for territory in view.territories],
    )
    _stamp(message.absence_start_time, rep.absent_from)
    _stamp(message.absence_end_time, rep.absent_until)
    _stamp(message.last_assign_time, rep.last_assigned_at)
    return message


# -- rules and settings ---------------------------------------------------------------------------------------


def rule_from_proto(rule: pb.AssignmentRule) -> rules.Rule:
    defaults = rules.Rule(kind="")
    return rules.Rule(
        kind=RULE_NAMES.get(rule.kind, ""),
        window_days=rule.window_days or defaults.window_days,
        similar_by=tuple(rule.similar_by) or defaults.similar_by,
        prior_leads=rule.prior_leads or defaults.prior_leads,
        tolerance_points=rule.tolerance_points if rule.HasField("tolerance_points") else defaults.tolerance_points,
    )


def rule_to_proto(rule: rules.Rule) -> pb.AssignmentRule:
    message = pb.AssignmentRule(kind=RULE_KINDS[rule.kind])
    if rule.kind == rules.CONVERSION:
        message.window_days, message.prior_leads = rule.window_days, rule.prior_leads
        message.similar_by.extend(rule.similar_by)
        message.tolerance_points = rule.tolerance_points
    return message


def pool_to_proto(settings: rules.PoolSettings) -> pb.PoolSettings:
    return pb.PoolSettings(
        follow_up_hours=settings.follow_up_hours, follow_up_warning_hours=settings.follow_up_warning_hours,
        follow_up_temperatures=list(settings.follow_up_temperatures), conversion_days=settings.conversion_days,
        conversion_warning_days=settings.conversion_warning_days, reassign_on_reclaim=settings.reassign_on_reclaim,
        claims_per_day=settings.claims_per_day, claim_cooldown_days=settings.claim_cooldown_days,
        time_zone=settings.time_zone,
    )


def pool_values(message: pb.PoolSettings) -> dict:
    return {name: (list(getattr(message, name)) if name == "follow_up_temperatures" else getattr(message, name))
            for name in rules.POOL_FIELDS}


# -- assignment -----------------------------------------------------------------------------------------------


def outcome_to_proto(outcome: assignment.Outcome, locale: str) -> pb.AssignmentOutcome:
    return pb.AssignmentOutcome(
        assigned=outcome.assigned, owner_id=outcome.owner_id, reason=outcome.reason,
        explanation=localize(outcome.explanation, locale), plugin=outcome.plugin,
        steps=[pb.RuleStep(rule=s.rule, candidates_before=s.before, candidates_after=s.after, applied=s.applied)
               for s in outcome.steps],
    )


def bulk_result_to_proto(result: assignment.BulkResult, locale: str) -> pb.ReassignResult:
    return pb.ReassignResult(lead_id=result.lead_id, ok=result.ok, changed=result.changed, owner_id=result.owner_id,
                             error_code=result.error_code, error=localize(result.error, locale))


def ownership_to_proto(row: LeadOwnership) -> pb.OwnershipChange:
    message = pb.OwnershipChange(lead_id=row.lead_id, from_owner_id=row.from_owner, to_owner_id=row.to_owner,
                                 reason=row.reason, actor=row.actor, note=row.note)
    message.change_time.FromDatetime(row.at)
    return message
