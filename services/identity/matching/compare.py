"""Comparison levels of aligned value pairs, vectorised: exact agreement and missing values in polars, string
similarity only for the pairs that are neither (rapidfuzz, on characters, so Chinese text is not penalised for
its three-byte UTF-8)."""

from __future__ import annotations

import numpy as np
import polars as pl
from rapidfuzz.distance import OSA, JaroWinkler
from rapidfuzz.process import cpdist

from services.identity.matching.spec import CLOSE, DISAGREE, EXACT, FUZZY, MISSING, FieldComparison


def compare(
    comparison: FieldComparison, left: pl.Series, right: pl.Series, *, with_similarity: bool = True
) -> tuple[np.ndarray, np.ndarray | None]:
    """(levels int8, similarity float32 in 0..1 or None) of each aligned pair; levels use spec.MISSING..EXACT.

    Batches skip the similarity (only explanations need it), which saves a pass over the strings.
    """
    missing = (left.is_null() | right.is_null()).to_numpy()
    equal = (left == right).fill_null(False).to_numpy()
    levels = np.full(len(left), DISAGREE, dtype=np.int8)
    levels[missing], levels[equal] = MISSING, EXACT
    similarity = None
    if with_similarity:
        similarity = np.zeros(len(left), dtype=np.float32)
        similarity[equal] = 1.0
    rest = ~(missing | equal)
    if comparison.kind == "exact" or not rest.any():
        return levels, similarity
    mask = pl.Series(rest)
    lefts, rights = left.filter(mask), right.filter(mask)
    if comparison.kind == "text":
        jaro = cpdist(lefts.to_list(), rights.to_list(), scorer=JaroWinkler.normalized_similarity, workers=-1)
        found = np.where(jaro >= comparison.close, CLOSE, np.where(jaro >= comparison.fuzzy, FUZZY, DISAGREE))
        if similarity is not None:
            similarity[rest] = jaro
    else:
        edits = cpdist(lefts.to_list(), rights.to_list(), scorer=OSA.distance, workers=-1)
        if similarity is not None:
            longest = np.maximum(lefts.str.len_chars().to_numpy(), rights.str.len_chars().to_numpy())
            similarity[rest] = 1.0 - edits / np.maximum(longest, 1)
        if comparison.kind == "code":
            found = np.where(edits <= 1, CLOSE, np.where(edits <= 2, FUZZY, DISAGREE))
        elif comparison.kind == "email":
            same_mailbox = lefts.str.split("@").list.first() == rights.str.split("@").list.first()
            found = np.where(edits <= 1, CLOSE, np.where(same_mailbox.to_numpy(), FUZZY, DISAGREE))
        else:
            raise ValueError(f"unknown comparison kind {comparison.kind!r}")
    levels[rest] = found
    return levels, similarity
