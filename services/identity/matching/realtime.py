"""Real-time matching of one record against the tenant's stored records (R-ID-1 at intake).

Candidates come from the same blocking rules as batch dedup, stored as MatchKey rows with an index on
(tenant, kind, value): one round trip fetches at most PER_KEY records per key, then the candidates are
compared and scored in memory with the tenant's model. Each answer explains itself field by field.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from sqlalchemy import String, bindparam, cast, literal_column, null, select, union, union_all
from sqlalchemy.orm import Session

from services.core.db import transaction_cache, utcnow
from services.core.plugins import BUILTIN, PluginHost, choice_for
from services.identity.matching.compare import compare
from services.identity.matching.model import Model
from services.identity.matching.spec import CRM_SPEC, EXACT, LEVEL_NAMES, MISSING, LinkageSpec
from services.identity.models import MatchKey, MatchModel, SourceRecord

MAX_KEY_LENGTH = 254
COMPARE_HOOK = "crm_compare"
PER_KEY = 40
_MODEL = "identity.match_model"  # transaction_cache key


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
    """The tenant's model (the session is tenant-scoped), or the default one; read once per transaction."""
    cache = transaction_cache(session)
    model = cache.get((_MODEL, spec))
    if model is None:
        # A Core read (a third of an ORM get's cost: it runs in every intake transaction); save_model flushes.
        parameters = session.connection().execute(_STORED_MODEL, {"tenant": session.info["crm_tenant"]}).scalar()
        model = cache[(_MODEL, spec)] = Model.from_parameters(parameters, spec)
    return model


_MODEL_TABLE = MatchModel.__table__
_STORED_MODEL = select(_MODEL_TABLE.c.parameters).where(_MODEL_TABLE.c.tenant_id == bindparam("tenant"))


def save_model(session: Session, model: Model) -> None:
    tenant = session.info["crm_tenant"]
    cache = transaction_cache(session)
    for key in [key for key in cache if key[0] == _MODEL]:
        del cache[key]
    row = session.get(MatchModel, tenant)
    if row is None:
        session.add(MatchModel(tenant_id=tenant, parameters=model.to_parameters()))
    else:
        row.parameters, row.updated_at = model.to_parameters(), utcnow()
    session.flush()  # load_model reads the table with a Core statement, which does not flush first


def find_candidates(
    session: Session,
    *,
    features: Mapping[str, str],
    model: Model,
    limit: int = 5,
    exclude_record_id: int | None = None,
    plugins: PluginHost | None = None,
    keyed: Sequence[int] | None = None,
) -> list[Candidate]:
    """The best-scoring stored record of each customer that shares a blocking key with `features`, best first.

    `keyed`: the ids of the records that share a key, when the caller fetched them already (see probe)."""
    # Core statements on the session's connection (a third of the ORM's cost, on every intake), so they name the
    # tenant themselves.
    tenant = session.info["crm_tenant"]
    connection = session.connection()
    if keyed is None:
        keys = match_keys(features, model.spec)
        if not keys:
            return []
        statement = _keyed_records(tuple(kind for kind, _ in keys))
        keyed = connection.execute(statement, {"tenant": tenant, **_key_values(keys)}).scalars().all()
    record_ids = list(dict.fromkeys(record_id for record_id in keyed if record_id != exclude_record_id))
    if not record_ids:
        return []
    rows = connection.execute(_RECORDS, {"tenant": tenant, "ids": record_ids}).all()
    if not rows:
        return []
    scored = score_against(features, [row.features or {} for row in rows], model, plugins=plugins, session=session)
    best: dict[str, Candidate] = {}
    for row, (probability, weight, evidence) in zip(rows, scored, strict=True):
        current = best.get(row.customer_id)
        if current is None or probability > current.probability:
            best[row.customer_id] = Candidate(row.customer_id, row.id, probability, weight, evidence)
    return sorted(best.values(), key=lambda candidate: (-candidate.probability, candidate.customer_id))[:limit]


@dataclass(frozen=True)
class Probe:
    """What one round trip says about a record at intake: the stored row of the record itself, if any (id and
    customer_id), and the ids of the records sharing a blocking key with it."""

    stored: Any
    keyed: list[int]


def probe(session: Session, *, features: Mapping[str, str], model: Model, service: str, kind: str,
          record_id: str) -> Probe:
    """Is the record (service, kind, record_id) stored already, and which records share a key with `features`: one
    statement for both questions (resolve asks them of every record at intake)."""
    keys = match_keys(features, model.spec)
    statement = _probe_statement(tuple(key_kind for key_kind, _ in keys))
    rows = session.connection().execute(statement, {
        "tenant": session.info["crm_tenant"], "service": service, "kind": kind, "record_id": record_id,
        **_key_values(keys),
    }).all()
    stored = next((row for row in rows if row.own), None)
    return Probe(stored, [row.id for row in rows if not row.own])


def _key_values(keys: Sequence[tuple[str, str]]) -> dict[str, str]:
    return {f"value_{index}": value for index, (_, value) in enumerate(keys)}


@functools.lru_cache(maxsize=256)
def _probe_statement(kinds: tuple[str, ...]):  # noqa: ANN202
    own = select(_RECORD.c.id, _RECORD.c.customer_id, literal_column("1").label("own")).where(
        _RECORD.c.tenant_id == bindparam("tenant"), _RECORD.c.service == bindparam("service"),
        _RECORD.c.kind == bindparam("kind"), _RECORD.c.record_id == bindparam("record_id"))
    keyed = [select(limited.c.source_record_id, cast(null(), String), literal_column("0"))
             for limited in _per_key(kinds)]
    return union_all(own, *keyed) if keyed else own


def _per_key(kinds: tuple[str, ...]) -> list:
    keys = MatchKey.__table__
    return [
        select(keys.c.source_record_id)
        .where(keys.c.tenant_id == bindparam("tenant"), keys.c.kind == kind,
               keys.c.value == bindparam(f"value_{index}"))
        .limit(PER_KEY)
        .subquery()  # SQLite takes a LIMIT inside a UNION only within a subquery
        for index, kind in enumerate(kinds)
    ]


@functools.lru_cache(maxsize=256)
def _keyed_records(kinds: tuple[str, ...]):  # noqa: ANN202
    """The ids of the records that share a key of each kind (values bound as value_0, value_1, ...): built once per
    combination of kinds, so that a probe costs no statement construction.

    Each key brings at most PER_KEY records (a key shared by hundreds, such as a common name in a big city, must
    not crowd out the one record that shares a phone), all in one round trip. Two statements, not one semi-join:
    the planner then cannot turn the probe into a nested loop over every stored record, which it did on a young
    database whose statistics still said "one row" (19 ms at 400 records)."""
    return union(*(select(limited.c.source_record_id) for limited in _per_key(kinds)))


_RECORD = SourceRecord.__table__
_RECORDS = select(_RECORD.c.id, _RECORD.c.customer_id, _RECORD.c.features).where(
    _RECORD.c.tenant_id == bindparam("tenant"), _RECORD.c.id.in_(bindparam("ids", expanding=True)))


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
