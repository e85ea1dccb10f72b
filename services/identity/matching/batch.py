"""Batch deduplication and linkage: block, compare, estimate the model without labels, score, cluster.

Memory stays linear in records plus candidate pairs: records live in one polars frame, pairs as two int arrays,
comparison levels as an int8 matrix; strings are materialised for one chunk of pairs at a time.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import polars as pl
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from services.identity.matching.compare import compare
from services.identity.matching.features import crm_features
from services.identity.matching.model import (
    TF_TABLE_SIZE,
    Model,
    estimate_m,
    estimate_random_match_probability,
    estimate_u,
)
from services.identity.matching.spec import CRM_SPEC, LinkageSpec

Progress = Callable[[int, int], None]  # (done, total) in percent of the whole run
ID = "record_id"
SOURCE = "_source"  # linkage: which data set a record comes from; only pairs across sources are compared
COMPARE_CHUNK = 500_000
# Batch clusters join records at this match probability: a merge is costlier to get wrong than a missed
# duplicate, so well above 0.5, yet below the 0.95 that links at intake without anyone looking.
CLUSTER_THRESHOLD = 0.9
# Fewer candidate pairs than this say too little for EM; the given (default or tenant) m and u are kept.
MIN_TRAINING_PAIRS = 200
U_SAMPLE_PAIRS = 1_000_000


@dataclass
class DedupResult:
    clusters: pl.DataFrame  # record_id, cluster_id: every record, a singleton being its own cluster
    pairs: pl.DataFrame  # left_id, right_id, probability: candidate pairs at or above the review threshold
    model: Model
    candidate_pairs: int
    features: pl.DataFrame  # the normalised records the clusters came from (data-quality flags included)


def dedup_frame(
    frame: pl.DataFrame,
    *,
    model: Model | None = None,
    threshold: float | None = None,
    train: bool = True,
    progress: Progress | None = None,
) -> DedupResult:
    """Deduplicate raw CRM records (record_id + CRM fields)."""
    report = progress or (lambda done, total: None)
    features = crm_features(frame.with_columns(pl.col(ID).cast(pl.String)))
    report(10, 100)
    return dedup_features(features, CRM_SPEC, model=model, threshold=threshold, train=train, progress=report)


def dedup_features(
    features: pl.DataFrame,
    spec: LinkageSpec,
    *,
    model: Model | None = None,
    threshold: float | None = None,
    train: bool = True,
    progress: Progress | None = None,
    seed: int = 7,
) -> DedupResult:
    """Deduplicate (or, with a SOURCE column, link) records whose spec fields are already normalised."""
    report = progress or (lambda done, total: None)
    model = model or Model(spec=spec)
    source = features[SOURCE].to_numpy() if SOURCE in features.columns else None
    pairs = candidate_pairs(features, spec, source=source)
    report(25, 100)
    levels = compare_pairs(features, pairs, spec, progress=lambda share: report(25 + int(35 * share), 100))
    tf_shares = {name: share[pairs[:, 0]] for name, share in _tf_shares(features, spec).items()}
    if train:
        model = trained(features, levels, spec, model, tf_shares=tf_shares, source=source, seed=seed)
    report(85, 100)
    weight, _ = model.match_weight(levels, tf_shares)
    probability = Model.probability(weight)
    cut = model.review if threshold is None else min(threshold, model.review)
    kept = probability >= cut
    ids = features[ID]
    scored = pl.DataFrame(
        {
            "left_id": ids.gather(pairs[kept, 0]),
            "right_id": ids.gather(pairs[kept, 1]),
            "probability": probability[kept],
        }
    )
    links = pairs[probability >= (CLUSTER_THRESHOLD if threshold is None else threshold)]
    clusters = cluster(ids, links)
    report(100, 100)
    return DedupResult(
        clusters=clusters, pairs=scored, model=model, candidate_pairs=len(pairs), features=features
    )


def candidate_pairs(features: pl.DataFrame, spec: LinkageSpec, *, source: np.ndarray | None = None) -> np.ndarray:
    """Distinct (left, right) row pairs, left < right, that agree on every column of at least one blocking rule."""
    rows = features.select(pl.int_range(pl.len(), dtype=pl.Int64).alias("_row"), *spec.fields)
    if source is not None:
        rows = rows.with_columns(pl.Series(SOURCE, source))
    found = []
    for rule in spec.blocking:
        keyed = rows.select(
            "_row",
            *([SOURCE] if source is not None else []),
            pl.concat_str(rule.columns, separator="\x1f").alias("_key"),
        ).drop_nulls("_key")
        sizes = keyed.group_by("_key").len().filter(pl.col("len").is_between(2, spec.max_block))
        keyed = keyed.join(sizes.select("_key"), on="_key", how="semi")
        joined = keyed.join(keyed, on="_key", suffix="_r").filter(pl.col("_row") < pl.col("_row_r"))
        if source is not None:
            joined = joined.filter(pl.col(SOURCE) != pl.col(f"{SOURCE}_r"))
        found.append((joined["_row"] * len(rows) + joined["_row_r"]).to_numpy())
    codes = np.unique(np.concatenate(found)) if found else np.zeros(0, dtype=np.int64)
    return np.stack([codes // len(rows), codes % len(rows)], axis=1)


def compare_pairs(
    features: pl.DataFrame, pairs: np.ndarray, spec: LinkageSpec, *, progress: Callable[[float], None] | None = None
) -> np.ndarray:
    """(pairs, fields) int8 comparison levels, computed a chunk of pairs at a time."""
    levels = np.empty((len(pairs), len(spec.comparisons)), dtype=np.int8)
    for start in range(0, len(pairs), COMPARE_CHUNK):
        chunk = pairs[start : start + COMPARE_CHUNK]
        for index, comparison in enumerate(spec.comparisons):
            column = features[comparison.field]
            levels[start : start + len(chunk), index], _ = compare(
                comparison, column.gather(chunk[:, 0]), column.gather(chunk[:, 1]), with_similarity=False
            )
        if progress:
            progress(min(1.0, (start + len(chunk)) / len(pairs)))
    return levels


def trained(
    features: pl.DataFrame,
    levels: np.ndarray,
    spec: LinkageSpec,
    model: Model,
    *,
    tf_shares: dict[str, np.ndarray] | None = None,
    source: np.ndarray | None = None,
    seed: int = 7,
) -> Model:
    """A copy of `model` with u from random pairs, m by EM, the prior from the candidates' evidence, and fresh
    term-frequency tables; `tf_shares` as for Model.match_weight, per candidate pair."""
    fitted = Model.from_parameters(model.to_parameters(), spec)
    fitted.tf = tf_tables(features, spec)
    if len(levels) >= MIN_TRAINING_PAIRS:
        sample = random_pairs(len(features), U_SAMPLE_PAIRS, source=source, seed=seed)
        fitted.u = estimate_u(compare_pairs(features, sample, spec), model.u)
        blocked_on = [[spec.fields.index(column) for column in rule.columns] for rule in spec.blocking]
        fitted.m = estimate_m(levels, fitted, blocked_on=blocked_on)
    # Too few pairs to fit m and u on still say how many duplicates the data holds.
    fitted.prior = 0.5  # neutral: the evidence alone
    evidence, _ = fitted.match_weight(levels, tf_shares)
    fitted.prior = estimate_random_match_probability(evidence, _possible_pairs(len(features), source))
    fitted.trained_pairs = len(levels)
    return fitted


def _possible_pairs(count: int, source: np.ndarray | None) -> int:
    if source is None:
        return count * (count - 1) // 2
    left = int((source == source.min()).sum())
    return left * (count - left)


def random_pairs(count: int, wanted: int, *, source: np.ndarray | None = None, seed: int = 7) -> np.ndarray:
    """Up to `wanted` random distinct-record pairs (across sources when linking)."""
    generator = np.random.default_rng(seed)
    if source is not None:
        lefts, rights = np.flatnonzero(source == source.min()), np.flatnonzero(source != source.min())
        if not len(lefts) or not len(rights):
            return np.zeros((0, 2), dtype=np.int64)
        return np.stack([generator.choice(lefts, wanted), generator.choice(rights, wanted)], axis=1)
    if count < 2:
        return np.zeros((0, 2), dtype=np.int64)
    wanted = min(wanted, count * (count - 1) // 2)
    pairs = generator.integers(0, count, size=(wanted, 2))
    return pairs[pairs[:, 0] != pairs[:, 1]]


def tf_tables(features: pl.DataFrame, spec: LinkageSpec) -> dict[str, dict[str, float]]:
    """The most frequent values of each term-frequency field with their share of the records holding one."""
    tables = {}
    for comparison in spec.comparisons:
        if not comparison.tf_adjust:
            continue
        column = features[comparison.field].drop_nulls()
        counts = column.value_counts(sort=True).head(TF_TABLE_SIZE)
        total = max(len(column), 1)
        tables[comparison.field] = {
            value: count / total for value, count in zip(counts[comparison.field], counts["count"], strict=True)
        }
    return tables


def _tf_shares(features: pl.DataFrame, spec: LinkageSpec) -> dict[str, np.ndarray]:
    """Per record, the share of records holding its value, for each term-frequency field (0 where missing)."""
    shares = {}
    for comparison in spec.comparisons:
        if comparison.tf_adjust:
            column = pl.col(comparison.field)
            share = features.select((column.count().over(column) / column.count()).fill_null(0.0))
            shares[comparison.field] = share.to_series().to_numpy()
    return shares


def cluster(ids: pl.Series, links: np.ndarray) -> pl.DataFrame:
    """Connected components of the links; a cluster is named after its first record."""
    count = len(ids)
    graph = coo_matrix((np.ones(len(links), dtype=np.int8), (links[:, 0], links[:, 1])), shape=(count, count))
    _, labels = connected_components(graph, directed=False)
    first = np.full(labels.max() + 1 if count else 0, count, dtype=np.int64)
    np.minimum.at(first, labels, np.arange(count))
    return pl.DataFrame({ID: ids, "cluster_id": ids.gather(first[labels])})
