"""Comparison levels of aligned value pairs: exact agreement and missing values first, string similarity only
for the pairs that are neither (rapidfuzz, on characters, so Chinese text is not penalised for its three-byte
UTF-8). Batches pass polars Series (masks computed natively); one intake match passes a few Python strings,
for which polars' per-call set-up would cost more than the comparison itself. The levels are decided in one
place, `_graded`, for both."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import polars as pl
from rapidfuzz.distance import OSA, JaroWinkler
from rapidfuzz.process import cpdist

from services.identity.matching.spec import CLOSE, DISAGREE, EXACT, FUZZY, MISSING, FieldComparison

PARALLEL_FROM = 10_000  # rapidfuzz's thread pool pays off on batches, and costs milliseconds on a few pairs


def compare(
    comparison: FieldComparison,
    left: pl.Series | Sequence[str | None],
    right: pl.Series | Sequence[str | None],
    *,
    with_similarity: bool = True,
) -> tuple[np.ndarray, np.ndarray | None]:
    """(levels int8, similarity float32 in 0..1 or None) of each aligned pair; levels use spec.MISSING..EXACT.

    Batches skip the similarity (only explanations need it), which saves a pass over the strings.
    """
    if isinstance(left, pl.Series):
        missing = (left.is_null() | right.is_null()).to_numpy()
        equal = (left == right).fill_null(False).to_numpy()
    else:
        missing = np.array([not a or not b for a, b in zip(left, right, strict=True)], dtype=bool)
        equal = np.array([bool(a) and a == b for a, b in zip(left, right, strict=True)], dtype=bool)
    levels = np.full(len(left), DISAGREE, dtype=np.int8)
    levels[missing], levels[equal] = MISSING, EXACT
    similarity = None
    if with_similarity:
        similarity = np.zeros(len(left), dtype=np.float32)
        similarity[equal] = 1.0
    rest = ~(missing | equal)
    if comparison.kind == "exact" or not rest.any():
        return levels, similarity
    if isinstance(left, pl.Series):
        mask = pl.Series(rest)
        lefts, rights = left.filter(mask).to_list(), right.filter(mask).to_list()
    else:
        lefts = [value for value, keep in zip(left, rest, strict=True) if keep]
        rights = [value for value, keep in zip(right, rest, strict=True) if keep]
    levels[rest], found_similarity = _graded(comparison, lefts, rights)
    if similarity is not None:
        similarity[rest] = found_similarity
    return levels, similarity


def _graded(comparison: FieldComparison, lefts: list[str], rights: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """Levels and similarity of present, unequal values."""
    workers = -1 if len(lefts) >= PARALLEL_FROM else 1
    if comparison.kind == "text":
        jaro = cpdist(lefts, rights, scorer=JaroWinkler.normalized_similarity, workers=workers)
        return np.where(jaro >= comparison.close, CLOSE, np.where(jaro >= comparison.fuzzy, FUZZY, DISAGREE)), jaro
    edits = cpdist(lefts, rights, scorer=OSA.distance, workers=workers)
    longest = np.fromiter((max(len(a), len(b)) for a, b in zip(lefts, rights, strict=True)), np.int64, len(lefts))
    similarity = 1.0 - edits / np.maximum(longest, 1)
    if comparison.kind == "code":
        return np.where(edits <= 1, CLOSE, np.where(edits <= 2, FUZZY, DISAGREE)), similarity
    if comparison.kind == "email":
        same_mailbox = np.fromiter(
            (a.split("@", 1)[0] == b.split("@", 1)[0] for a, b in zip(lefts, rights, strict=True)), bool, len(lefts)
        )
        return np.where(edits <= 1, CLOSE, np.where(same_mailbox, FUZZY, DISAGREE)), similarity
    raise ValueError(f"unknown comparison kind {comparison.kind!r}")
