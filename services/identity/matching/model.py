"""The Fellegi-Sunter model: per-field m and u probabilities of each comparison level, the prior, term
frequencies, thresholds, and the reviewers' decisions. Estimated without labels: u from random record pairs
(almost all non-matches), m and the prior by expectation-maximisation over the blocked candidate pairs.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from services.identity.matching.spec import CRM_SPEC, EXACT, LEVELS, MISSING, LinkageSpec

N_LEVELS = len(LEVELS)
# Probabilities never reach 0 or 1: one unseen level must not make a pair impossible or certain.
EPSILON = 1e-6
# A reviewer's decision weighs like this many observed pairs against BASE_WEIGHT for the estimated model, so a
# handful of decisions moves the model noticeably but one mistaken click does not overturn it.
DECISION_WEIGHT = 20.0
BASE_WEIGHT = 1000.0
# Term-frequency tables keep the most frequent values only; rarer values are bounded by the smallest kept.
TF_TABLE_SIZE = 2000
# EM: the current m counts as this many pairs (a weak prior), and a blocking rule needs this many pairs to train.
PRIOR_PAIRS = 10.0
MIN_RULE_PAIRS = 50
PARAMETERS_VERSION = 1
# Before a tenant's data says otherwise: one pair in 100,000 random pairs is a duplicate.
DEFAULT_PRIOR = 1e-5

# Starting values for a tenant with no trained model: a field's agreement is common among matches (m) and
# rare among random pairs (u). Unused levels (city is exact or not) get m == u, so weight 0.
_DEFAULTS: dict[str, tuple[tuple[float, ...], tuple[float, ...]]] = {
    #              m: disagree fuzzy close exact          u: disagree fuzzy close exact
    "name": ((0.05, 0.05, 0.10, 0.80), (0.970, 0.020, 0.005, 0.005)),
    "company": ((0.05, 0.05, 0.10, 0.80), (0.980, 0.010, 0.005, 0.005)),
    "phone": ((0.10, 0.02, 0.08, 0.80), (0.9998, 1e-4, 5e-5, 5e-5)),
    "email": ((0.10, 0.03, 0.07, 0.80), (0.99998, 1e-5, 5e-6, 5e-6)),
    "city": ((0.10, 0.0, 0.0, 0.90), (0.95, 0.0, 0.0, 0.05)),
    "address": ((0.20, 0.10, 0.10, 0.60), (0.99, 0.008, 0.001, 0.001)),
    "credit_code": ((0.02, 0.02, 0.06, 0.90), (0.99999, 5e-6, 3e-6, 2e-6)),
}
_GENERIC_DEFAULT = ((0.10, 0.05, 0.15, 0.70), (0.95, 0.03, 0.01, 0.01))


def _normalised(values: np.ndarray) -> np.ndarray:
    values = np.clip(np.asarray(values, dtype=np.float64), EPSILON, None)
    return values / values.sum()


@dataclass
class Model:
    spec: LinkageSpec = CRM_SPEC
    # P(two records picked at random match): evidence of every field, blocking fields included, is added to it.
    prior: float = DEFAULT_PRIOR
    m: np.ndarray = field(default=None)  # (fields, levels)
    u: np.ndarray = field(default=None)
    tf: dict[str, dict[str, float]] = field(default_factory=dict)  # field -> value -> share of records
    auto_link: float = 0.95
    review: float = 0.50
    # Reviewers' decisions as level counts per field: what matches and non-matches really look like.
    decided_match: np.ndarray = field(default=None)
    decided_non_match: np.ndarray = field(default=None)
    trained_pairs: int = 0

    def __post_init__(self) -> None:
        shape = (len(self.spec.fields), N_LEVELS)
        if self.m is None or self.u is None:
            defaults = [_DEFAULTS.get(name, _GENERIC_DEFAULT) for name in self.spec.fields]
            self.m = np.array([m for m, _ in defaults], dtype=np.float64)
            self.u = np.array([u for _, u in defaults], dtype=np.float64)
        self.decided_match = np.zeros(shape) if self.decided_match is None else self.decided_match
        self.decided_non_match = np.zeros(shape) if self.decided_non_match is None else self.decided_non_match

    # --- scoring ------------------------------------------------------------------------------------------------
    def level_weights(self) -> np.ndarray:
        """log2 Bayes factor of each (field, level); missing values weigh 0."""
        m = np.array([_normalised(row) for row in self.m + self.decided_match * DECISION_WEIGHT / BASE_WEIGHT])
        u = np.array([_normalised(row) for row in self.u + self.decided_non_match * DECISION_WEIGHT / BASE_WEIGHT])
        unused = (self.m <= EPSILON) & (self.u <= EPSILON)
        weights = np.where(unused, 0.0, np.log2(m / u))
        # Agreeing more never counts against a match, and nothing counts more than exact agreement: estimates of
        # rarely seen levels (a close credit code) must not outweigh the common ones.
        used = np.where(unused, -np.inf, weights)
        monotone = np.minimum(np.maximum.accumulate(used, axis=1), weights[:, [EXACT]])
        return np.where(unused, 0.0, monotone)

    def exact_m(self) -> np.ndarray:
        return np.array([_normalised(row)[EXACT] for row in self.m])

    def match_weight(
        self, levels: np.ndarray, tf_shares: Mapping[str, np.ndarray] | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """(total log2 weight with the prior, per-field weights) of each pair from its (pairs, fields) levels.

        `tf_shares[field]` is the share of records holding the agreed value; where given, an exact agreement
        weighs log2(m_exact / share) instead of log2(m_exact / u_exact): "张伟" agreeing says less than "欧阳娜娜".
        """
        weights = self.level_weights()
        fields = np.arange(len(self.spec.fields))
        per_field = np.where(levels == MISSING, 0.0, weights[fields, np.clip(levels, 0, None).astype(np.intp)])
        exact_m = self.exact_m()
        for index, name in enumerate(self.spec.fields):
            shares = (tf_shares or {}).get(name)
            if shares is None:
                continue
            exact = (levels[:, index] == EXACT) & (shares > 0)
            per_field[exact, index] = np.log2(exact_m[index] / np.clip(shares[exact], EPSILON, None))
        return per_field.sum(axis=1) + math.log2(self.prior / (1 - self.prior)), per_field

    @staticmethod
    def probability(weight: np.ndarray | float) -> np.ndarray | float:
        return 1.0 / (1.0 + np.exp2(-np.asarray(weight, dtype=np.float64)))

    def tf_share(self, name: str, value: str) -> float:
        """Share of records holding `value`; a value missing from the table is rarer than any it holds."""
        table = self.tf.get(name)
        if not table or not value:
            return 0.0
        return table.get(value, min(min(table.values()), float(self.u[self.spec.fields.index(name), EXACT])))

    # --- learning -----------------------------------------------------------------------------------------------
    def learn_from_decision(self, levels: np.ndarray, is_match: bool) -> None:
        """A reviewer said a pair with these per-field levels is (not) a match; shift m (or u) towards it."""
        target = self.decided_match if is_match else self.decided_non_match
        for index, level in enumerate(np.asarray(levels)):
            if level != MISSING:
                target[index, level] += 1

    # --- persistence --------------------------------------------------------------------------------------------
    def to_parameters(self) -> dict[str, Any]:
        fields = self.spec.fields
        return {
            "version": PARAMETERS_VERSION,
            "prior": self.prior,
            "m": {name: list(self.m[i]) for i, name in enumerate(fields)},
            "u": {name: list(self.u[i]) for i, name in enumerate(fields)},
            "tf": self.tf,
            "auto_link": self.auto_link,
            "review": self.review,
            "decided_match": {name: list(self.decided_match[i]) for i, name in enumerate(fields)},
            "decided_non_match": {name: list(self.decided_non_match[i]) for i, name in enumerate(fields)},
            "trained_pairs": self.trained_pairs,
        }

    @classmethod
    def from_parameters(cls, parameters: Mapping[str, Any] | None, spec: LinkageSpec = CRM_SPEC) -> Model:
        if not parameters or parameters.get("version") != PARAMETERS_VERSION:
            return cls(spec=spec, **_thresholds(parameters))
        default = cls(spec=spec)

        def table(key: str, fallback: np.ndarray) -> np.ndarray:
            stored = parameters.get(key) or {}
            return np.array([stored.get(name, fallback[i]) for i, name in enumerate(spec.fields)], dtype=np.float64)

        return cls(
            spec=spec,
            prior=float(parameters["prior"]),
            m=table("m", default.m),
            u=table("u", default.u),
            tf={name: dict(values) for name, values in (parameters.get("tf") or {}).items()},
            decided_match=table("decided_match", default.decided_match),
            decided_non_match=table("decided_non_match", default.decided_non_match),
            trained_pairs=int(parameters.get("trained_pairs", 0)),
            **_thresholds(parameters),
        )


def _thresholds(parameters: Mapping[str, Any] | None) -> dict[str, float]:
    parameters = parameters or {}
    return {key: float(parameters[key]) for key in ("auto_link", "review") if key in parameters}


# --- estimation -----------------------------------------------------------------------------------------------
def estimate_u(levels: np.ndarray, fallback: np.ndarray) -> np.ndarray:
    """u per (field, level) from the levels of random pairs, which are non-matches but for a negligible few.

    A field no sampled pair had on both sides keeps its `fallback` row.
    """
    counts = np.stack([np.bincount(column[column != MISSING], minlength=N_LEVELS) for column in levels.T])
    return np.array([_normalised(row) if row.sum() else fallback[i] for i, row in enumerate(counts.astype(np.float64))])


def estimate_m(
    levels: np.ndarray,
    model: Model,
    *,
    blocked_on: Sequence[Sequence[int]] = (),
    iterations: int = 60,
) -> np.ndarray:
    """m by EM over the candidate pairs with u fixed; no labels needed.

    Candidates found by a blocking rule agree on its columns by construction, so, as Splink does, each rule in
    `blocked_on` (column indexes) trains on its own pairs with its own columns hidden, and each field's m is the
    average over the rules that could see it, weighted by their expected matches. The model's current m acts as
    a weak prior (PRIOR_PAIRS pseudo-pairs), which keeps small tenants from degenerate fits.
    """
    patterns, counts = collapse(levels)
    if not blocked_on:
        return em(patterns, counts, model.m, model.u, 0.5, iterations=iterations)[0]
    total, weight = np.zeros_like(model.m), np.zeros(len(model.m))
    for columns in blocked_on:
        mine = (patterns[:, list(columns)] == EXACT).all(axis=1)
        if counts[mine].sum() < MIN_RULE_PAIRS:
            continue
        hidden = patterns[mine].copy()
        hidden[:, list(columns)] = MISSING
        m, _, matches = em(*collapse(hidden, counts[mine]), model.m, model.u, 0.5, iterations=iterations)
        seen = np.ones(len(model.m), dtype=bool)
        seen[list(columns)] = False
        total[seen] += m[seen] * matches
        weight[seen] += matches
    return np.where(weight[:, None] > 0, total / np.clip(weight, EPSILON, None)[:, None], model.m)


def collapse(levels: np.ndarray, counts: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Distinct level patterns of `levels` (rows) and how many pairs (or `counts`) each stands for."""
    base = N_LEVELS + 1  # levels -1..3 as digits 0..4
    codes = ((levels.astype(np.int64) + 1) * base ** np.arange(levels.shape[1], dtype=np.int64)).sum(axis=1)
    unique, inverse = np.unique(codes, return_inverse=True)
    weights = np.bincount(inverse, weights=None if counts is None else counts, minlength=len(unique))
    patterns = (unique[:, None] // base ** np.arange(levels.shape[1], dtype=np.int64)) % base - 1
    return patterns.astype(np.int8), weights.astype(np.float64)


def estimate_random_match_probability(evidence: np.ndarray, total_pairs: int, iterations: int = 200) -> float:
    """P(two random records match), from the candidates' evidence (log2 weights without a prior).

    The fixed point of: prior = expected matches among the candidates / all possible pairs. Pairs outside the
    candidates are taken as non-matches, so blocking must be wide enough to find the true pairs (recall).
    Evidence is binned to 1/100 bit first: the iterations then cost bins, not pairs.
    """
    if not len(evidence) or total_pairs <= 0:
        return DEFAULT_PRIOR
    bins, counts = np.unique(np.round(evidence, 2), return_counts=True)
    prior = min(0.5, len(evidence) / total_pairs)
    for _ in range(iterations):
        expected = float((Model.probability(bins + math.log2(prior / (1 - prior))) * counts).sum())
        new_prior = float(np.clip(expected / total_pairs, 1e-12, 0.5))
        if abs(new_prior - prior) <= 1e-6 * prior:
            return new_prior
        prior = new_prior
    return prior


def em(
    patterns: np.ndarray,
    counts: np.ndarray,
    m: np.ndarray,
    u: np.ndarray,
    prior: float,
    *,
    iterations: int = 60,
    tolerance: float = 1e-6,
) -> tuple[np.ndarray, float, float]:
    """Expectation-maximisation of m and the match share among pairs, u fixed; pairs given as distinct level
    `patterns` with their `counts` (see collapse), so an iteration costs patterns, not pairs.

    Returns (m, share of matches, expected matches).
    """
    present = patterns != MISSING
    index = np.clip(patterns, 0, None).astype(np.intp)
    fields = np.arange(patterns.shape[1])
    log_u = np.where(present, np.log(_safe(u)[fields, index]), 0.0).sum(axis=1)
    pseudo = PRIOR_PAIRS * np.array([_normalised(row) for row in m])
    m, weighted = m.copy(), counts * prior
    for _ in range(iterations):
        log_m = np.where(present, np.log(_safe(m)[fields, index]), 0.0).sum(axis=1)
        log_odds = math.log(prior / (1 - prior)) + log_m - log_u
        weighted = counts / (1.0 + np.exp(-np.clip(log_odds, -700, 700)))
        new_prior = float(np.clip(weighted.sum() / counts.sum(), EPSILON, 1 - EPSILON))
        new_m = pseudo.copy()
        for column in fields:
            keep = present[:, column]
            np.add.at(new_m[column], index[keep, column], weighted[keep])
        new_m = np.array([_normalised(row) for row in new_m])
        converged = np.abs(new_m - m).max() < tolerance and abs(new_prior - prior) < tolerance
        m, prior = new_m, new_prior
        if converged:
            break
    return m, prior, float(weighted.sum())


def _safe(probabilities: np.ndarray) -> np.ndarray:
    return np.clip(probabilities, EPSILON, None)
