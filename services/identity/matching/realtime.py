"""Real-time matching of one record against the tenant's stored records (R-ID-1 at intake).

Candidates come from the same blocking rules as batch dedup, stored as MatchKey rows with an index on
(tenant, kind, value): one round trip fetches at most PER_KEY records per key, then the candidates are
compared and scored in memory with the tenant's model. Each answer explains itself field by field.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from sqlalchemy import select, union
from sqlalchemy.orm import Session

from services.core.db import utcnow
from services.core.plugins import BUILTIN, PluginHost, choice_for
from services.identity.matching.compare import compare
from services.identity.matching.model import Model
from services.identity.matching.spec import CRM_SPEC, EXACT, LEVEL_NAMES, MISSING, LinkageSpec
from services.identity.models import MatchKey, MatchModel, SourceRecord

MAX_KEY_LENGTH = 254
COMPARE_HOOK = "crm_compare"
PER_KEY = 40


@dataclass(frozen=True)
class FieldEvidence:
    field: str
    level: str  # exact | close | fuzzy | disagree | missing
    similarity: float
    weight: float  # log2 Bayes factor this field contributed


@dataclass(frozen=True)
class Candidate:
    customer_id: str
    source_record_id: int
    probability: float
    match_weight: float
    fields: tuple[FieldEvidence, ...]


def match_keys(features: Mapping[str, str], spec: LinkageSpec = CRM_SPEC) -> list[tuple[str, str]]:
    """(kind, value) blocking keys of a record: one per rule whose columns are all present."""
    keys = []
    for rule in spec.blocking:
        values = [features.get(column) or "" for column in rule.columns]
        if all(values):
            value = "\x1f".join(values)
            if len(value) > MAX_KEY_LENGTH:  # long addresses: a digest keeps equality and fits the index
                value = "sha1:" + hashlib.sha1(value.encode()).hexdigest()
            keys.append((rule.name, value))
    return keys


def load_model(session: Session, spec: LinkageSpec = CRM_SPEC) -> Model:
    """The tenant's model (the session is tenant-scoped), or the default one."""
    row = session.get(MatchModel, session.info["crm_tenant"])
    return Model.from_parameters(row.parameters if row else None, spec)


def save_model(session: Session, model: Model) -> None:
    tenant = session.info["crm_tenant"]
    row = session.get(MatchModel, tenant)
    if row is None:
        session.add(MatchModel(tenant_id=tenant, parameters=model.to_parameters()))
    else:
        row.parameters, row.updated_at = model.to_parameters(), utcnow()


def find_candidates(
    session: Session,
    *,
    features: Mapping[str, str],
    model: Model,
    limit: int = 5,
    exclude_record_id: int | None = None,
    plugins: PluginHost | None = None,
) -> list[Candidate]:
    """The best-scoring stored record of each customer that shares a blocking key with `features`, best first."""
    keys = match_keys(features, model.spec)
    if not keys:
        return []
    # Each key brings at most PER_KEY records (a key shared by hundreds, such as a common name in a big city,
    # must not crowd out the one record that shares a phone), all in one round trip.
    per_key = [
        select(MatchKey.source_record_id)
        .where(MatchKey.kind == kind, MatchKey.value == value)
        .limit(PER_KEY)
        .subquery()  # SQLite takes a LIMIT inside a UNION only within a subquery
        for kind, value in keys
    ]
    # Two statements, not one semi-join: the planner then cannot turn the probe into a nested loop over every
    # stored record, which it did on a young database whose statistics still said "one row" (19 ms at 400 records).
    keyed = union(*(select(limited.c.source_record_id) for limited in per_key))
    record_ids = [record_id for record_id in session.scalars(keyed) if record_id != exclude_record_id]
    if not record_ids:
        return []
    rows = session.execute(
        select(SourceRecord.id, SourceRecord.customer_id, SourceRecord.features).where(SourceRecord.id.in_(record_ids))
    ).all()
    if not rows:
        return []
    scored = score_against(features, [row.features or {} for row in rows], model, plugins=plugins, session=session)
    best: dict[str, Candidate] = {}
    for row, (probability, weight, evidence) in zip(rows, scored, strict=True):
        current = best.get(row.customer_id)
        if current is None or probability > current.probability:
            best[row.customer_id] = Candidate(row.customer_id, row.id, probability, weight, evidence)
    return sorted(best.values(), key=lambda candidate: (-candidate.probability, candidate.customer_id))[:limit]


def score_against(
    features: Mapping[str, str],
    others: Sequence[Mapping[str, str]],
    model: Model,
    *,
    plugins: PluginHost | None = None,
    session: Session | None = None,
) -> list[tuple[float, float, tuple[FieldEvidence, ...]]]:
    """(probability, match weight, evidence per field) of `features` against each of `others`."""
    spec = model.spec
    levels = np.empty((len(others), len(spec.comparisons)), dtype=np.int8)
    similarity = np.empty(levels.shape, dtype=np.float32)
    for index, comparison in enumerate(spec.comparisons):
        left = [features.get(comparison.field) or None] * len(others)
        right = [other.get(comparison.field) or None for other in others]
        levels[:, index], similarity[:, index] = compare(comparison, left, right)
    if plugins is not None and session is not None:
        _apply_plugin(plugins, session, spec, features, others, levels, similarity)
    shares = {
        comparison.field: np.full(len(others), model.tf_share(comparison.field, features.get(comparison.field, "")))
        for comparison in spec.comparisons
        if comparison.tf_adjust
    }
    weight, per_field = model.match_weight(levels, shares)
    probability = Model.probability(weight)
    return [
        (
            float(probability[row]),
            float(weight[row]),
            tuple(
                FieldEvidence(
                    name,
                    LEVEL_NAMES[int(levels[row, col])],
                    round(float(similarity[row, col]), 4),
                    round(float(per_field[row, col]), 3),
                )
                for col, name in enumerate(spec.fields)
            ),
        )
        for row in range(len(others))
    ]


def _apply_plugin(
    plugins: PluginHost,
    session: Session,
    spec: LinkageSpec,
    features: Mapping[str, str],
    others: Sequence[Mapping[str, str]],
    levels: np.ndarray,
    similarity: np.ndarray,
) -> None:
    """The tenant's comparator plugin overrides the built-in levels of the fields it has an opinion on."""
    choice = choice_for(session, COMPARE_HOOK)
    if choice.plugin == BUILTIN:
        return
    for col, name in enumerate(spec.fields):
        left = features.get(name) or ""
        for row, other in enumerate(others):
            right = other.get(name) or ""
            if not left or not right:
                continue
            answer = plugins.call(COMPARE_HOOK, choice, field_name=name, left=left, right=right)
            if answer is not None:
                levels[row, col] = min(max(int(answer.level), MISSING), EXACT)
                similarity[row, col] = float(answer.similarity)
