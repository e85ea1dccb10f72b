"""Training (scikit-learn) and scoring (the trained parameters only).

The parameters are a JSON object kept in the tenant's plugin settings, so every replica scores identically and
no model file has to be shipped:

    {"version": 1, "intercept": b, "numeric": {name: [mean, scale, coefficient]},
     "categorical": {field: {value: coefficient}}, "quantiles": [logit at 0 %, 1 %, ..., 100 %], "rows": n, ...}

logit = b + sum(coefficient * (x - mean) / scale) + sum(coefficient of the lead's category, 0 for others);
score = the percentile of the logit among the training leads (so the tenant's threshold of 80 means "better than
80 % of past leads"), or 100 * probability with settings {"scale": "probability"}.
"""

from __future__ import annotations

import bisect
import math
from collections import Counter
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from crm_plugin_predictive_scoring.features import CATEGORIES, NUMERIC, features

VERSION = 1
OTHER = "\x00other"  # categories seen too rarely in training


class NotTrained(ValueError):
    """The tenant chose this model but its settings hold no trained parameters (the platform falls back)."""


def train(
    leads: Sequence[Mapping[str, Any]], won: Sequence[bool], *, min_count: int = 20, regularisation: float = 1.0
) -> dict[str, Any]:
    """Fit a logistic regression on `leads` (hook-style dicts) and their outcomes; JSON-serialisable parameters."""
    import numpy as np
    from sklearn.linear_model import LogisticRegression

    if len(set(won)) < 2:
        raise ValueError("the history needs both won and lost leads")
    rows = [features(lead) for lead in leads]
    vocabulary: dict[str, list[str]] = {}
    for field in CATEGORIES:
        seen = Counter(categorical[field] for _, categorical in rows)
        vocabulary[field] = sorted(value for value, count in seen.items() if count >= min_count and value)
    columns = [*NUMERIC, *(f"{field}={value}" for field in CATEGORIES for value in vocabulary[field])]
    index = {name: i for i, name in enumerate(columns)}
    matrix = np.zeros((len(rows), len(columns)))
    for r, (numeric, categorical) in enumerate(rows):
        for name in NUMERIC:
            matrix[r, index[name]] = numeric[name]
        for field in CATEGORIES:
            column = index.get(f"{field}={categorical[field]}")
            if column is not None:
                matrix[r, column] = 1.0
    count = len(NUMERIC)
    mean = matrix[:, :count].mean(axis=0)
    scale = matrix[:, :count].std(axis=0)
    scale[scale == 0] = 1.0
    matrix[:, :count] = (matrix[:, :count] - mean) / scale
    fitted = LogisticRegression(C=regularisation, max_iter=2000).fit(matrix, np.asarray(won, dtype=int))
    coefficients = fitted.coef_[0]
    logits = fitted.decision_function(matrix)
    categorical: dict[str, dict[str, float]] = {field: {} for field in CATEGORIES}
    for name, i in index.items():
        if i >= count:
            field, value = name.split("=", 1)
            categorical[field][value] = float(coefficients[i])
    return {
        "version": VERSION,
        "intercept": float(fitted.intercept_[0]),
        "numeric": {name: [float(mean[i]), float(scale[i]), float(coefficients[i])] for i, name in enumerate(NUMERIC)},
        "categorical": categorical,
        "quantiles": [float(q) for q in np.quantile(logits, np.linspace(0, 1, 101))],
        "rows": len(rows),
        "won": int(sum(bool(w) for w in won)),
        "trained_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }


def terms(params: Mapping[str, Any], lead: Mapping[str, Any], behaviour: Sequence[Mapping[str, Any]] = ()):  # noqa: ANN201
    """(logit, {source: its part of the logit}) of one lead; sources: the numeric features' base names and the
    categorical fields."""
    if not params or params.get("version") != VERSION:
        raise NotTrained("no trained parameters in the plugin settings (train with crm-predictive-scoring)")
    numeric, categorical = features(lead, behaviour)
    parts: dict[str, float] = {}
    for name, (mean, scale, coefficient) in params["numeric"].items():
        source = name.rsplit("_", 1)[0]
        parts[source] = parts.get(source, 0.0) + coefficient * (numeric.get(name, 0.0) - mean) / scale
    for field, coefficients in params["categorical"].items():
        parts[field] = parts.get(field, 0.0) + coefficients.get(categorical.get(field, ""), 0.0)
    return params["intercept"] + sum(parts.values()), parts


def to_score(params: Mapping[str, Any], logit: float, scale: str = "percentile") -> float:
    if scale == "probability":
        return 100.0 / (1.0 + math.exp(-max(min(logit, 50.0), -50.0)))
    quantiles = params["quantiles"]
    if logit <= quantiles[0]:
        return 0.0
    if logit >= quantiles[-1]:
        return 100.0
    right = bisect.bisect_right(quantiles, logit)
    low, high = quantiles[right - 1], quantiles[right]
    return (right - 1) + (logit - low) / (high - low) if high > low else float(right - 1)


def predict(params: Mapping[str, Any], leads: Sequence[Mapping[str, Any]]) -> list[float]:
    """Logits of many leads (backtests)."""
    return [terms(params, lead)[0] for lead in leads]
